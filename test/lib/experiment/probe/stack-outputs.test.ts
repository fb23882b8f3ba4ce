import * as fs from 'fs';
import * as path from 'path';
import {
  CloudFormationClient, DescribeStacksCommand, DescribeStacksCommandOutput, StackStatus,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { LAB_STACKS, StackOutputsError, describeStack, readLabStacks, stackRegion } from '../../../../lib/experiment/probe/stack-outputs';
import { tempDir } from '../../../temp';

const cfn = mockClient(CloudFormationClient);
beforeEach(() => cfn.reset());

const stack = (outputs: Record<string, string>): DescribeStacksCommandOutput => ({
  $metadata: {},
  Stacks: [{
    StackName: 'S', StackStatus: StackStatus.UPDATE_COMPLETE, CreationTime: new Date(0),
    Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
  }],
});
const missing = (name: string) => Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });

test('outputs become targets; a bare host name gets http://; an unknown policy is dropped', async () => {
  cfn.on(DescribeStacksCommand).callsFake((input) => Promise.reject(missing(input.StackName)));
  cfn.on(DescribeStacksCommand, { StackName: 'IpModeLab' }).resolves(stack({ Url: 'lb-1.example', TargetType: 'ip', Namespace: 'ip-mode' }));
  cfn.on(DescribeStacksCommand, { StackName: 'InstanceModeLab' })
    .resolves(stack({ Url: 'http://lb-2.example/', TargetType: 'instance', ExternalTrafficPolicy: 'Sideways' }));
  const found = await readLabStacks(new CloudFormationClient({ region: 'us-east-1' }), ['IpModeLab', 'InstanceModeLab'], 'us-east-1');
  expect(found).toEqual([
    { stackName: 'IpModeLab', lab: 'alb', url: 'http://lb-1.example', namespace: 'ip-mode', targetType: 'ip', externalTrafficPolicy: undefined },
    { stackName: 'InstanceModeLab', lab: 'alb', url: 'http://lb-2.example/', namespace: undefined, targetType: 'instance', externalTrafficPolicy: undefined },
  ]);
});

test('the NLB labs with preservation, proxy protocol and traffic policy; TgbLab gives two paths', async () => {
  cfn.on(DescribeStacksCommand).callsFake((input) => Promise.reject(missing(input.StackName)));
  cfn.on(DescribeStacksCommand, { StackName: 'NlbIpModeLab' }).resolves(stack({
    Url: 'http://nlb-1.example/', Hostname: 'nlb-1.example', TargetType: 'ip', Namespace: 'nlb-ip-mode',
    PreserveClientIp: 'true', ProxyProtocol: 'false',
  }));
  cfn.on(DescribeStacksCommand, { StackName: 'NlbInstanceModeLab' }).resolves(stack({
    Url: 'http://nlb-2.example/', TargetType: 'instance', PreserveClientIp: 'true', ExternalTrafficPolicy: 'Local',
  }));
  cfn.on(DescribeStacksCommand, { StackName: 'TgbLab' }).resolves(stack({
    IpUrl: 'http://alb.example/ip', InstanceUrl: 'alb.example/instance', Namespace: 'tgb', ExternalTrafficPolicy: 'Cluster',
    IpTargetGroupArn: 'tg-ip', InstanceTargetGroupArn: 'tg-instance',
  }));
  const found = await readLabStacks(new CloudFormationClient({ region: 'us-east-1' }), LAB_STACKS, 'us-east-1', true);
  expect(found).toEqual([
    { stackName: 'NlbIpModeLab', lab: 'nlb', url: 'http://nlb-1.example/', namespace: 'nlb-ip-mode', targetType: 'ip', preserveClientIp: true, proxyProtocol: false },
    { stackName: 'NlbInstanceModeLab', lab: 'nlb', url: 'http://nlb-2.example/', targetType: 'instance', externalTrafficPolicy: 'Local', preserveClientIp: true },
    { stackName: 'TgbLab', lab: 'tgb', url: 'http://alb.example/ip', namespace: 'tgb', targetType: 'ip' },
    { stackName: 'TgbLab', lab: 'tgb', url: 'http://alb.example/instance', namespace: 'tgb', targetType: 'instance', externalTrafficPolicy: 'Cluster' },
  ]);
  expect(cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input.StackName))
    .toEqual(['IpModeLab', 'InstanceModeLab', 'NlbIpModeLab', 'NlbInstanceModeLab', 'TgbLab']);
});

test('missing stacks are skipped only when asked', async () => {
  cfn.on(DescribeStacksCommand).callsFake((input) => Promise.reject(missing(input.StackName)));
  cfn.on(DescribeStacksCommand, { StackName: 'IpModeLab' }).rejects(missing('IpModeLab'));
  cfn.on(DescribeStacksCommand, { StackName: 'InstanceModeLab' }).resolves(stack({ Url: 'http://x/', TargetType: 'instance', ExternalTrafficPolicy: 'Local' }));
  const client = new CloudFormationClient({ region: 'eu-west-1' });
  expect((await readLabStacks(client, LAB_STACKS, 'eu-west-1', true)).map((s) => [s.stackName, s.externalTrafficPolicy]))
    .toEqual([['InstanceModeLab', 'Local']]);
  await expect(readLabStacks(client, LAB_STACKS, 'eu-west-1')).rejects.toThrow(/^stack IpModeLab does not exist in eu-west-1;/);
});

test('other CloudFormation errors are reported as such', async () => {
  cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudformation:DescribeStacks'), { name: 'AccessDenied' }));
  const run = readLabStacks(new CloudFormationClient({ region: 'us-east-1' }), ['IpModeLab'], 'us-east-1');
  await expect(run).rejects.toThrow(StackOutputsError);
  await expect(readLabStacks(new CloudFormationClient({ region: 'us-east-1' }), ['IpModeLab'], 'us-east-1'))
    .rejects.toThrow('cannot read stack IpModeLab in us-east-1: User is not authorized to perform: cloudformation:DescribeStacks');
});

test('describeStack: status and outputs by key; undefined for a stack that does not exist; other errors on one line', async () => {
  const client = new CloudFormationClient({ region: 'eu-west-1' });
  cfn.on(DescribeStacksCommand, { StackName: 'TgbLab' }).resolves(stack({ NodePort: '30081', Namespace: 'tgb' }));
  cfn.on(DescribeStacksCommand, { StackName: 'Gone' }).rejects(missing('Gone'));
  cfn.on(DescribeStacksCommand, { StackName: 'Denied' }).rejects(Object.assign(
    new Error('Could not load credentials from any providers\nsee the docs'), { name: 'CredentialsProviderError' }));
  expect(await describeStack(client, 'TgbLab', 'eu-west-1')).toEqual({ status: 'UPDATE_COMPLETE', outputs: { NodePort: '30081', Namespace: 'tgb' } });
  expect(await describeStack(client, 'Gone', 'eu-west-1')).toBeUndefined();
  await expect(describeStack(client, 'Denied', 'eu-west-1'))
    .rejects.toThrow(/^cannot read stack Denied in eu-west-1: Could not load credentials from any providers$/);
});

test('stackRegion: the flag, then AWS_REGION or AWS_DEFAULT_REGION, then cdk.json context, then us-east-1', () => {
  const dir = tempDir('stack-region-');
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ context: { region: 'eu-north-1' } }));
  expect(stackRegion('eu-west-1', { AWS_REGION: 'ap-south-1' }, dir)).toBe('eu-west-1');
  expect(stackRegion(undefined, { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'sa-east-1' }, dir)).toBe('ap-south-1');
  expect(stackRegion(undefined, { AWS_DEFAULT_REGION: 'sa-east-1' }, dir)).toBe('sa-east-1');
  expect(stackRegion(undefined, {}, dir)).toBe('eu-north-1');
  fs.rmSync(path.join(dir, 'cdk.json'));
  expect(stackRegion(undefined, {}, dir)).toBe('us-east-1');
});
