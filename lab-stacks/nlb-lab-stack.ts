import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { NlbWorkload } from '../lib';
import { LabPath, PathSettings, pathChart } from './catalogue';
import { LabClusterStack } from './lab-cluster-stack';
import { recordLabPaths } from './lab-path-output';

/** Properties of an {@link NlbLabStack}. */
export interface NlbLabStackProps extends StackProps {
  /** The stack holding the cluster and the controller. */
  readonly labCluster: LabClusterStack;
  /** The catalogue's path this stack deploys: an NLB Service path. */
  readonly path: LabPath;
  /** The lab's settings the path's chart reads. */
  readonly settings: PathSettings;
}

/** An NLB path (`ip` or `instance` targets) on the shared lab cluster. */
export class NlbLabStack extends Stack {
  /** The workload. */
  public readonly workload: NlbWorkload;

  constructor(scope: Construct, id: string, props: NlbLabStackProps) {
    super(scope, id, props);
    const chart = pathChart(props.path, props.settings);
    if (chart.kind !== 'nlb') throw new Error(`${props.path.id} is not an NLB path`);
    this.workload = new NlbWorkload(this, 'Workload', {
      ...chart.props,
      cluster: props.labCluster.labCluster.cluster,
      controller: props.labCluster.controller,
    });
    new CfnOutput(this, 'Url', { value: this.workload.url, description: `URL of the ${chart.props.targetType}-target NLB` });
    new CfnOutput(this, 'Hostname', { value: this.workload.loadBalancerHostname, description: 'NLB hostname' });
    new CfnOutput(this, 'Namespace', { value: this.workload.chart.namespaceName });
    recordLabPaths(this, [props.path], props.settings, () => this.workload.url);
  }
}
