import { Annotations, Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import { Construct } from 'constructs';
import { IngressWorkloadChart, IngressWorkloadChartProps } from './ingress-workload-chart';
import { LoadBalancerController } from '../controller/load-balancer-controller';
import { claimWorkload } from './private/cluster-claims';

/** Properties of an {@link IngressWorkload}. */
export interface IngressWorkloadProps extends IngressWorkloadChartProps {
  /** The cluster to deploy into; may live in another stack. */
  readonly cluster: eks.ICluster;

  /** The controller that reconciles the Ingress; the workload is applied after it and deleted before it. */
  readonly controller: LoadBalancerController;

  /**
   * How long to wait for the controller to publish the ALB's hostname on the Ingress.
   * @default Duration.minutes(10)
   */
  readonly addressTimeout?: Duration;
}

/**
 * One half of the experiment deployed into a cluster: the {@link IngressWorkloadChart} applied with kubectl,
 * ordered after the controller, and the ALB hostname the controller publishes read back as a URL.
 */
export class IngressWorkload extends Construct {
  /** The cdk8s chart whose objects are applied. */
  public readonly chart: IngressWorkloadChart;

  /** The applied manifest. */
  public readonly manifest: eks.KubernetesManifest;

  /** Hostname of the ALB the controller created for the Ingress. */
  public readonly loadBalancerHostname: string;

  /** `http://<ALB hostname><path>`, e.g. `http://<ALB hostname>/`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: IngressWorkloadProps) {
    super(scope, id);
    const { cluster, controller, addressTimeout, ...chartProps } = props;
    // Named after this construct's path, so the chart's errors say which workload they are about.
    this.chart = new IngressWorkloadChart(new cdk8s.App(), this.node.path.split('/').join('-'), chartProps);
    claimWorkload(this, cluster, this.chart);
    if (this.chart.scheme === 'internet-facing' && this.chart.inboundCidrs.includes('0.0.0.0/0')) {
      Annotations.of(this).addWarningV2('eks-lb-lab:openInboundCidrs', `The ${this.chart.targetType}-mode ALB admits ` +
        `0.0.0.0/0 (anyone on the internet). Restrict 'inboundCidrs' to your address, e.g. ['203.0.113.7/32'].`);
    }

    this.manifest = new eks.KubernetesManifest(this, 'Resource', { cluster, manifest: this.chart.toJson() });
    // Create: the controller's webhooks must answer before the API server admits the Service and Ingress.
    // Delete: the controller must still run to remove the ALB, its target groups and security groups.
    this.manifest.node.addDependency(controller.chart);

    const address = new eks.KubernetesObjectValue(this, 'LoadBalancerAddress', {
      cluster,
      objectType: 'ingress',
      objectName: this.chart.workloadName,
      objectNamespace: this.chart.namespaceName,
      jsonPath: '.status.loadBalancer.ingress[0].hostname',
      timeout: addressTimeout ?? Duration.minutes(10),
    });
    address.node.addDependency(this.manifest);
    this.loadBalancerHostname = address.value;
    this.url = `http://${address.value}${this.chart.path}`;
  }
}
