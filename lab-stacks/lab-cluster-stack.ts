import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { KubectlLayer, LabCluster, LabVpc, LoadBalancerController, LoadBalancerControllerVersion } from '../lib';

/** Properties of a {@link LabClusterStack}. */
export interface LabClusterStackProps extends StackProps {
  /** EKS cluster name. */
  readonly clusterName: string;
  /** Kubernetes version, e.g. `1.36`. */
  readonly kubernetesVersion: string;
  /** kubectl layer for the handler; by default the bundled one matching `kubernetesVersion`. */
  readonly kubectlLayer?: KubectlLayer;
  /** Node instance type, e.g. `t3.medium`. */
  readonly nodeInstanceType: string;
  /** Number of nodes. */
  readonly nodeCount: number;
  /** VPC CIDR block. */
  readonly vpcCidr: string;
  /** Number of availability zones. */
  readonly azCount: number;
  /** Number of NAT gateways. */
  readonly natGateways: number;
  /** AWS Load Balancer Controller release; by default `LoadBalancerControllerVersion.V3_5_0`. */
  readonly controllerVersion?: LoadBalancerControllerVersion;
  /** Release whose IAM policy the controller's role gets; by default that of `controllerVersion`. */
  readonly controllerPolicyVersion?: LoadBalancerControllerVersion;
  /** The controller's service mutator webhook; by default the chart's default (on). */
  readonly enableServiceMutatorWebhook?: boolean;
  /** CIDR blocks allowed to the public API endpoint; by default anywhere. */
  readonly publicEndpointCidrs?: readonly string[];
  /** Control-plane log types; by default none. */
  readonly controlPlaneLogging?: readonly eks.ClusterLoggingTypes[];
  /** Service cluster IP block; by default chosen by EKS. */
  readonly serviceCidr?: string;
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
    this.labVpc = new LabVpc(this, 'Vpc', {
      clusterName: props.clusterName,
      cidr: props.vpcCidr,
      azCount: props.azCount,
      natGateways: props.natGateways,
    });
    this.labCluster = new LabCluster(this, 'Cluster', {
      vpc: this.labVpc.vpc,
      clusterName: props.clusterName,
      version: eks.KubernetesVersion.of(props.kubernetesVersion),
      kubectlLayer: props.kubectlLayer,
      nodeInstanceType: new ec2.InstanceType(props.nodeInstanceType),
      nodeCount: props.nodeCount,
      publicEndpointCidrs: props.publicEndpointCidrs,
      controlPlaneLogging: props.controlPlaneLogging,
      serviceCidr: props.serviceCidr,
    });
    this.controller = this.labCluster.addLoadBalancerController({
      version: props.controllerVersion,
      policyVersion: props.controllerPolicyVersion,
      // Named, so `cdk diff` and the IAM console show one policy per lab; IAM names are account-wide.
      policyName: `AWSLoadBalancerControllerIAMPolicy-${props.clusterName}-${this.region}`,
      enableServiceMutatorWebhook: props.enableServiceMutatorWebhook,
    });

    const cluster = this.labCluster.cluster;
    new CfnOutput(this, 'ClusterName', { value: cluster.clusterName, description: 'EKS cluster name' });
    new CfnOutput(this, 'UpdateKubeconfigCommand', {
      value: `aws eks update-kubeconfig --name ${cluster.clusterName} --region ${this.region} ` +
        `--role-arn ${this.labCluster.adminRole.roleArn}`,
      description: 'Points kubectl at the lab cluster as its admin role',
    });
    new CfnOutput(this, 'VpcId', { value: this.labVpc.vpc.vpcId });
    new CfnOutput(this, 'ControllerRoleArn', {
      value: this.controller.serviceAccount.role.roleArn,
      description: 'IAM role of the AWS Load Balancer Controller (IRSA)',
    });
    new CfnOutput(this, 'ControllerPolicyArn', {
      value: this.controller.policy.managedPolicyArn,
      description: 'The controller\'s managed policy: compare it with npx eks-lb-lab policy diff --policy-arn <this>',
    });
  }
}
