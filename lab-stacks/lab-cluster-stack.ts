import { CfnOutput, Fn, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { LabCluster, LabClusterProps, LabVpc, LabVpcProps, LoadBalancerController, LoadBalancerControllerOptions } from '../lib';
import { LAB_SUBNETS_OUTPUT } from '../lib/experiment';

/** Properties of a {@link LabClusterStack}: the props of the constructs it composes, less what it wires itself. */
export interface LabClusterStackProps extends StackProps {
  /** EKS cluster name, also in the VPC's subnet tags and the controller policy's name. */
  readonly clusterName: string;
  /** The VPC. @default - LabVpc's defaults */
  readonly vpc?: Omit<LabVpcProps, 'clusterName'>;
  /** The cluster and its nodes. @default - LabCluster's defaults */
  readonly cluster?: Omit<LabClusterProps, 'vpc' | 'clusterName'>;
  /** The controller. @default - LoadBalancerController's defaults, with a policy named after the cluster and region */
  readonly controller?: LoadBalancerControllerOptions;
}

/** The shared half of the lab: VPC, EKS cluster and the AWS Load Balancer Controller. */
export class LabClusterStack extends Stack {
  /** The VPC. */
  public readonly labVpc: LabVpc;
  /** The cluster. */
  public readonly labCluster: LabCluster;
  /** The controller both lab workloads depend on. */
  public readonly controller: LoadBalancerController;

  constructor(scope: Construct, id: string, props: LabClusterStackProps) {
    super(scope, id, props);
    this.labVpc = new LabVpc(this, 'Vpc', { ...props.vpc, clusterName: props.clusterName });
    this.labCluster = new LabCluster(this, 'Cluster', { ...props.cluster, vpc: this.labVpc.vpc, clusterName: props.clusterName });
    this.controller = this.labCluster.addLoadBalancerController({
      // Named, so `cdk diff` and the IAM console show one policy per lab; IAM names are account-wide.
      policyName: `AWSLoadBalancerControllerIAMPolicy-${props.clusterName}-${this.region}`,
      ...props.controller,
    });

    const cluster = this.labCluster.cluster;
    new CfnOutput(this, 'ClusterName', { value: cluster.clusterName, description: 'EKS cluster name' });
    new CfnOutput(this, 'UpdateKubeconfigCommand', {
      value: `aws eks update-kubeconfig --name ${cluster.clusterName} --region ${this.region} ` +
        `--role-arn ${this.labCluster.adminRole.roleArn}`,
      description: 'Points kubectl at the lab cluster as its admin role',
    });
    new CfnOutput(this, 'VpcId', { value: this.labVpc.vpc.vpcId });
    const vpc = this.labVpc.vpc;
    const subnets = [...vpc.publicSubnets.map((s) => [s, 'public'] as const), ...vpc.privateSubnets.map((s) => [s, 'private'] as const)];
    new CfnOutput(this, LAB_SUBNETS_OUTPUT, {
      value: this.toJsonString(subnets.map(([s, kind]) => ({ subnetId: s.subnetId, zone: s.availabilityZone, cidr: s.ipv4CidrBlock, kind }))),
      description: 'Each subnet\'s zone and block, for eks-lb-lab probe to place addresses in zones',
    });
    if (this.labVpc.dualStack) {
      new CfnOutput(this, 'VpcIpv6Cidr', {
        value: Fn.select(0, this.labVpc.vpc.vpcIpv6CidrBlocks),
        description: 'The VPC\'s Amazon-provided IPv6 block: give it to eks-lb-lab probe as --lb-cidr',
      });
    }
    new CfnOutput(this, 'ControllerRoleArn', {
      value: this.controller.role.roleArn,
      description: `IAM role of the AWS Load Balancer Controller (${this.controller.identity === 'irsa' ? 'IRSA' : 'EKS Pod Identity'})`,
    });
    new CfnOutput(this, 'ControllerPolicyArn', {
      value: this.controller.policy.managedPolicyArn,
      description: 'The controller\'s managed policy: compare it with npx eks-lb-lab policy diff --policy-arn <this>',
    });
  }
}
