import { Annotations, Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import { Construct } from 'constructs';
import { IngressWorkloadChart, IngressWorkloadChartProps } from './ingress-workload-chart';
import { LoadBalancerController } from '../controller/load-balancer-controller';
import { forIpFamily } from './private/ip-family';
import { applyAfterController, publishedHostname } from './private/apply-chart';

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
    this.chart = new IngressWorkloadChart(new cdk8s.App(), this.node.path.split('/').join('-'), forIpFamily(this, cluster, chartProps));
    if (this.chart.scheme === 'internet-facing' && this.chart.inboundCidrs.includes('0.0.0.0/0')) {
      Annotations.of(this).addWarningV2('eks-lb-lab:openInboundCidrs', `The ${this.chart.targetType}-mode ALB admits ` +
        `0.0.0.0/0 (anyone on the internet). Restrict 'inboundCidrs' to your address, e.g. ['203.0.113.7/32'].`);
    }

    this.manifest = applyAfterController(this, cluster, controller, this.chart);
    this.loadBalancerHostname = publishedHostname(this, cluster, this.manifest, this.chart, 'ingress', addressTimeout);
    this.url = `http://${this.loadBalancerHostname}${this.chart.path}`;
  }
}
