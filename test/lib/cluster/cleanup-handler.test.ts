import {
  DeleteLoadBalancerCommand, DeleteTargetGroupCommand, DescribeLoadBalancersCommand, DescribeTagsCommand,
  DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DeleteSecurityGroupCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { cleanup, handler } from '../../../lib/cluster/cleanup-handler';

const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const ec2 = mockClient(EC2Client);

const VPC = 'vpc-0lab';
const LB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/k8s-ipmode-echo/1';
const OTHER_CLUSTER_LB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/k8s-other-echo/2';
const OTHER_VPC_LB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/k8s-far-echo/3';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/k8s-ipmode-echo/4';
const clusterTag = (value: string) => [{ Key: 'elbv2.k8s.aws/cluster', Value: value }];
const awsError = (name: string) => Object.assign(new Error(`${name} from the mock`), { name });

/** A fake clock that sleeping advances, so retries and deadlines run instantly. */
function clock(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms: number) => { sleeps.push(ms); t += ms; }, sleeps };
}

function run(deadlineAfterMs = 60_000) {
  const c = clock();
  const lines: string[] = [];
  const result = cleanup({
    clusterName: 'eks-lb-lab', vpcId: VPC, deadline: c.now() + deadlineAfterMs, retryIntervalMs: 10_000,
    now: c.now, sleep: c.sleep, log: (l: string) => lines.push(l),
  });
  return { result, lines, sleeps: c.sleeps };
}

/** One ALB, its target group and its security group, tagged for the cluster, plus two that are not ours. */
function leftovers() {
  elbv2.on(DescribeLoadBalancersCommand).resolvesOnce({ LoadBalancers: [
    { LoadBalancerArn: LB, VpcId: VPC }, { LoadBalancerArn: OTHER_CLUSTER_LB, VpcId: VPC },
    { LoadBalancerArn: OTHER_VPC_LB, VpcId: 'vpc-0far' },
  ] }).resolves({ LoadBalancers: [{ LoadBalancerArn: OTHER_CLUSTER_LB, VpcId: VPC }] });
  elbv2.on(DescribeTargetGroupsCommand).resolvesOnce({ TargetGroups: [{ TargetGroupArn: TG, VpcId: VPC }] })
    .resolves({ TargetGroups: [] });
  elbv2.on(DescribeTagsCommand).callsFake((input: { ResourceArns: string[] }) => ({
    TagDescriptions: input.ResourceArns.map((arn) => ({ ResourceArn: arn, Tags: clusterTag(arn === OTHER_CLUSTER_LB ? 'other' : 'eks-lb-lab') })),
  }));
}

beforeEach(() => {
  elbv2.reset();
  ec2.reset();
  elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [] });
  elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
  elbv2.on(DescribeTagsCommand).resolves({ TagDescriptions: [] });
  ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
});

describe('cleanup', () => {
  test('nothing left: one look, no deletes, no waiting', async () => {
    const { result, lines, sleeps } = run();
    await expect(result).resolves.toEqual({ deleted: [], rounds: 1 });
    expect(elbv2.commandCalls(DeleteLoadBalancerCommand)).toHaveLength(0);
    expect(ec2.commandCalls(DeleteSecurityGroupCommand)).toHaveLength(0);
    expect(sleeps).toEqual([]);
    expect(lines).toEqual(['nothing tagged elbv2.k8s.aws/cluster=eks-lb-lab left in vpc-0lab; deleted 0 after 1 round(s)']);
  });

  test('deletes the cluster\'s load balancer, then its target group, then its security group, and nothing else', async () => {
    leftovers();
    ec2.on(DescribeSecurityGroupsCommand).resolvesOnce({ SecurityGroups: [{ GroupId: 'sg-0alb' }] }).resolves({ SecurityGroups: [] });
    const { result, lines } = run();
    await expect(result).resolves.toEqual({ deleted: [LB, TG, 'sg-0alb'], rounds: 2 });
    expect(elbv2.commandCalls(DeleteLoadBalancerCommand).map((c) => c.args[0].input)).toEqual([{ LoadBalancerArn: LB }]);
    expect(elbv2.commandCalls(DeleteTargetGroupCommand).map((c) => c.args[0].input)).toEqual([{ TargetGroupArn: TG }]);
    expect(ec2.commandCalls(DeleteSecurityGroupCommand).map((c) => c.args[0].input)).toEqual([{ GroupId: 'sg-0alb' }]);
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0].args[0].input.Filters).toEqual([
      { Name: 'vpc-id', Values: [VPC] }, { Name: 'tag:elbv2.k8s.aws/cluster', Values: ['eks-lb-lab'] },
    ]);
    expect(lines).toEqual([`deleted ${LB}`, `deleted ${TG}`, 'deleted sg-0alb',
      'nothing tagged elbv2.k8s.aws/cluster=eks-lb-lab left in vpc-0lab; deleted 3 after 2 round(s)']);
  });

  test('what a Gateway left: its NLB and target group carry the same cluster tag beside the Gateway controller\'s own', async () => {
    const nlb = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/k8s-gatewayn-echo/5';
    const tg = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/k8s-gatewayn-echoip/6';
    elbv2.on(DescribeLoadBalancersCommand).resolvesOnce({ LoadBalancers: [{ LoadBalancerArn: nlb, VpcId: VPC }] }).resolves({ LoadBalancers: [] });
    elbv2.on(DescribeTargetGroupsCommand).resolvesOnce({ TargetGroups: [{ TargetGroupArn: tg, VpcId: VPC }] }).resolves({ TargetGroups: [] });
    // The tags of the controller's tracking provider for Gateways (prefix gateway.k8s.aws.nlb).
    elbv2.on(DescribeTagsCommand).callsFake((input: { ResourceArns: string[] }) => ({
      TagDescriptions: input.ResourceArns.map((arn) => ({ ResourceArn: arn, Tags: [...clusterTag('eks-lb-lab'),
        { Key: 'gateway.k8s.aws.nlb/stack', Value: 'gateway-nlb/echo' }, { Key: 'gateway.k8s.aws.nlb/resource', Value: 'LoadBalancer' }] })),
    }));
    const { result } = run();
    await expect(result).resolves.toEqual({ deleted: [nlb, tg], rounds: 2 });
  });

  test('already gone: not-found answers count as done', async () => {
    leftovers();
    elbv2.on(DeleteLoadBalancerCommand).rejects(awsError('LoadBalancerNotFoundException'));
    elbv2.on(DeleteTargetGroupCommand).rejects(awsError('TargetGroupNotFoundException'));
    ec2.on(DescribeSecurityGroupsCommand).resolvesOnce({ SecurityGroups: [{ GroupId: 'sg-0alb' }] }).resolves({ SecurityGroups: [] });
    ec2.on(DeleteSecurityGroupCommand).rejects(awsError('InvalidGroup.NotFound'));
    const { result, lines } = run();
    await expect(result).resolves.toEqual({ deleted: [], rounds: 2 });
    expect(lines.slice(0, 3)).toEqual([`${LB} already gone`, `${TG} already gone`, 'sg-0alb already gone']);
  });

  test('still in use: retried after a pause until the ENIs let go', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolvesOnce({ SecurityGroups: [{ GroupId: 'sg-0alb' }] })
      .resolvesOnce({ SecurityGroups: [{ GroupId: 'sg-0alb' }] }).resolves({ SecurityGroups: [] });
    ec2.on(DeleteSecurityGroupCommand).rejectsOnce(awsError('DependencyViolation')).resolves({});
    const { result, lines, sleeps } = run();
    await expect(result).resolves.toEqual({ deleted: ['sg-0alb'], rounds: 3 });
    expect(sleeps).toEqual([10_000, 10_000]);
    expect(lines[0]).toBe('sg-0alb still in use (DependencyViolation); will retry');
    expect(ec2.commandCalls(DeleteSecurityGroupCommand)).toHaveLength(2);
  });

  test('timeout: fails naming what is still there and why', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-0alb' }, { GroupId: 'sg-0shared' }] });
    ec2.on(DeleteSecurityGroupCommand).rejects(awsError('DependencyViolation'));
    const { result, sleeps } = run(25_000);
    await expect(result).rejects.toThrow('Cleanup of elbv2.k8s.aws/cluster=eks-lb-lab in vpc-0lab ran out of time; still present: ' +
      'sg-0alb (DependencyViolation), sg-0shared (DependencyViolation). Delete them, then retry the stack deletion.');
    expect(sleeps).toEqual([10_000, 10_000]);
  });

  test('any other error stops the cleanup at once', async () => {
    leftovers();
    elbv2.on(DeleteLoadBalancerCommand).rejects(awsError('AccessDenied'));
    const { result } = run();
    await expect(result).rejects.toThrow('AccessDenied from the mock');
    expect(elbv2.commandCalls(DescribeTargetGroupsCommand)).toHaveLength(0);
  });

  test('follows pagination and asks for tags 20 ARNs at a time; untagged load balancers are not ours', async () => {
    const arns = Array.from({ length: 25 }, (_, i) => `${LB}${i}`);
    elbv2.on(DescribeLoadBalancersCommand)
      .resolvesOnce({ LoadBalancers: arns.slice(0, 12).map((a) => ({ LoadBalancerArn: a, VpcId: VPC })), NextMarker: 'm' })
      .resolvesOnce({ LoadBalancers: arns.slice(12).map((a) => ({ LoadBalancerArn: a, VpcId: VPC })) })
      .resolves({ LoadBalancers: [] });
    const { result } = run();
    await expect(result).resolves.toEqual({ deleted: [], rounds: 1 });
    expect(elbv2.commandCalls(DescribeLoadBalancersCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, 'm']);
    expect(elbv2.commandCalls(DeleteLoadBalancerCommand)).toHaveLength(0);
    expect(elbv2.commandCalls(DescribeTagsCommand).map((c) => c.args[0].input.ResourceArns!.length)).toEqual([20, 5]);
  });
});

describe('handler', () => {
  const properties = { ClusterName: 'eks-lb-lab', VpcId: VPC, TimeoutSeconds: '600' };

  test.each(['Create', 'Update'])('%s does nothing and names the cluster and VPC', async (RequestType) => {
    await expect(handler({ RequestType, ResourceProperties: properties }))
      .resolves.toEqual({ PhysicalResourceId: 'elbv2.k8s.aws/cluster=eks-lb-lab@vpc-0lab' });
    expect(elbv2.calls()).toHaveLength(0);
    expect(ec2.calls()).toHaveLength(0);
  });

  test('Delete cleans the VPC and keeps the physical id', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await expect(handler({ RequestType: 'Delete', PhysicalResourceId: 'p', ResourceProperties: properties },
      { getRemainingTimeInMillis: () => 900_000 })).resolves.toEqual({ PhysicalResourceId: 'p', Data: { Deleted: 0 } });
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(1);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('nothing tagged elbv2.k8s.aws/cluster=eks-lb-lab left in vpc-0lab'));
    log.mockRestore();
  });
});
