import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LabCleanup, LabVpc } from '../../../lib';
import { CONTROLLER_CLUSTER_TAG } from '../../../lib/cluster/lab-cleanup';
import { CLUSTER_TAG } from '../../../lib/cluster/cleanup-handler';
import { createdAfter, flatten, newStack } from '../../fixtures';

describe('LabCleanup', () => {
  let template: Template;
  beforeAll(() => {
    const stack = newStack();
    const { vpc } = new LabVpc(stack, 'Vpc', { clusterName: 'lab' });
    new LabCleanup(stack, 'Cleanup', { clusterName: 'lab', vpc });
    template = Template.fromStack(stack);
  });

  const statements = () => {
    const role = Object.values(template.findResources('AWS::IAM::Role'))
      .find((r) => JSON.stringify(r).includes('elasticloadbalancing:DeleteLoadBalancer'))!;
    const resolve = (_k: string, v: unknown) => (v && typeof v === 'object' && ('Fn::Join' in v || 'Ref' in v) ? flatten(v) : v);
    return JSON.parse(JSON.stringify(role.Properties.Policies[0].PolicyDocument.Statement), resolve);
  };

  test('one Node.js 22 function with an 11-minute timeout behind Custom::LabCleanup', () => {
    template.resourceCountIs('Custom::LabCleanup', 1);
    template.hasResourceProperties('Custom::LabCleanup', { ClusterName: 'lab', TimeoutSeconds: 600, ServiceTimeout: '720' });
    const fns = Object.values(template.findResources('AWS::Lambda::Function'))
      .filter((f) => f.Properties.Description?.includes('left in the VPC of cluster lab'));
    expect(fns.map((f) => [f.Properties.Runtime, f.Properties.Timeout])).toEqual([['nodejs22.x', 660]]);
  });

  test('deletes only what is tagged for its cluster, and security groups only in its VPC', () => {
    expect(statements()).toEqual([
      {
        Effect: 'Allow', Resource: '*',
        Action: ['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTags', 'ec2:DescribeSecurityGroups'],
      },
      {
        Effect: 'Allow', Action: ['elasticloadbalancing:DeleteLoadBalancer'],
        Resource: ['arn:aws:elasticloadbalancing:us-east-1:<AWS::AccountId>:loadbalancer/app/*',
          'arn:aws:elasticloadbalancing:us-east-1:<AWS::AccountId>:loadbalancer/net/*'],
        Condition: { StringEquals: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'lab' } },
      },
      {
        Effect: 'Allow', Action: ['elasticloadbalancing:DeleteTargetGroup'],
        Resource: 'arn:aws:elasticloadbalancing:us-east-1:<AWS::AccountId>:targetgroup/*',
        Condition: { StringEquals: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'lab' } },
      },
      {
        Effect: 'Allow', Action: ['ec2:DeleteSecurityGroup'],
        Resource: 'arn:aws:ec2:us-east-1:<AWS::AccountId>:security-group/*',
        Condition: {
          StringEquals: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'lab' },
          ArnEquals: { 'ec2:Vpc': expect.stringMatching(/^arn:aws:ec2:us-east-1:<AWS::AccountId>:vpc\/<Vpc/) },
        },
      },
    ]);
  });

  test('is deleted before the VPC, its subnets and the internet gateway, and waits for nothing else of the VPC', () => {
    const [cleanupId] = Object.keys(template.findResources('Custom::LabCleanup'));
    const vpcResources = Object.entries(template.toJSON().Resources as Record<string, { Type: string }>)
      .filter(([id, r]) => id.startsWith('Vpc') && r.Type.startsWith('AWS::EC2::'));
    expect(vpcResources.length).toBeGreaterThan(15);
    const outliving = ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::InternetGateway', 'AWS::EC2::VPCGatewayAttachment'];
    const after = vpcResources.filter(([id]) => createdAfter(template, cleanupId, id)).map(([, r]) => r.Type);
    expect(after.sort()).toEqual(vpcResources.map(([, r]) => r.Type).filter((t) => outliving.includes(t)).sort());
    expect(after.filter((t) => t === 'AWS::EC2::Subnet')).toHaveLength(4);
  });

  test('the function looks for the same tag the policy conditions name', () => {
    expect(CLUSTER_TAG).toBe(CONTROLLER_CLUSTER_TAG);
    expect(JSON.stringify(template.toJSON())).toContain(`aws:ResourceTag/${CONTROLLER_CLUSTER_TAG}`);
  });

  test.each([Duration.seconds(30), Duration.minutes(15)])('rejects a timeout of %s', (timeout) => {
    const stack = newStack();
    const { vpc } = new LabVpc(stack, 'Vpc', { clusterName: 'lab' });
    expect(() => new LabCleanup(stack, 'Cleanup', { clusterName: 'lab', vpc, timeout }))
      .toThrow(`Test/Cleanup: 'timeout' must be between 1 and 14 minutes; got '${timeout.toHumanString()}'. ` +
        'The wait runs inside one Lambda invocation; use Duration.minutes(10).');
  });
});
