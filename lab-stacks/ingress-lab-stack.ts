import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IngressWorkload, IngressWorkloadChartProps } from '../lib';
import { LabClusterStack } from './lab-cluster-stack';

/** Properties of an {@link IngressLabStack}. */
export interface IngressLabStackProps extends StackProps {
  /** The stack holding the cluster and the controller. */
  readonly labCluster: LabClusterStack;
  /** The workload: target type, Service and Ingress settings. */
  readonly workload: IngressWorkloadChartProps;
}

/** One half of the experiment (`ip` or `instance`) on the shared lab cluster. */
export class IngressLabStack extends Stack {
  /** The workload. */
  public readonly workload: IngressWorkload;

  constructor(scope: Construct, id: string, props: IngressLabStackProps) {
    super(scope, id, props);
    this.workload = new IngressWorkload(this, 'Workload', {
      ...props.workload,
      cluster: props.labCluster.labCluster.cluster,
      controller: props.labCluster.controller,
    });
    const chart = this.workload.chart;
    new CfnOutput(this, 'Url', { value: this.workload.url, description: `URL of the ${chart.targetType}-mode ALB` });
    new CfnOutput(this, 'Namespace', { value: chart.namespaceName });
    new CfnOutput(this, 'TargetType', { value: chart.targetType });
    if (chart.externalTrafficPolicy) {
      // `eks-lb-lab probe` reads it to know which instance-mode path the model should expect.
      new CfnOutput(this, 'ExternalTrafficPolicy', { value: chart.externalTrafficPolicy });
    }
  }
}
