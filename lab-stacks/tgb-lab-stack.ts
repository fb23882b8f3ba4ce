import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { TargetGroupBindingWorkload } from '../lib';
import { LabPath, PathSettings, pathChart } from './catalogue';
import { LabClusterStack } from './lab-cluster-stack';
import { recordLabPaths } from './lab-path-output';

/** Properties of a {@link TgbLabStack}. */
export interface TgbLabStackProps extends StackProps {
  /** The stack holding the VPC, the cluster and the controller. */
  readonly labCluster: LabClusterStack;
  /** The catalogue's paths this stack deploys: its ip and instance TargetGroupBinding paths. */
  readonly paths: readonly LabPath[];
  /** The lab's settings the paths' chart reads. */
  readonly settings: PathSettings;
}

/** An ALB and target groups owned by this stack, with TargetGroupBindings on the shared lab cluster feeding them. */
export class TgbLabStack extends Stack {
  /** The workload. */
  public readonly workload: TargetGroupBindingWorkload;

  constructor(scope: Construct, id: string, props: TgbLabStackProps) {
    super(scope, id, props);
    const chart = pathChart(props.paths[0], props.settings);
    if (chart.kind !== 'tgb') throw new Error(`${props.paths[0].id} is not a TargetGroupBinding path`);
    this.workload = new TargetGroupBindingWorkload(this, 'Workload', {
      ...chart.props,
      cluster: props.labCluster.labCluster.cluster,
      controller: props.labCluster.controller,
      vpc: props.labCluster.labVpc.vpc,
    });
    const w = this.workload;
    new CfnOutput(this, 'IpUrl', { value: w.urls.ip, description: 'ALB path to the ip target group (pod IPs)' });
    new CfnOutput(this, 'InstanceUrl', { value: w.urls.instance, description: 'ALB path to the instance target group (nodes)' });
    // `eks-lb-lab manifests tgb` reads these to write the bindings as YAML with the deployed values.
    new CfnOutput(this, 'IpTargetGroupArn', { value: w.targetGroups.ip.targetGroupArn });
    new CfnOutput(this, 'InstanceTargetGroupArn', { value: w.targetGroups.instance.targetGroupArn });
    new CfnOutput(this, 'VpcId', { value: props.labCluster.labVpc.vpc.vpcId, description: 'VPC of the target groups and the cluster' });
    new CfnOutput(this, 'LoadBalancerSecurityGroupId', {
      value: w.securityGroup.securityGroupId, description: 'the ALB\'s security group, admitted on the targets\' ports',
    });
    new CfnOutput(this, 'NodePort', { value: String(w.chart.nodePort), description: 'NodePort of the instance Service and target group' });
    new CfnOutput(this, 'Namespace', { value: w.chart.namespaceName });
    new CfnOutput(this, 'Image', { value: w.chart.image, description: 'Echo server image of the pods' });
    new CfnOutput(this, 'Replicas', { value: String(w.chart.replicas), description: 'Number of echo pods' });
    recordLabPaths(this, props.paths, props.settings, (p) => w.urls[p.targetType]);
  }
}
