import { Annotations, Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import { Construct } from 'constructs';
import { ECHO_IMAGE } from './ingress-workload-chart';
import { LoadBalancerController } from '../controller/load-balancer-controller';
import { NlbWorkloadChart, NlbWorkloadChartProps } from './nlb-workload-chart';
import { forIpFamily } from './private/ip-family';
import { applyAfterController, publishedHostname } from './private/apply-chart';

/** Properties of an {@link NlbWorkload}. */
export interface NlbWorkloadProps extends NlbWorkloadChartProps {
  /** The cluster to deploy into; may live in another stack. */
  readonly cluster: eks.ICluster;

  /** The controller that reconciles the Service; the workload is applied after it and deleted before it. */
  readonly controller: LoadBalancerController;

  /**
   * How long to wait for the controller to publish the NLB's hostname on the Service.
   * @default Duration.minutes(10)
   */
  readonly addressTimeout?: Duration;
}

/**
 * An NLB path deployed into a cluster: the {@link NlbWorkloadChart} applied with kubectl, ordered after the
 * controller, and the NLB hostname the controller publishes on the Service read back.
 */
export class NlbWorkload extends Construct {
  /** The cdk8s chart whose objects are applied. */
  public readonly chart: NlbWorkloadChart;

  /** The applied manifest. */
  public readonly manifest: eks.KubernetesManifest;

  /** Hostname of the NLB the controller created for the Service. */
  public readonly loadBalancerHostname: string;

  /** `http://<NLB hostname>/`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: NlbWorkloadProps) {
    super(scope, id);
    const { cluster, controller, addressTimeout, ...chartProps } = props;
    this.chart = new NlbWorkloadChart(new cdk8s.App(), 'Chart', forIpFamily(this, cluster, chartProps));
    if (this.chart.proxyProtocolV2 && this.chart.image === ECHO_IMAGE) {
      Annotations.of(this).addWarningV2('eks-lb-lab:proxyProtocolEcho', `'proxyProtocolV2' is on but the image is ` +
        `${ECHO_IMAGE}, whose nginx does not parse PROXY protocol: every connection starts with a binary header it ` +
        `takes for a malformed request. Set 'image' to a server that reads PROXY protocol v2 to see the client address.`);
    }

    this.manifest = applyAfterController(this, cluster, controller, this.chart);
    this.loadBalancerHostname = publishedHostname(this, cluster, this.manifest, this.chart, 'service', addressTimeout);
    this.url = `http://${this.loadBalancerHostname}/`;
  }
}
