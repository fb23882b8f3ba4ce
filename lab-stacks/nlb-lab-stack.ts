import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { NlbWorkload, NlbWorkloadChartProps } from '../lib';
import { LabClusterStack } from './lab-cluster-stack';

/** Properties of an {@link NlbLabStack}. */
export interface NlbLabStackProps extends StackProps {
  /** The stack holding the cluster and the controller. */
  readonly labCluster: LabClusterStack;
  /** The workload: target type and Service settings. */
  readonly workload: NlbWorkloadChartProps;
}

/** An NLB path (`ip` or `instance` targets) on the shared lab cluster. */
export class NlbLabStack extends Stack {
  /** The workload. */
  public readonly workload: NlbWorkload;

  constructor(scope: Construct, id: string, props: NlbLabStackProps) {
    super(scope, id, props);
    this.workload = new NlbWorkload(this, 'Workload', {
      ...props.workload,
      cluster: props.labCluster.labCluster.cluster,
      controller: props.labCluster.controller,
    });
    const chart = this.workload.chart;
    new CfnOutput(this, 'Url', { value: this.workload.url, description: `URL of the ${chart.targetType}-target NLB` });
    new CfnOutput(this, 'Hostname', { value: this.workload.loadBalancerHostname, description: 'NLB hostname' });
    new CfnOutput(this, 'Namespace', { value: chart.namespaceName });
    new CfnOutput(this, 'TargetType', { value: chart.targetType });
    // `eks-lb-lab probe` reads these to know which NLB path the model should expect.
    new CfnOutput(this, 'PreserveClientIp', { value: String(chart.preserveClientIp) });
    new CfnOutput(this, 'ProxyProtocol', { value: String(chart.proxyProtocolV2) });
    if (chart.externalTrafficPolicy) new CfnOutput(this, 'ExternalTrafficPolicy', { value: chart.externalTrafficPolicy });
  }
}
