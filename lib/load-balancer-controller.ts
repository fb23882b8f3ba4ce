import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { LoadBalancerControllerPolicy } from './load-balancer-controller-policy';
import { LoadBalancerControllerVersion } from './load-balancer-controller-version';
import { partitionOf } from './private/official-policy';
import { deepMerge } from './private/merge';

/** The eks-charts Helm repository. */
export const EKS_CHARTS_REPOSITORY = 'https://aws.github.io/eks-charts';

/** Name and namespace of the controller's service account, as the chart and the official docs use them. */
export const CONTROLLER_SERVICE_ACCOUNT = { name: 'aws-load-balancer-controller', namespace: 'kube-system' } as const;

/** The controller image registries in the China regions, where the chart's default registry is out of reach. */
export const CHINA_IMAGE_REGISTRIES: Readonly<Record<string, string>> = {
  'cn-north-1': '918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn',
  'cn-northwest-1': '961992271922.dkr.ecr.cn-northwest-1.amazonaws.com.cn',
};

/** Options for {@link LoadBalancerController}, also taken by `LabCluster.addLoadBalancerController()`. */
export interface LoadBalancerControllerOptions {
  /**
   * Controller release: image tag, chart version and IAM policy.
   * @default LoadBalancerControllerVersion.V3_5_0
   */
  readonly version?: LoadBalancerControllerVersion;

  /**
   * Stop synthesis, instead of warning, when the policy of a version from `LoadBalancerControllerVersion.of()`
   * lacks actions the official policy of that version grants.
   * @default false
   */
  readonly strictPolicy?: boolean;

  /**
   * Whether the chart installs the webhook that gives every new Service of type LoadBalancer without a
   * `spec.loadBalancerClass` the controller's class (chart value `enableServiceMutatorWebhook`). Off, such a
   * Service is left to the cloud provider's service controller, which makes a Classic Load Balancer.
   * @default true (the chart's default; the value is then not written)
   */
  readonly enableServiceMutatorWebhook?: boolean;

  /**
   * Helm values merged (deeply) over the ones this construct sets; arrays are replaced, not merged.
   * @default - no extra values
   */
  readonly helmValues?: Record<string, unknown>;

  /**
   * How long Helm waits for the controller's pods (and so its webhooks) to become ready.
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
}

/** Properties of a {@link LoadBalancerController}. */
export interface LoadBalancerControllerProps extends LoadBalancerControllerOptions {
  /** The cluster to install the controller into. */
  readonly cluster: eks.ICluster;
}

/** Inputs of {@link controllerHelmValues}. */
export interface ControllerHelmValuesInput {
  /** Controller release. */
  readonly version: LoadBalancerControllerVersion;
  /** Cluster name (`clusterName`). */
  readonly clusterName: string;
  /** Region (`region`); a token when the stack is environment-agnostic. */
  readonly region: string;
  /** VPC id (`vpcId`). */
  readonly vpcId: string;
  /** `enableServiceMutatorWebhook`; left to the chart's default when undefined. */
  readonly enableServiceMutatorWebhook?: boolean;
  /** Values merged last. */
  readonly helmValues?: Record<string, unknown>;
}

/**
 * Helm values for the controller chart: cluster, region and VPC set so the controller never asks instance
 * metadata, the pre-created IRSA service account, the image of the version in use (from the China registries
 * there), and Shield/WAF off where those services do not exist.
 */
export function controllerHelmValues(input: ControllerHelmValuesInput): Record<string, unknown> {
  const regionKnown = !Token.isUnresolved(input.region);
  const chinaRegistry = regionKnown ? CHINA_IMAGE_REGISTRIES[input.region] : undefined;
  const inChina = regionKnown && partitionOf(input.region) === 'aws-cn';
  const values: Record<string, unknown> = {
    clusterName: input.clusterName,
    region: input.region,
    vpcId: input.vpcId,
    serviceAccount: { create: false, name: CONTROLLER_SERVICE_ACCOUNT.name },
    image: {
      ...(chinaRegistry ? { repository: `${chinaRegistry}/amazon/aws-load-balancer-controller` } : {}),
      tag: input.version.version,
    },
    ...(inChina ? { enableShield: false, enableWaf: false, enableWafv2: false } : {}),
    ...(input.enableServiceMutatorWebhook !== undefined ? { enableServiceMutatorWebhook: input.enableServiceMutatorWebhook } : {}),
  };
  return deepMerge(values, input.helmValues ?? {});
}

/**
 * The AWS Load Balancer Controller: an IRSA service account whose role carries the full official IAM policy
 * of the controller version in use, and the eks-charts Helm release that runs the controller with it.
 */
export class LoadBalancerController extends Construct {
  /** The IRSA service account `kube-system/aws-load-balancer-controller`. */
  public readonly serviceAccount: eks.ServiceAccount;

  /** The customer-managed policy holding the official AWSLoadBalancerControllerIAMPolicy of the version. */
  public readonly policy: LoadBalancerControllerPolicy;

  /** The Helm release. Anything that creates Ingresses or Services should depend on it. */
  public readonly chart: eks.HelmChart;

  /** The controller release in use. */
  public readonly version: LoadBalancerControllerVersion;

  /** Whether new Services of type LoadBalancer without a class go to this controller (the service mutator webhook). */
  public readonly serviceMutatorWebhook: boolean;

  constructor(scope: Construct, id: string, props: LoadBalancerControllerProps) {
    super(scope, id);
    this.version = props.version ?? LoadBalancerControllerVersion.V3_5_0;
    const stack = Stack.of(this);
    this.policy = new LoadBalancerControllerPolicy(this, 'Policy', { version: this.version, strict: props.strictPolicy });

    this.serviceAccount = new eks.ServiceAccount(this, 'ServiceAccount', {
      cluster: props.cluster,
      name: CONTROLLER_SERVICE_ACCOUNT.name,
      namespace: CONTROLLER_SERVICE_ACCOUNT.namespace,
    });
    this.policy.attachToRole(this.serviceAccount.role);

    const values = controllerHelmValues({
      version: this.version,
      clusterName: props.cluster.clusterName,
      region: stack.region,
      vpcId: props.cluster.vpc.vpcId,
      enableServiceMutatorWebhook: props.enableServiceMutatorWebhook,
      helmValues: props.helmValues,
    });
    // helmValues may override the typed prop; report what the chart gets.
    this.serviceMutatorWebhook = values.enableServiceMutatorWebhook !== false;

    this.chart = new eks.HelmChart(this, 'Resource', {
      cluster: props.cluster,
      repository: EKS_CHARTS_REPOSITORY,
      chart: 'aws-load-balancer-controller',
      release: 'aws-load-balancer-controller',
      version: this.version.chartVersion,
      namespace: CONTROLLER_SERVICE_ACCOUNT.namespace,
      createNamespace: false,
      wait: true,
      timeout: props.timeout ?? Duration.minutes(10),
      values,
    });
    // The role must hold the policy before the pods start, and must outlive them on delete.
    this.chart.node.addDependency(this.serviceAccount, this.policy, props.cluster.openIdConnectProvider);
  }
}
