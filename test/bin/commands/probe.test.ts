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
      .toEqual(['IpModeLab', 'InstanceModeLab', 'NlbIpModeLab', 'NlbInstanceModeLab', 'TgbLab', 'GatewayAlbLab', 'GatewayNlbLab']);
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
    [['--node-cidr', '10.0.0.1/16'], /--node-cidr takes an IPv4 CIDR block with zero host bits/],
    [['--node-address', '10.0.0.1'], /--node-address takes name=address; got '10\.0\.0\.1'/],
    [['--bogus'], /^eks-lb-lab probe: Unknown option '--bogus'\. Run `eks-lb-lab probe --help`\.$/m],
    [['--requests', '5000000', '--url', 'ip=http://x/'], /--requests must be at most 1,000,000; got '5000000'\./],
    [['--concurrency', '100000', '--url', 'ip=http://x/'], /--concurrency must be at most 1,000; got '100000'\./],
  ])('usage error %j: one line, exit 2', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
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
    const app = newApp({ nodePort: '31000', replicas: '3', externalTrafficPolicy: 'Local' });
    const lab = createLab(app, readLabSettings(app.node, {}));
    // Local keeps the ALB as the pod's peer: the path model says so, and the stand-in answers so.
    const url = await serve((n) => response(n, '10.0.41.208'));
    const outputs = Template.fromStack(lab.instanceMode).findOutputs('LabPaths');
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
