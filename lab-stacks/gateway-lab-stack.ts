import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GatewayWorkload } from '../lib';
import { LabPath, PathSettings, pathChart } from './catalogue';
import { LabClusterStack } from './lab-cluster-stack';
import { recordLabPaths } from './lab-path-output';

/** Properties of a {@link GatewayLabStack}. */
export interface GatewayLabStackProps extends StackProps {
  /** The stack holding the cluster (with the Gateway API CRDs) and the controller. */
  readonly labCluster: LabClusterStack;
  /** The catalogue's paths this stack deploys: the ip and instance routes of one Gateway. */
  readonly paths: readonly LabPath[];
  /** The lab's settings the paths' chart reads. */
  readonly settings: PathSettings;
}

/** Both target types through Gateway API on the shared lab cluster: one Gateway (an ALB or an NLB) with a route to each. */
export class GatewayLabStack extends Stack {
  /** The workload. */
  public readonly workload: GatewayWorkload;

  constructor(scope: Construct, id: string, props: GatewayLabStackProps) {
    super(scope, id, props);
    const chart = pathChart(props.paths[0], props.settings);
    if (chart.kind !== 'gateway') throw new Error(`${props.paths[0].id} is not a Gateway API path`);
    this.workload = new GatewayWorkload(this, 'Workload', {
      ...chart.props,
      cluster: props.labCluster.labCluster.cluster,
      controller: props.labCluster.controller,
    });
    const w = this.workload;
    const lb = w.chart.loadBalancer;
    new CfnOutput(this, 'IpUrl', { value: w.urls.ip, description: `${lb} Gateway route to the ip target group (pod IPs)` });
    new CfnOutput(this, 'InstanceUrl', { value: w.urls.instance, description: `${lb} Gateway route to the instance target group (nodes)` });
    new CfnOutput(this, 'Hostname', { value: w.loadBalancerHostname, description: `${lb} hostname, from the Gateway's status` });
    new CfnOutput(this, 'Namespace', { value: w.chart.namespaceName });
    recordLabPaths(this, props.paths, props.settings, (p) => w.urls[p.targetType]);
  }
}
