import * as path from 'path';
import {
  CustomResource, CustomResourceProvider, CustomResourceProviderRuntime, Duration, Stack, Token,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { LabValidationError } from '../errors';
import { show } from '../private/validate';

/** The tag the AWS Load Balancer Controller puts on the load balancers, target groups and security groups it creates. */
export const CONTROLLER_CLUSTER_TAG = 'elbv2.k8s.aws/cluster';

/** The longest wait that fits in one Lambda invocation (15 minutes) with room to report. */
const MAX_TIMEOUT = Duration.minutes(14);

/** Properties of a {@link LabCleanup}. */
export interface LabCleanupProps {
  /** The cluster whose controller tagged the resources (`elbv2.k8s.aws/cluster=<clusterName>`). */
  readonly clusterName: string;

  /** The VPC to clean; resources elsewhere are never touched. It is deleted only after the cleanup. */
  readonly vpc: ec2.IVpc;

  /**
   * How long to keep retrying resources that are still in use (load balancer ENIs take minutes to go).
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
}

/**
 * On stack deletion, deletes the ELBv2 load balancers, target groups and security groups tagged
 * `elbv2.k8s.aws/cluster=<clusterName>` that are still in the VPC, so a controller that could not finish its
 * own cleanup does not leave billed load balancers or block the VPC's deletion.
 *
 * One function behind `CustomResourceProvider`: it answers CloudFormation itself (no provider-framework
 * function or state machine), and the whole wait fits in one invocation.
 */
export class LabCleanup extends Construct {
  /** The custom resource; whatever must be gone before the cleanup runs should depend on it. */
  public readonly resource: CustomResource;

  /** The function's provider (a stack-level singleton per cluster name). */
  public readonly provider: CustomResourceProvider;

  constructor(scope: Construct, id: string, props: LabCleanupProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(10);
    if (timeout.toSeconds() < 60 || timeout.toSeconds() > MAX_TIMEOUT.toSeconds()) {
      throw new LabValidationError(this, 'timeout', `must be between 1 and ${MAX_TIMEOUT.toMinutes()} minutes; ` +
        `got ${show(timeout.toHumanString())}. The wait runs inside one Lambda invocation; use Duration.minutes(10).`);
    }
    const stack = Stack.of(this);
    const vpcArn = stack.formatArn({ service: 'ec2', resource: 'vpc', resourceName: props.vpc.vpcId });
    const tagged = { StringEquals: { [`aws:ResourceTag/${CONTROLLER_CLUSTER_TAG}`]: props.clusterName } };
    const arn = (service: string, resource: string) => stack.formatArn({ service, resource, resourceName: '*' });
    const uniqueId = Token.isUnresolved(props.clusterName) ? `LabCleanup${this.node.addr}` : `LabCleanup-${props.clusterName}`;

    this.provider = CustomResourceProvider.getOrCreateProvider(this, uniqueId, {
      codeDirectory: path.join(__dirname, 'cleanup-handler'),
      runtime: CustomResourceProviderRuntime.NODEJS_22_X,
      timeout: timeout.plus(Duration.minutes(1)),
      description: `Deletes what the AWS Load Balancer Controller left in the VPC of cluster ${props.clusterName}`,
      policyStatements: [
        {
          // Describe calls take no resource-level permissions.
          Effect: 'Allow',
          Action: ['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeTargetGroups',
            'elasticloadbalancing:DescribeTags', 'ec2:DescribeSecurityGroups'],
          Resource: '*',
        },
        {
          Effect: 'Allow',
          Action: ['elasticloadbalancing:DeleteLoadBalancer'],
          Resource: [arn('elasticloadbalancing', 'loadbalancer/app'), arn('elasticloadbalancing', 'loadbalancer/net')],
          Condition: tagged,
        },
        {
          Effect: 'Allow',
          Action: ['elasticloadbalancing:DeleteTargetGroup'],
          Resource: arn('elasticloadbalancing', 'targetgroup'),
          Condition: tagged,
        },
        {
          Effect: 'Allow',
          Action: ['ec2:DeleteSecurityGroup'],
          Resource: arn('ec2', 'security-group'),
          Condition: { ...tagged, ArnEquals: { 'ec2:Vpc': vpcArn } },
        },
      ],
    });

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::LabCleanup',
      properties: { ClusterName: props.clusterName, VpcId: props.vpc.vpcId, TimeoutSeconds: timeout.toSeconds() },
      // CloudFormation stops waiting shortly after the function would have been cut off.
      serviceTimeout: timeout.plus(Duration.minutes(2)),
    });
    // Deleted before the subnets, where load balancers hold network interfaces, and before the internet gateway's
    // attachment, which an internet-facing load balancer's public addresses keep from detaching. (The VPC itself is
    // ordered by the VpcId reference.) NAT gateways and routes hold nothing of a load balancer's and need not wait.
    this.resource.node.addDependency(...props.vpc.node.findAll()
      .filter((c) => c instanceof ec2.CfnSubnet || c instanceof ec2.CfnVPCGatewayAttachment));
  }
}
