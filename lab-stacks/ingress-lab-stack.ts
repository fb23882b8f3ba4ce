import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IngressWorkload } from '../lib';
import { LabPath, PathSettings, pathChart } from './catalogue';
import { LabClusterStack } from './lab-cluster-stack';
import { recordLabPaths } from './lab-path-output';

/** Properties of an {@link IngressLabStack}. */
export interface IngressLabStackProps extends StackProps {
  /** The stack holding the cluster and the controller. */
  readonly labCluster: LabClusterStack;
  /** The catalogue's path this stack deploys: an ALB Ingress path. */
  readonly path: LabPath;
  /** The lab's settings the path's chart reads. */
  readonly settings: PathSettings;
}

/** One half of the experiment (`ip` or `instance`) on the shared lab cluster. */
export class IngressLabStack extends Stack {
  /** The workload. */
  public readonly workload: IngressWorkload;

  constructor(scope: Construct, id: string, props: IngressLabStackProps) {
    super(scope, id, props);
    const chart = pathChart(props.path, props.settings);
    if (chart.kind !== 'ingress') throw new Error(`${props.path.id} is not an Ingress path`);
    this.workload = new IngressWorkload(this, 'Workload', {
      ...chart.props,
      cluster: props.labCluster.labCluster.cluster,
      controller: props.labCluster.controller,
    });
    new CfnOutput(this, 'Url', { value: this.workload.url, description: `URL of the ${chart.props.targetType}-mode ALB` });
    new CfnOutput(this, 'Namespace', { value: this.workload.chart.namespaceName });
    recordLabPaths(this, [props.path], props.settings, () => this.workload.url);
  }
}
