import * as fs from 'fs';
import * as path from 'path';
import {
  CloudFormationClient, DescribeStacksCommand, DescribeStacksCommandOutput, StackStatus,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { StackOutputsError, describeStack, readLabStacks, readLabSubnets, stackRegion } from '../../../../lib/experiment/probe/stack-outputs';
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

const STACKS = ['IpModeLab', 'InstanceModeLab', 'NlbIpModeLab', 'NlbInstanceModeLab', 'TgbLab'];

/** A `LabPaths` record as a lab stack writes it. */
const record = (path: string, url: string, extra: Record<string, unknown> = {}) => ({
  path, url, settings: { replicas: 2, ...extra }, namespace: 'ns', replicas: 2, listener: { protocol: 'HTTP', port: 80 },
  targetGroup: { port: 8080, healthCheck: { protocol: 'HTTP', path: '/', port: 8080 } },
});

test('each stack\'s LabPaths output gives its paths; a bare host name gets http://', async () => {
  cfn.on(DescribeStacksCommand).callsFake((input) => Promise.reject(missing(input.StackName)));
  cfn.on(DescribeStacksCommand, { StackName: 'IpModeLab' }).resolves(stack({ Url: 'x', LabPaths: JSON.stringify([record('ip', 'lb-1.example')]) }));
  cfn.on(DescribeStacksCommand, { StackName: 'TgbLab' }).resolves(stack({
    LabPaths: JSON.stringify([record('tgb-ip', 'http://alb.example/ip'), record('tgb-instance-local', 'alb.example/instance', { externalTrafficPolicy: 'Local' })]),
  }));
  const found = await readLabStacks(new CloudFormationClient({ region: 'us-east-1' }), STACKS, 'us-east-1', true);
  expect(found.map((p) => [p.stackName, p.path, p.url, p.settings.externalTrafficPolicy])).toEqual([
    ['IpModeLab', 'ip', 'http://lb-1.example', undefined],
    ['TgbLab', 'tgb-ip', 'http://alb.example/ip', undefined],
    ['TgbLab', 'tgb-instance-local', 'http://alb.example/instance', 'Local'],
  ]);
  expect(found[0]).toMatchObject({ namespace: 'ns', replicas: 2, targetGroup: { port: 8080 } });
  expect(cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input.StackName)).toEqual(STACKS);
});

test('a stack without LabPaths, or with one that is not a list of paths, is one line', async () => {
  cfn.on(DescribeStacksCommand, { StackName: 'Old' }).resolves(stack({ Url: 'http://x/', TargetType: 'ip' }));
  cfn.on(DescribeStacksCommand, { StackName: 'Broken' }).resolves(stack({ LabPaths: '{"path":"ip"}' }));
  const client = new CloudFormationClient({ region: 'us-east-1' });
  await expect(readLabStacks(client, ['Old'], 'us-east-1')).rejects.toThrow(/^stack Old \(UPDATE_COMPLETE\) has no LabPaths output; /);
  await expect(readLabStacks(client, ['Broken'], 'us-east-1')).rejects.toThrow("stack Broken's LabPaths output is not a list of deployed paths; redeploy it.");
});

test('missing stacks are skipped only when asked', async () => {
  cfn.on(DescribeStacksCommand).callsFake((input) => Promise.reject(missing(input.StackName)));
  cfn.on(DescribeStacksCommand, { StackName: 'InstanceModeLab' }).resolves(stack({ LabPaths: JSON.stringify([record('instance-local', 'http://x/')]) }));
  const client = new CloudFormationClient({ region: 'eu-west-1' });
  expect((await readLabStacks(client, STACKS, 'eu-west-1', true)).map((s) => [s.stackName, s.path])).toEqual([['InstanceModeLab', 'instance-local']]);
  await expect(readLabStacks(client, STACKS, 'eu-west-1')).rejects.toThrow(/^stack IpModeLab does not exist in eu-west-1;/);
  await expect(readLabStacks(client, ['NlbIpModeLab'], 'eu-west-1', true)).rejects.toThrow(/^none of NlbIpModeLab exists in eu-west-1;/);
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

describe('the cluster stack\'s LabSubnets', () => {
  const client = () => new CloudFormationClient({ region: 'us-east-1' });
  const subnets = [{ subnetId: 'subnet-1', zone: 'us-east-1a', cidr: '10.0.0.0/18', kind: 'public' }, { zone: 'us-east-1b', cidr: '10.0.64.0/18' }];

  test('read as they were recorded; a stack without them, or no stack, gives none', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'LabCluster' }).resolves(stack({ LabSubnets: JSON.stringify(subnets) }));
    expect(await readLabSubnets(client(), 'LabCluster', 'us-east-1')).toEqual(subnets);
    cfn.on(DescribeStacksCommand, { StackName: 'LabCluster' }).resolves(stack({ VpcId: 'vpc-1' }));
    expect(await readLabSubnets(client(), 'LabCluster', 'us-east-1')).toEqual([]);
    cfn.on(DescribeStacksCommand, { StackName: 'LabCluster' }).rejects(missing('LabCluster'));
    expect(await readLabSubnets(client(), 'LabCluster', 'us-east-1')).toEqual([]);
  });

  test.each(['not json', '[{"zone": "us-east-1a"}]', '[{"zone": "us-east-1a", "cidr": "10.0.0.1/16"}]', '{}'])('%s is refused in one line', async (text) => {
    cfn.on(DescribeStacksCommand, { StackName: 'LabCluster' }).resolves(stack({ LabSubnets: text }));
    const read = readLabSubnets(client(), 'LabCluster', 'us-east-1');
    await expect(read).rejects.toThrow(StackOutputsError);
    await expect(read).rejects.toThrow("stack LabCluster's LabSubnets output is not a list of subnets with zone and cidr; redeploy it.");
  });
});
