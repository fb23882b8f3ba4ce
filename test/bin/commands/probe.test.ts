import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { AddressInfo } from 'net';
import {
  CloudFormationClient, DescribeStacksCommand, DescribeStacksCommandOutput, StackStatus,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../../bin/cli';
import { CliIo } from '../../../bin/cli-io';
import { EchoResponse, renderEchoResponse } from '../../../lib/experiment';
import { tempDir } from '../../temp';
import { PathSettings, deployedPathRecord, labPath } from '../../../lab-stacks/catalogue';
import { Template } from 'aws-cdk-lib/assertions';
import { createLab } from '../../../lab-stacks/lab-app';
import { LAB_DEFAULTS, readLabSettings } from '../../../lab-stacks/settings';
import { flatten, newApp } from '../../fixtures';
import { SimulatedCluster, SimulatedPath, simulatedCluster } from '../../disruption-cluster';
import { EchoStandIn, startEchoStandIn } from '../../echo-stand-in';
import { KubernetesStandIn, startKubernetesStandIn } from '../../kubernetes-stand-in';

const cfn = mockClient(CloudFormationClient);
const CALLER = '198.51.100.23';
const NODES = ['ip-10-0-130-77.ec2.internal', 'ip-10-0-160-23.ec2.internal'];
const NODE_IPS = ['10.0.130.77', '10.0.160.23'];

/** The echo response a pod on node `n % 2` gives when the pod's TCP peer is `peer(n)`. */
function response(n: number, peer: string, forwarded = true): string {
  const node = NODES[n % 2];
  const r: EchoResponse = {
    hostname: `echo-${n % 2}`,
    pod: { nodeName: node, podName: `echo-${n % 2}`, podNamespace: 'lab', podIp: `10.0.17${n % 2}.9` },
    serverVersion: 'nginx: 1.14.2 - lua: 10015', clientAddress: peer, method: 'GET', realPath: '/', query: '',
    requestVersion: '1.1', requestScheme: 'http', requestUri: 'http://lb:8080/',
    headers: forwarded ? [{ name: 'host', value: 'lb' }, { name: 'x-forwarded-for', value: CALLER }] : [{ name: 'host', value: 'lb' }],
  };
  return renderEchoResponse(r);
}

const servers: http.Server[] = [];
async function serve(body: (n: number) => string): Promise<string> {
  let n = 0;
  const srv = http.createServer((_req, res) => { res.end(body(n++)); });
  servers.push(srv);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}/`;
}

const ipMode = () => serve((n) => response(n, '10.0.41.208'));
// instance + Cluster: the peer is the node the request entered, either one.
const instanceCluster = () => serve((n) => response(n, NODE_IPS[Math.floor(n / 2) % 2]));
// An NLB without preservation: the peer is one of its private addresses, and nothing adds X-Forwarded-For.
const nlbIp = () => serve((n) => response(n, '10.0.4.19', false));
const nlbInstanceCluster = () => serve((n) => response(n, NODE_IPS[Math.floor(n / 2) % 2], false));
// Preservation and no SNAT: the pod's peer is the caller.
const nlbClient = (caller = CALLER) => serve((n) => response(n, caller, false));

async function run(args: string[], env: NodeJS.ProcessEnv = {}, cdkJson?: object) {
  let stdout = '';
  let stderr = '';
  const cwd = tempDir('probe-');
  if (cdkJson) fs.writeFileSync(path.join(cwd, 'cdk.json'), JSON.stringify(cdkJson));
  const io: CliIo = { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, env, cwd };
  const code = await main(['probe', '--requests', '20', ...args], io);
  return { code, stdout, stderr, cwd };
}

function stack(name: string, outputs: Record<string, string>): DescribeStacksCommandOutput {
  return {
    Stacks: [{
      StackName: name, StackStatus: StackStatus.CREATE_COMPLETE, CreationTime: new Date(0),
      Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    }],
    $metadata: {},
  };
}

function missing(name: string) {
  return Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
}

beforeEach(() => cfn.reset());
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => { s.closeAllConnections(); s.close(resolve); })));
});

/** The LabPaths output a lab stack writes for `paths`, built from the lab's settings like the stacks build it. */
const labPaths = (paths: readonly [string, string][], settings: Partial<PathSettings> = {}) =>
  JSON.stringify(paths.map(([id, url]) => deployedPathRecord(labPath(id)!, { ...LAB_DEFAULTS, ...settings }, url)));

const notDeployed = () => cfn.on(DescribeStacksCommand).callsFake((input) => Promise.reject(missing(input.StackName)));

describe('eks-lb-lab probe with lab stacks', () => {
  test('reads the paths both ALB stacks recorded, measures, agrees with the model: exit 0', async () => {
    const [ip, instance] = [await ipMode(), await instanceCluster()];
    notDeployed();
    cfn.on(DescribeStacksCommand, { StackName: 'IpModeLab' }).resolves(stack('IpModeLab', { Url: ip, LabPaths: labPaths([['ip', ip]]) }));
    cfn.on(DescribeStacksCommand, { StackName: 'InstanceModeLab' })
      .resolves(stack('InstanceModeLab', { LabPaths: labPaths([['instance', instance]]) }));
    const { code, stdout, stderr } = await run(['--region', 'eu-west-1']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^caller's address: 198\.51\.100\.23 \(inferred from X-Forwarded-For\)/);
    expect(stdout).toMatch(/^ip — ALB ip {2}http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(stdout).toMatch(/^instance — ALB instance, Cluster/m);
    expect(stdout).toMatch(/pod's TCP peer +load balancer +load balancer 20 +agrees/);
    expect(stdout).toMatch(/pod's TCP peer +node +node 20 +agrees/);
    expect(stdout).toMatch(/cross-node +possible +10\/20 +agrees/);
    expect(stdout).toContain('The measurements agree with the model.');
    expect(cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input.StackName))
      .toEqual(['IpModeLab', 'InstanceModeLab', 'NlbIpModeLab', 'NlbInstanceModeLab', 'TgbLab', 'GatewayAlbLab', 'GatewayNlbLab', 'LabCluster']);
    // A cluster stack without LabSubnets (or none at all) leaves the zone rows out.
    expect(stdout).not.toContain('pod zones');
  });

  test('with the cluster stack\'s LabSubnets: every request placed in a zone, the crossings and the cost per million', async () => {
    const [ip, instance] = [await ipMode(), await instanceCluster()];
    notDeployed();
    cfn.on(DescribeStacksCommand, { StackName: 'IpModeLab' }).resolves(stack('IpModeLab', { LabPaths: labPaths([['ip', ip]]) }));
    cfn.on(DescribeStacksCommand, { StackName: 'InstanceModeLab' })
      .resolves(stack('InstanceModeLab', { LabPaths: labPaths([['instance', instance]]) }));
    cfn.on(DescribeStacksCommand, { StackName: 'LabCluster' }).resolves(stack('LabCluster', { LabSubnets: JSON.stringify([
      { subnetId: 'subnet-1', zone: 'eu-west-1a', cidr: '10.0.0.0/18', kind: 'public' },
      { subnetId: 'subnet-2', zone: 'eu-west-1b', cidr: '10.0.64.0/18', kind: 'public' },
      { subnetId: 'subnet-3', zone: 'eu-west-1a', cidr: '10.0.128.0/19', kind: 'private' },
      { subnetId: 'subnet-4', zone: 'eu-west-1b', cidr: '10.0.160.0/19', kind: 'private' },
    ]) }));
    const { code, stdout } = await run(['--region', 'eu-west-1', '--json']);
    expect(code).toBe(0);
    const [ipMode_, instanceMode] = JSON.parse(stdout).modes;
    // ip: the ALB interface 10.0.41.208 is in eu-west-1a; the pods alternate between the zones.
    expect(ipMode_.measured.zones).toMatchObject({
      podZones: { 'eu-west-1a': 10, 'eu-west-1b': 10 }, callerZone: { observed: 20, sameZone: 10 },
      loadBalancerToTarget: { observed: 20, crossed: 10 },
    });
    expect(ipMode_.measured.zones.nodeToPod).toBeUndefined();
    // An ALB's own cross-zone traffic is not billed, and ip mode has no node hop: nothing to pay.
    expect(ipMode_.zoneCost).toMatchObject({ perMillionRequests: 0, complete: true });
    // instance + Cluster: the SNAT peer is the entry node; half the requests went on to a pod in the other zone.
    const z = instanceMode.measured.zones;
    expect(z.nodeToPod).toEqual({ observed: 20, crossed: 10 });
    expect(z.callerZone.observed).toBe(0);
    expect(z.bytes.request).toBeGreaterThan(30);
    expect(z.bytes.response).toBeGreaterThan(300);
    const gb = 0.5 * (z.bytes.request + z.bytes.response) * 1e6 / 1e9;
    expect(instanceMode.zoneCost.gbPerMillionRequests).toBeCloseTo(gb, 4);
    expect(instanceMode.zoneCost.perMillionRequests).toBeCloseTo(gb * 2 * 0.01, 4);
    expect(instanceMode.checks.find((c: { name: string }) => c.name === 'zones crossed'))
      .toMatchObject({ expected: 'may cross: load balancer → target, node → pod', measured: 'load balancer → target not observable, node → pod 10/20', agree: true });
  });

  test('--subnet and --zone-price with --url: the text report\'s zone rows', async () => {
    const instance = await instanceCluster();
    const { code, stdout } = await run(['--url', `instance=${instance}`, '--subnet', 'a=10.0.128.0/19', '--subnet', 'b=10.0.160.0/19',
      '--zone-price', '0.02']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}pod zones +a 10, b 10$/m);
    expect(stdout).toMatch(/^ {2}zone crossings +load balancer → target not observable, node → pod 10\/20$/m);
    expect(stdout).toMatch(/^ {2}inter-zone cost +\$0\.\d{4} per million requests \(0\.\d{4} GB across zones, \$0\.02\/GB each way\)$/m);
    // The summary table after the modes, one row per mode.
    expect(stdout).toMatch(/^Zones:\n {2}path +pods by zone +served in the caller's zone .*\n {2}instance \(ALB instance, Cluster\) +a 10, b 10 +not observable +not observable +10\/20 +\d+ B \/ \d+ B +\$0\.\d{4}$/m);
  });

  test.each([
    [['--subnet', '10.0.0.0/16'], "--subnet takes zone=cidr, an availability zone and an IPv4 block with zero host bits such as us-east-1a=10.0.128.0/18; got '10.0.0.0/16'."],
    [['--zone-price', '$0.01'], "--zone-price takes US dollars per GB in each direction, from 0 to 1; got '$0.01'. Use 0.01, the price in most regions."],
  ])('refuses %j in one line', async (args, message) => {
    const { code, stderr } = await run(['--url', 'ip=http://127.0.0.1:9/', ...args]);
    expect(code).toBe(2);
    expect(stderr).toBe(`eks-lb-lab probe: ${message}\n`);
  });

  test('the Gateway labs: the routes\' paths on the ALB and the NLB, each with the model of its route; exit 0', async () => {
    const [albI, albN, nlbI, nlbN] = [await ipMode(), await instanceCluster(), await nlbIp(), await nlbInstanceCluster()];
    notDeployed();
    cfn.on(DescribeStacksCommand, { StackName: 'GatewayAlbLab' }).resolves(stack('GatewayAlbLab', {
      LabPaths: labPaths([['gateway-ip', `${albI}ip`], ['gateway-instance', `${albN}instance`]]),
    }));
    cfn.on(DescribeStacksCommand, { StackName: 'GatewayNlbLab' }).resolves(stack('GatewayNlbLab', {
      LabPaths: labPaths([['gateway-nlb-ip', nlbI], ['gateway-nlb-instance', nlbN]]),
    }));
    const { code, stdout, stderr } = await run([]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.match(/^\S+ — .*$/gm)!.map((l) => l.replace(/ {2}http.*$/, ''))).toEqual([
      'gateway-ip — ALB ip, Gateway API HTTPRoute',
      'gateway-instance — ALB instance, Cluster, Gateway API HTTPRoute',
      'gateway-nlb-ip — NLB ip, preservation off, Gateway API TCPRoute',
      'gateway-nlb-instance — NLB instance, Cluster, preservation on, Gateway API TCPRoute',
    ]);
    expect(stdout).toMatch(/^gateway-instance — .* http:\/\/127\.0\.0\.1:\d+\/instance$/m);
    expect(stdout).toMatch(/X-Forwarded-For +absent +present in 0\/20 +agrees/);
    expect(stdout).toContain('The measurements agree with the model.');
    // The ALB stand-ins answer with X-Forwarded-For, the NLB ones without: swapped, the model disagrees.
    cfn.reset();
    notDeployed();
    cfn.on(DescribeStacksCommand, { StackName: 'GatewayNlbLab' }).resolves(stack('GatewayNlbLab', {
      LabPaths: labPaths([['gateway-nlb-ip', albI]]),
    }));
    expect((await run([])).code).toBe(1);
  });

  test('the NLB labs and both TgbLab paths, each with its lab\'s model: no X-Forwarded-For behind an NLB; exit 0', async () => {
    const [nlbI, nlbN, tgbI, tgbN] = [await nlbIp(), await nlbInstanceCluster(), await ipMode(), await instanceCluster()];
    notDeployed();
    cfn.on(DescribeStacksCommand, { StackName: 'NlbIpModeLab' }).resolves(stack('NlbIpModeLab', { LabPaths: labPaths([['nlb-ip', nlbI]]) }));
    cfn.on(DescribeStacksCommand, { StackName: 'NlbInstanceModeLab' })
      .resolves(stack('NlbInstanceModeLab', { LabPaths: labPaths([['nlb-instance', nlbN]]) }));
    cfn.on(DescribeStacksCommand, { StackName: 'TgbLab' }).resolves(stack('TgbLab', {
      LabPaths: labPaths([['tgb-ip', `${tgbI}ip`], ['tgb-instance', `${tgbN}instance`]]),
    }));
    const { code, stdout, stderr } = await run([]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.match(/^\S+ — .*$/gm)!.map((l) => l.replace(/ {2}http.*$/, ''))).toEqual([
      'nlb-ip — NLB ip, preservation off',
      'nlb-instance — NLB instance, Cluster, preservation on',
      'tgb-ip — ALB ip, TargetGroupBinding',
      'tgb-instance — ALB instance, Cluster, TargetGroupBinding',
    ]);
    expect(stdout).toMatch(/^tgb-ip — .* http:\/\/127\.0\.0\.1:\d+\/ip$/m);
    expect(stdout).toMatch(/X-Forwarded-For +absent +present in 0\/20 +agrees/);
    expect(stdout).toMatch(/client's address +nowhere +client as TCP source 0, X-Forwarded-For 0 +agrees/);
    expect(stdout).toMatch(/pod's TCP peer +node +node 20 +agrees[\s\S]*pod's TCP peer +load balancer +load balancer 20 +agrees/);
    expect(stdout).toContain('The measurements agree with the model.');
  });

  test('NlbIpModeLab recording preservation on: the pod\'s peer must be the caller; an NLB address differs, exit 1', async () => {
    const nlb = await nlbIp();
    notDeployed();
    cfn.on(DescribeStacksCommand, { StackName: 'NlbIpModeLab' })
      .resolves(stack('NlbIpModeLab', { LabPaths: labPaths([['nlb-ip-preserve', nlb]], { nlbPreserveClientIp: true }) }));
    const { code, stdout } = await run(['--client-ip', CALLER]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^nlb-ip-preserve — NLB ip, preservation on/m);
    expect(stdout).toMatch(/pod's TCP peer +client +load balancer 20 +DIFFERS/);
    expect(stdout).toMatch(/client's address +as the TCP source \(198\.51\.100\.23\) +TCP source is that address in 0\/20 +DIFFERS/);
  });

  test('a stack recording Local makes the model expect the ALB as peer: node peers then differ, exit 1', async () => {
    const instance = await instanceCluster();
    notDeployed();
    cfn.on(DescribeStacksCommand, { StackName: 'InstanceModeLab' })
      .resolves(stack('InstanceModeLab', { LabPaths: labPaths([['instance-local', instance]], { externalTrafficPolicy: 'Local' }) }));
    const { code, stdout } = await run([]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/instance-local — ALB instance, Local/);
    expect(stdout).toMatch(/pod's TCP peer +load balancer +node 20 +DIFFERS/);
    expect(stdout).toMatch(/cross-node +never +10\/20 +DIFFERS/);
    expect(stdout).not.toMatch(/^ip —/m);
  });

  test('a named stack that does not exist: one line, exit 2', async () => {
    cfn.on(DescribeStacksCommand).rejects(missing('IpModeLab'));
    const { code, stdout, stderr } = await run(['--stack', 'IpModeLab'], { AWS_REGION: 'ap-south-1' });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('eks-lb-lab probe: stack IpModeLab does not exist in ap-south-1; deploy it (npx cdk deploy IpModeLab), pass --region, or give the URL with --url mode=URL.\n');
  });

  test('the region: --region, then AWS_REGION, then cdk.json context, then us-east-1', async () => {
    cfn.on(DescribeStacksCommand).rejects(missing('IpModeLab'));
    const region = async (args: string[], env: NodeJS.ProcessEnv, cdkJson?: object) =>
      /does not exist in ([a-z0-9-]+);/.exec((await run(['--stack', 'IpModeLab', ...args], env, cdkJson)).stderr)?.[1];
    const context = { context: { region: 'eu-north-1' } };
    expect(await region(['--region', 'eu-west-1'], { AWS_REGION: 'ap-south-1' }, context)).toBe('eu-west-1');
    expect(await region([], { AWS_REGION: 'ap-south-1' }, context)).toBe('ap-south-1');
    expect(await region([], {}, context)).toBe('eu-north-1');
    expect(await region([], {})).toBe('us-east-1');
  });

  test('no lab stack deployed: one line, exit 2', async () => {
    notDeployed();
    const { code, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^eks-lb-lab probe: none of IpModeLab, InstanceModeLab, NlbIpModeLab, NlbInstanceModeLab, TgbLab, GatewayAlbLab, GatewayNlbLab exists in us-east-1; deploy them/);
    expect(stderr.split('\n')).toHaveLength(2);
  });

  test('a recorded combination the NLB chart rejects (proxy protocol with instance + Local): one line, exit 2', async () => {
    notDeployed();
    const record = JSON.parse(labPaths([['nlb-instance-local', 'http://127.0.0.1:9/']], { externalTrafficPolicy: 'Local' }));
    record[0].settings.nlbProxyProtocol = true;
    cfn.on(DescribeStacksCommand, { StackName: 'NlbInstanceModeLab' }).resolves(stack('NlbInstanceModeLab', { LabPaths: JSON.stringify(record) }));
    const { code, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^eks-lb-lab probe: nlb-instance-local: Chart: 'proxyProtocolV2' cannot be combined with 'instance' targets and externalTrafficPolicy 'Local'/);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  test('a stack without lab outputs', async () => {
    cfn.on(DescribeStacksCommand).resolves(stack('LabCluster', { ClusterName: 'x' }));
    const { code, stderr } = await run(['--stack', 'LabCluster']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/stack LabCluster \(CREATE_COMPLETE\) has no LabPaths output/);
  });

  test('a recorded path this version does not know, or one it would build otherwise: one line, exit 2', async () => {
    const unknown = JSON.parse(labPaths([['ip', 'http://127.0.0.1:9/']]));
    unknown[0].path = 'grpc-ip';
    const drifted = JSON.parse(labPaths([['instance', 'http://127.0.0.1:9/']]));
    drifted[0].targetGroup.port = 30999;
    cfn.on(DescribeStacksCommand, { StackName: 'IpModeLab' }).resolves(stack('IpModeLab', { LabPaths: JSON.stringify(unknown) }));
    cfn.on(DescribeStacksCommand, { StackName: 'InstanceModeLab' }).resolves(stack('InstanceModeLab', { LabPaths: JSON.stringify(drifted) }));
    expect((await run(['--stack', 'IpModeLab'])).stderr).toMatch(/^eks-lb-lab probe: stack IpModeLab recorded a path 'grpc-ip' this version of eks-lb-lab does not know \(it knows ip, instance, /);
    const r = await run(['--stack', 'InstanceModeLab']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^eks-lb-lab probe: stack InstanceModeLab recorded instance as .*"port":30999.*, but this version of eks-lb-lab builds .*"port":30080.* from its settings; probe with the version that deployed it, or redeploy\.\n$/);
  });
});

describe('eks-lb-lab probe --markdown', () => {
  test('a folder that does not exist is refused in one line before any probing', async () => {
    const { code, stdout, stderr, cwd } = await run(['--url', 'ip=http://127.0.0.1:9/', '--markdown', 'out/report.md']);
    expect([code, stdout, stderr]).toEqual([2, '',
      `eks-lb-lab probe: cannot write out/report.md: the folder ${path.join(cwd, 'out')} does not exist; create it or write elsewhere.\n`]);
  });
});

describe('eks-lb-lab probe with --url', () => {
  test('ip and instance URLs, JSON on stdout and a markdown report with a mermaid diagram per path', async () => {
    const [ip, instance] = [await ipMode(), await instanceCluster()];
    const { code, stdout, cwd } = await run(['--url', `ip=${ip}`, '--url', `instance=${instance}`, '--client-ip', CALLER,
      '--json', '--markdown', 'report.md', '--concurrency', '3']);
    expect(code).toBe(0);
    expect(cfn.calls()).toHaveLength(0);
    const report = JSON.parse(stdout);
    expect(report.clientIp).toEqual({ address: CALLER, source: 'given' });
    expect(report.modes.map((m: any) => [m.mode, m.measured.answered, m.agree])).toEqual([['ip', 20, true], ['instance', 20, true]]);
    const md = fs.readFileSync(path.join(cwd, 'report.md'), 'utf8');
    expect(md.match(/```mermaid\nflowchart LR\n/g)).toHaveLength(2);
    expect(md).toContain('lb -->|"pod saw: load balancer 20"| pod["pods: ');
    expect(md).toMatch(/lb --> node\["node:30080, kube-proxy DNAT \+ SNAT"\]/);
    expect(md).toContain('The measurements agree with the model.');
  });

  test('NLB modes: the caller as the pod\'s peer with preservation or Local, an NLB address without; no X-Forwarded-For', async () => {
    const [preserve, local, off] = [await nlbClient(), await nlbClient(), await nlbIp()];
    const { code, stdout } = await run(['--url', `nlb-ip-preserve=${preserve}`, '--url', `nlb-instance-local=${local}`,
      '--url', `nlb-ip=${off}`, '--client-ip', CALLER, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.modes.map((m: any) => [m.mode, m.expected.podPeer, m.expected.clientIp, m.measured.peerIsClient, m.agree])).toEqual([
      ['nlb-ip-preserve', 'client', 'tcp-source', 20, true],
      ['nlb-instance-local', 'client', 'tcp-source', 20, true],
      ['nlb-ip', 'load-balancer', 'none', 0, true],
    ]);
  });

  test('the Local URL modes expect Local; a public peer that is not the caller differs', async () => {
    const [tgb, nlb] = [await instanceCluster(), await nlbClient('192.0.2.77')];
    const { code, stdout } = await run(['--url', `tgb-instance-local=${tgb}`, '--url', `nlb-instance-local=${nlb}`, '--client-ip', CALLER]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^tgb-instance-local — ALB instance, Local, TargetGroupBinding/m);
    expect(stdout).toMatch(/^nlb-instance-local — NLB instance, Local, preservation on/m);
    expect(stdout).toMatch(/client's address +as the TCP source \(198\.51\.100\.23\) +TCP source is that address in 0\/20 +DIFFERS/);
  });

  test('a caller address that X-Forwarded-For does not end with differs', async () => {
    const ip = await ipMode();
    const { code, stdout } = await run(['--url', `ip=${ip}`, '--client-ip', '192.0.2.1']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/client's address +in X-Forwarded-For \(last entry 192\.0\.2\.1\) +last entry in 0\/20 +DIFFERS/);
  });

  test('an unreachable URL: one line, exit 2', async () => {
    const srv = http.createServer();
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const port = (srv.address() as AddressInfo).port;
    await new Promise((resolve) => srv.close(resolve));
    const { code, stderr } = await run(['--url', `ip=http://127.0.0.1:${port}/`]);
    expect(code).toBe(2);
    expect(stderr).toBe(`eks-lb-lab probe: ip: http://127.0.0.1:${port}/ is unreachable (ECONNREFUSED).\n`);
  });

  test('a server that is not the echo server: one line, exit 2', async () => {
    const url = await serve(() => '<html><body>default backend - 404</body></html>');
    const { code, stderr } = await run(['--url', `instance=${url}`]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^eks-lb-lab probe: instance: http:\/\/127\.0\.0\.1:\d+\/ did not answer like the echo server \(not an echoserver response: its first line is '<html><body>default backend - 404<\/body><\/html>', not 'Hostname: \.\.\.'\)\.\n$/);
  });

  test.each([
    [['--url', 'nlb=http://x/'], /--url takes mode=URL with mode one of ip, instance, instance-local, nlb-ip, nlb-ip-preserve, nlb-instance, nlb-instance-local, tgb-ip, tgb-instance, tgb-instance-local, gateway-ip, gateway-instance, gateway-instance-local, gateway-nlb-ip, gateway-nlb-instance, gateway-nlb-instance-local; got 'nlb=http:\/\/x\/'/],
    [['--url', 'ip=x.example.com'], /--url ip= needs an http:\/\/ or https:\/\/ URL; got 'x.example.com'/],
    [['--url', 'ip=http://[::1'], /--url ip= needs a URL a client can open \(host, and a port from 1 to 65535\); got 'http:\/\/\[::1'\./],
    [['--url', 'ip=http://127.0.0.1:99999/'], /--url ip= needs a URL a client can open .*got 'http:\/\/127\.0\.0\.1:99999\/'\./],
    [['--requests', '0', '--url', 'ip=http://x/'], /--requests must be a whole number of at least 1; got '0'/],
    [['--client-ip', 'me'], /--client-ip takes an IPv4 address such as 203\.0\.113\.7; got 'me'/],
    [['--node-cidr', '10.0.0.1/16'], /--node-cidr takes an IPv4 or IPv6 CIDR block with zero host bits/],
    [['--node-address', '10.0.0.1'], /--node-address takes name=address; got '10\.0\.0\.1'/],
    [['--bogus'], /^eks-lb-lab probe: Unknown option '--bogus'\. Run `eks-lb-lab probe --help`\.$/m],
    [['--requests', '5000000', '--url', 'ip=http://x/'], /--requests must be at most 1,000,000; got '5000000'\./],
    [['--concurrency', '100000', '--url', 'ip=http://x/'], /--concurrency must be at most 1,000; got '100000'\./],
    [['--url', 'ip=http://x/', '--url', 'ip=http://y/'], /--url ip= is given twice; each mode takes one URL, got 'ip=http:\/\/y\/' again\./],
    [['--url', 'ip=http://x/', '--stack', 'IpModeLab'], /--url sends to the URLs given and reads no stack, so --stack would be ignored; give one or the other\./],
    [['--url', 'ip=http://x/', '--region', 'eu-west-1'], /so --region would be ignored/],
    [['--region', 'mars'], /--region must be an AWS region such as eu-west-1; got 'mars'\. Pass --region with the lab stacks' region\./],
  ])('usage error %j: one line, exit 2', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  test('a region from AWS_REGION that is no region is named with where it came from', async () => {
    const { code, stderr } = await run([], { AWS_REGION: 'mars' });
    expect([code, stderr]).toEqual([2, "eks-lb-lab probe: AWS_REGION must be an AWS region such as eu-west-1; got 'mars'. Pass --region with the lab stacks' region.\n"]);
  });

  test('--help prints the options and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: eks-lb-lab probe \[options\]/);
    expect(stdout).toContain('--markdown <file>');
  });
});

describe('eks-lb-lab probe on a lab deployed with settings', () => {
  test('nodePort=31000, replicas=3, externalTrafficPolicy=Local: the stacks\' outputs carry them into the model and the report', async () => {
    notDeployed();
    const app = newApp({ nodePort: '31000', replicas: '3', externalTrafficPolicy: 'Local' });
    const lab = createLab(app, readLabSettings(app.node, {}));
    // Local keeps the ALB as the pod's peer: the path model says so, and the stand-in answers so.
    const url = await serve((n) => response(n, '10.0.41.208'));
    const outputs = Template.fromStack(lab.instanceMode!).findOutputs('LabPaths');
    const records = JSON.parse(flatten(outputs.LabPaths.Value)).map((r: { url: string }) => ({ ...r, url }));
    cfn.on(DescribeStacksCommand, { StackName: 'InstanceModeLab' }).resolves(stack('InstanceModeLab', { LabPaths: JSON.stringify(records) }));
    const { code, stdout, cwd } = await run(['--stack', 'InstanceModeLab', '--json', '--markdown', 'report.md']);
    expect(code).toBe(0);
    const [mode] = JSON.parse(stdout).modes;
    expect(mode.mode).toBe('instance-local');
    expect(mode.expected).toMatchObject({
      externalTrafficPolicy: 'Local', podPeer: 'load-balancer',
      targetGroup: { port: 31000, healthyTargets: 'nodes-with-local-endpoints' },
      workload: { namespace: 'instance-mode', replicas: 3, nodePort: 31000 },
    });
    const md = fs.readFileSync(path.join(cwd, 'report.md'), 'utf8');
    expect(md).toContain('node:31000');
    expect(md).not.toContain('30080');
  });
});

describe('eks-lb-lab probe --rollout, --drain, --load-only', () => {
  let echoes: EchoStandIn[] = [];
  let standIn: KubernetesStandIn | undefined;
  let cluster: SimulatedCluster | undefined;
  // Each run holds a window of at least a second, and the first loads the Kubernetes client.
  const SLOW = 20_000;
  afterEach(async () => {
    await cluster?.settle();
    await Promise.all([...echoes.map((e) => e.stop()), standIn?.close()]);
    [echoes, standIn, cluster] = [[], undefined, undefined];
  });

  /** Echo servers for `paths` behind a simulated cluster; its kubeconfig. */
  async function lab(paths: readonly Omit<SimulatedPath, 'echo'>[]) {
    echoes = await Promise.all(paths.map((p) => startEchoStandIn(`${p.name}-old`)));
    cluster = simulatedCluster(paths.map((p, i) => ({ ...p, echo: echoes[i] })), { switchAfterMs: 40, gapMs: 150 });
    standIn = await startKubernetesStandIn({}, cluster.handler);
    return standIn.kubeconfig;
  }

  async function probe(args: string[]) {
    let stdout = '';
    let stderr = '';
    const cwd = tempDir('probe-');
    const io: CliIo = { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, env: {}, cwd };
    const code = await main(['probe', '--rate', '100', '--window', '1', '--no-progress', ...args], io);
    return { code, stdout, stderr, cwd };
  }

  test('--url ip with the graceful model, pods that exit at once: failed requests contradict it, exit 1', async () => {
    const kubeconfig = await lab([{ namespace: 'ip-mode', name: 'echo', replace: 'gap' }]);
    const { code, stdout, stderr } = await probe(['--url', `ip=${echoes[0].url}`, '--rollout', '--kubeconfig', kubeconfig]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(stdout).toMatch(/^path +variant +event +requests +ok +502 +503 +504 +HTTP other +reset +refused +timeout +model$/m);
    expect(stdout).toMatch(/^ip +graceful +rollout +\d+ +\d+ +0 +0 +0 +0 +\d+ +[1-9]\d* +0 +none +CONTRADICTS$/m);
    expect(stdout).toMatch(/^ {2}rollout restart of deployment ip-mode\/echo: rolled out \d+\.\d s after the restart$/m);
    expect(stdout).toMatch(/^ {2}timeline {2}\|[.xX-]+\|$/m);
    expect(stdout).toMatch(/^ {2}pods {6}before: echo-\d+\n {12}after: {2}echo-\d+$/m);
    expect(stdout).toContain('  model     no request may fail:\n            - preStop delay 15 s');
    expect(stdout).toContain('The measurements contradict the model');
    expect(cluster!.writes.map((w) => `${w.method} ${w.path}`)).toEqual(['PATCH /apis/apps/v1/namespaces/ip-mode/deployments/echo']);
    expect(cfn.calls()).toHaveLength(0);
  }, SLOW);

  test('stacks: ip deployed naive, a rollout then a drain; failures where the model says they may come: exit 0, JSON and markdown', async () => {
    const kubeconfig = await lab([{ namespace: 'ip-mode', name: 'echo', replace: 'gap' }]);
    notDeployed();
    cfn.on(DescribeStacksCommand, { StackName: 'IpModeLab' })
      .resolves(stack('IpModeLab', { LabPaths: labPaths([['ip', echoes[0].url]], { shutdown: 'naive' }) }));
    const { code, stdout, stderr, cwd } = await probe(['--rollout', '--drain', '--kubeconfig', kubeconfig, '--json', '--markdown', 'report.md']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.agree).toBe(true);
    expect(report.summaries.map((s: any) => [s.path, s.variant, s.event, s.expectation.errors, s.agrees])).toEqual([
      ['ip', 'naive', 'rollout', 'some', true], ['ip', 'naive', 'drain', 'some', true]]);
    for (const s of report.summaries) expect(s.failures.refused + s.failures.reset).toBeGreaterThan(0);
    expect(report.summaries[1].notes).toEqual([expect.stringMatching(/^drained node ip-10-0-130-77\.ec2\.internal: 1 pod evicted, .* the node uncordoned$/)]);
    expect(cluster!.cordoned['ip-10-0-130-77.ec2.internal']).toBe(false);
    const md = fs.readFileSync(path.join(cwd, 'report.md'), 'utf8');
    expect(md).toMatch(/^\| ip \| naive \| rollout \| \d+ \| \d+ \| 0 \| 0 \| 0 \| 0 \| \d+ \| \d+ \| 0 \| some \| agrees \|$/m);
    expect(md).toContain('## ip (naive, drain)');
    expect(md).toMatch(/\| second \| answered \| failed \|/);
    expect(md).toContain('The measurements agree with the model.');
  }, SLOW);

  test('--load-only: the load alone, no cluster needed; a clean window agrees with the graceful model', async () => {
    const echo = await startEchoStandIn('echo-steady');
    echoes = [echo];
    const { code, stdout } = await probe(['--url', `ip=${echo.url}`, '--load-only']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ip +graceful +load-only +100 +100 +(0 +){7}none +agrees$/m);
    expect(stdout).toContain('  pods      before: echo-steady\n            after:  echo-steady\n');
  }, SLOW);

  test.each([
    [['--load-only', '--rollout'], /--load-only runs the load without a disruption; got it with --rollout\. Use one or the other\./],
    [['--rollout', '--requests', '20'], /--requests applies to the probe without --rollout; the load is --rate requests a second for --window seconds\./],
    [['--drain', '--node-cidr', '10.0.0.0/16'], /--node-cidr applies to the probe without --drain; the disruption report does not classify TCP peers\./],
    [['--load-only', '--rate', '0'], /--rate must be a whole number of at least 1; got '0'\./],
    [['--load-only', '--rate', '1001'], /--rate must be at most 1,000; got '1001'\./],
    [['--load-only', '--window', '3601'], /--window must be at most 3,600; got '3601'\./],
    [['--load-only', '--window', '2s'], /--window must be a whole number of at least 1; got '2s'\./],
    [['--load-only', '--rate', '1000', '--window', '3600'], /--rate × --window must be at most 1,000,000 requests a path; got 1000 × 3600\. Lower the rate or shorten the window\./],
    [['--load-only', '--kubeconfig', 'k'], /--kubeconfig applies to --rollout and --drain; --load-only does not talk to the cluster\./],
    [['--rollout', '--kubeconfig', 'missing-config'], /no kubeconfig: --kubeconfig missing-config does not exist\./],
    [['--window', '5'], /--window applies to --rollout, --drain or --load-only; add one, or leave --window out\./],
  ])('usage error %j: one line, exit 2, nothing sent', async (args, message) => {
    let stderr = '';
    const io: CliIo = { stdout: () => undefined, stderr: (t) => { stderr += t; }, env: {}, cwd: tempDir('probe-') };
    const code = await main(['probe', '--url', 'ip=http://127.0.0.1:9/', ...args], io);
    expect([code, stderr.trimEnd().split('\n').length]).toEqual([2, 1]);
    expect(stderr).toMatch(message);
    expect(cfn.calls()).toHaveLength(0);
  });
});
