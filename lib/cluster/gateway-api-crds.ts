import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { acknowledgeNag, nagString } from '../private/nag';

/** The Gateway API release whose standard-channel CRDs {@link GatewayApiCrds} installs. */
export const GATEWAY_API_VERSION = 'v1.6.1';

/** The local Helm chart that carries the vendored CRDs in its templates/ folder. */
export const GATEWAY_API_CRDS_CHART_DIR = path.join(__dirname, 'gateway-api-crds-chart');

/** Properties of a {@link GatewayApiCrds}. */
export interface GatewayApiCrdsProps {
  /** The cluster to install the CRDs into. */
  readonly cluster: eks.ICluster;

  /**
   * How long Helm waits for the CRDs to be established.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
}

/**
 * The Kubernetes Gateway API v1.6.1 standard-channel CRDs (GatewayClass, Gateway, HTTPRoute, TCPRoute and the rest,
 * with the upstream ValidatingAdmissionPolicy that guards them), installed as a Helm release of a local chart shipped
 * as a CDK asset: about 1.2 MB of YAML, too big for a manifest inside a CloudFormation template or the kubectl
 * handler's request. The CRDs sit in the chart's templates, not its crds/ folder, so deleting the release deletes
 * them. The AWS Load Balancer Controller turns on its Gateway API support only if the CRDs exist when it starts: make
 * its Helm release depend on this one (`LabCluster` does), which also deletes the controller first.
 */
export class GatewayApiCrds extends Construct {
  /** The Helm release. */
  public readonly chart: eks.HelmChart;

  /** The chart folder, zipped, in the CDK asset bucket. */
  public readonly asset: s3assets.Asset;

  constructor(scope: Construct, id: string, props: GatewayApiCrdsProps) {
    super(scope, id);
    this.asset = new s3assets.Asset(this, 'ChartAsset', { path: GATEWAY_API_CRDS_CHART_DIR });
    this.chart = new eks.HelmChart(this, 'Resource', {
      cluster: props.cluster,
      chartAsset: this.asset,
      release: 'gateway-api-crds',
      namespace: 'kube-system',
      createNamespace: false,
      wait: true,
      timeout: props.timeout ?? Duration.minutes(5),
    });
    const policy = eks.KubectlProvider.getKubectlProvider(this, props.cluster)?.role?.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledgeNag(policy, [
        'IAM5[Action::s3:GetBucket*]', 'IAM5[Action::s3:GetObject*]', 'IAM5[Action::s3:List*]',
        `IAM5[Resource::${nagString(Stack.of(this), this.asset.bucket.arnForObjects('*'))}]`,
      ], 'aws-cdk-lib\'s HelmChart grants the kubectl handler read access to the CDK asset bucket so that it can fetch ' +
        'a chart asset; the grant is its own and names the bucket, whose object keys are content hashes.');
    }
  }
}
