import { Annotations, Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import { Construct } from 'constructs';
import { LabCluster } from '../cluster/lab-cluster';
import { LoadBalancerController } from '../controller/load-balancer-controller';
import { GatewayWorkloadChart, GatewayWorkloadChartProps } from './gateway-workload-chart';
import type { TargetType } from './ingress-workload-chart';
import { applyAfterController } from './private/apply-chart';
import { claimOnCluster } from './private/cluster-claims';

/** Properties of a {@link GatewayWorkload}. */
export interface GatewayWorkloadProps extends GatewayWorkloadChartProps {
  /** The cluster to deploy into; may live in another stack. It needs the Gateway API CRDs (`LabCluster` installs them). */
  readonly cluster: eks.ICluster;

  /** The controller that reconciles the Gateway; the workload is applied after it and deleted before it. */
  readonly controller: LoadBalancerController;

  /**
   * How long to wait for the controller to publish the load balancer's hostname on the Gateway.
   * @default Duration.minutes(10)
   */
  readonly addressTimeout?: Duration;
}

/**
 * Both target types through Gateway API deployed into a cluster: the {@link GatewayWorkloadChart} applied with kubectl,
 * ordered after the controller (so deleted before it, while it can still remove the load balancer), and the hostname
 * the controller publishes in the Gateway's `status.addresses` read back.
 */
export class GatewayWorkload extends Construct {
  /** The cdk8s chart whose objects are applied. */
  public readonly chart: GatewayWorkloadChart;

  /** The applied manifest. */
  public readonly manifest: eks.KubernetesManifest;

  /** Hostname of the load balancer the controller created for the Gateway. */
  public readonly loadBalancerHostname: string;

  /** The URL of each target type: `http://<ALB>/ip` and `/instance`, or `http://<NLB>:80/` and `:81/`. */
  public readonly urls: Readonly<Record<TargetType, string>>;

  constructor(scope: Construct, id: string, props: GatewayWorkloadProps) {
    super(scope, id);
    const { cluster, controller, addressTimeout, ...chartProps } = props;
    this.chart = new GatewayWorkloadChart(new cdk8s.App(), this.node.path.split('/').join('-'), chartProps);
    if (this.chart.scheme === 'internet-facing' && this.chart.inboundCidrs.includes('0.0.0.0/0')) {
      Annotations.of(this).addWarningV2('eks-lb-lab:openInboundCidrs', `The ${this.chart.loadBalancer} Gateway admits 0.0.0.0/0 ` +
        `(anyone on the internet). Restrict 'inboundCidrs' to your address, e.g. ['203.0.113.7/32'].`);
    }
    const labCluster = cluster.node.scope;
    if (labCluster instanceof LabCluster && !labCluster.gatewayApiCrds) {
      Annotations.of(this).addWarningV2('eks-lb-lab:noGatewayApiCrds', `The cluster ${labCluster.node.path} installs no Gateway API ` +
        `CRDs ('gatewayApiCrds' is off), so the Gateway, its routes and its GatewayClass cannot be applied. Turn 'gatewayApiCrds' ` +
        'on (Kubernetes 1.30 or later), or install the CRDs before the controller starts.');
    }
    // Cluster-scoped: two workloads with one GatewayClass name would delete each other's on teardown.
    claimOnCluster(this, cluster, 'gatewayClassName', this.chart.gatewayClassName, 'Give each Gateway workload its own GatewayClass name.');

    this.manifest = applyAfterController(this, cluster, controller, this.chart);
    const address = new eks.KubernetesObjectValue(this, 'LoadBalancerAddress', {
      cluster,
      objectType: 'gateways.gateway.networking.k8s.io',
      objectName: this.chart.workloadName,
      objectNamespace: this.chart.namespaceName,
      jsonPath: '.status.addresses[0].value',
      timeout: addressTimeout ?? Duration.minutes(10),
    });
    address.node.addDependency(this.manifest);
    this.loadBalancerHostname = address.value;
    const url = (t: TargetType) => (this.chart.routePaths
      ? `http://${this.loadBalancerHostname}${this.chart.routePaths[t]}`
      : `http://${this.loadBalancerHostname}:${this.chart.listenerPorts[t]}/`);
    this.urls = { ip: url('ip'), instance: url('instance') };
  }
}
