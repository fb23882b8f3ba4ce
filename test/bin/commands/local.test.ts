import { spawn, spawnSync } from 'child_process';
import { parseLocalArgs } from '../../../bin/commands/local';
import { LocalDisruptionReport, disruptionSubjects, localPaths } from '../../../bin/commands/local-run';
import { main } from '../../../bin/cli';
import { SETTINGS } from '../../../lab-stacks/settings';
import { LocalReport } from '../../../lib/experiment/local/report';
import { routedHops } from '../../../lib/experiment/local/checks';
import { missingForLocal, thisHost } from '../../../lib/experiment/local/preflight';
import { ROOT } from '../../paths';


/** The CLI from this checkout: compiled when dist/ is current (as cdk.json's app decides), else the sources through tsx. */
const CLI: readonly string[] = (require('../../../bin/cdk-app.js') as { compiledIsCurrent(): boolean }).compiledIsCurrent()
  ? ['dist/bin/cli.js'] : ['--require', 'tsx/cjs', 'bin/cli.ts'];

/**
 * Runs the CLI from this checkout. `prefix` runs it under another command: the not-root case uses a user namespace
 * (uid 65534 inside, this user outside), so the child reads the checkout and writes TMPDIR wherever they are.
 */
function run(args: string[], prefix: readonly string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const command = [...prefix, process.execPath, ...CLI, 'local', ...args];
    const child = spawn(command[0], command.slice(1), { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c) => { stderr += c; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('parseLocalArgs', () => {
  test('defaults: all three modes, 200 requests, 8 in flight, new connection per request', () => {
    expect(parseLocalArgs([])).toMatchObject({
      modes: ['ip', 'instance', 'instance-local'], requests: 200, concurrency: 8, keepAlive: false, json: false, context: {},
    });
  });

  test('the inter-zone price: 0.01 US dollars per GB each way unless --zone-price says', () => {
    expect(parseLocalArgs([]).zonePrice).toBe(0.01);
    expect(parseLocalArgs(['--zone-price', '0.02']).zonePrice).toBe(0.02);
  });

  test('modes, the Local shortcut, lab settings as -c key=value', () => {
    expect(parseLocalArgs(['--modes', 'instance-local,ip', '-c', 'replicas=1', '--requests', '50']))
      .toMatchObject({ modes: ['ip', 'instance-local'], context: { replicas: '1' }, requests: 50 });
    expect(parseLocalArgs(['--instance-local']).modes).toEqual(['instance-local']);
    expect(parseLocalArgs(['--nlb']).modes).toEqual(['ip', 'instance', 'instance-local', 'nlb-ip', 'nlb-ip-preserve', 'nlb-instance', 'nlb-instance-local']);
    expect(parseLocalArgs(['--gateway']).modes).toEqual(['ip', 'instance', 'instance-local', 'gateway-ip', 'gateway-instance',
      'gateway-instance-local', 'gateway-nlb-ip', 'gateway-nlb-instance', 'gateway-nlb-instance-local']);
  });

  test('bad input: one line naming the option', () => {
    expect(() => parseLocalArgs(['--modes', 'nlb'])).toThrow(/^--modes takes ip, instance, instance-local, nlb-ip, .*; got 'nlb'.$/);
    expect(() => parseLocalArgs(['--requests', '0'])).toThrow("--requests must be a whole number of at least 1; got '0'.");
    expect(() => parseLocalArgs(['-c', 'replicas'])).toThrow(/-c takes key=value/);
    expect(() => parseLocalArgs(['-c', '__proto__=1'])).toThrow("-c __proto__ is not a setting of the lab; got '__proto__=1'. Drop it.");
    expect(() => localPaths(parseLocalArgs(['-c', 'toString=1']), {})).toThrow(/^Context 'toString' is not a setting of the lab; got '1'\. /);
    expect(() => parseLocalArgs(['--requests', '2000000'])).toThrow("--requests must be at most 1,000,000; got '2000000'.");
    expect(() => parseLocalArgs(['--bogus'])).toThrow("Unknown option '--bogus'. Run `eks-lb-lab local --help`.");
    expect(() => parseLocalArgs(['--zone-price', '2'])).toThrow("--zone-price takes US dollars per GB in each direction, from 0 to 1; got '2'. Use 0.01, the price in most regions.");
  });
});

describe('parseLocalArgs: --rollout and --drain', () => {
  test('ip and instance by default, the controller lag and the load rate, the events in order', () => {
    expect(parseLocalArgs(['--rollout'])).toMatchObject({ modes: ['ip', 'instance'], events: ['rollout'], controllerLagSeconds: 5, rate: 150 });
    expect(parseLocalArgs(['--drain', '--rollout', '--modes', 'instance', '--lag', '12', '--rate', '80']))
      .toMatchObject({ modes: ['instance'], events: ['rollout', 'drain'], controllerLagSeconds: 12, rate: 80 });
    expect(parseLocalArgs([]).events).toEqual([]);
  });

  test('bad input: one line naming the option', () => {
    expect(() => parseLocalArgs(['--rollout', '--modes', 'instance-local'])).toThrow("--rollout and --drain disrupt ip and instance; got --modes instance-local. Use --modes ip,instance or fewer.");
    expect(() => parseLocalArgs(['--lag', '3'])).toThrow("--lag applies only with --rollout or --drain; got '3'. Add --rollout, or remove --lag.");
    expect(() => parseLocalArgs(['--rollout', '--requests', '50'])).toThrow('--requests is an option of the probe, which --rollout and --drain replace with a steady load; remove --requests.');
    expect(() => parseLocalArgs(['--rollout', '--lag', '0'])).toThrow("--lag must be a whole number of at least 1; got '0'.");
  });

  test('both shutdown variants of each mode, unless -c shutdown names one', () => {
    const subjects = (args: string[]) => disruptionSubjects(parseLocalArgs(args), {}).subjects
      .map((s) => [s.mode, s.variant, s.path.shutdown.readinessGate, s.path.shutdown.preStopDelaySeconds]);
    expect(subjects(['--rollout'])).toEqual([['ip', 'graceful', true, 15], ['ip', 'naive', false, 0], ['instance', 'graceful', false, 15], ['instance', 'naive', false, 0]]);
    expect(subjects(['--rollout', '-c', 'shutdown=naive', '--modes', 'ip'])).toEqual([['ip', 'naive', false, 0]]);
  });
});

describe('the paths local runs, from -c settings as cdk deploy takes them', () => {
  const paths = (args: string[]) => localPaths(parseLocalArgs(args), {}).paths;
  const modes = (args: string[]) => paths(args).map((p) => p.mode);

  test('by default the ALB variants; a variant setting narrows them to its own, as the stacks would deploy', () => {
    expect(modes([])).toEqual(['ip', 'instance', 'instance-local']);
    expect(modes(['-c', 'externalTrafficPolicy=Local'])).toEqual(['ip', 'instance-local']);
    expect(modes(['--nlb', '-c', 'externalTrafficPolicy=Local'])).toEqual(['ip', 'instance-local', 'nlb-ip', 'nlb-ip-preserve', 'nlb-instance-local']);
    expect(modes(['--nlb', '-c', 'nlbPreserveClientIp=true'])).toEqual(['ip', 'instance', 'instance-local', 'nlb-ip-preserve', 'nlb-instance', 'nlb-instance-local']);
    expect(modes(['--gateway', '-c', 'externalTrafficPolicy=Local'])).toEqual(['ip', 'instance-local', 'gateway-ip', 'gateway-instance-local',
      'gateway-nlb-ip', 'gateway-nlb-instance-local']);
  });

  test('settings that shape the paths reach them; cluster settings are taken and change nothing', () => {
    const [ip, instance] = paths(['-c', 'nodePort=31000', '-c', 'replicas=3', '-c', 'kubernetesVersion=1.35', '--modes', 'ip,instance']);
    expect([ip.path.workload.replicas, instance.path.workload.nodePort, instance.path.workload.replicas]).toEqual([3, 31000, 3]);
    const { settings } = localPaths(parseLocalArgs(['-c', 'nodeCount=3', '-c', 'vpcCidr=172.20.0.0/16']), {});
    expect([settings.nodeCount, settings.vpcCidr]).toEqual([3, '172.20.0.0/16']);
    const [zoned] = paths(['-c', 'crossZoneLoadBalancing=false', '--modes', 'ip']);
    expect(zoned.path.zoneHops).toEqual([]);
    expect(() => localPaths(parseLocalArgs(['-c', 'azCount=1']), {}))
      .toThrow("-c azCount=1: the lab's VPC spans 2 to 16 zones, and the emulation follows it; use 2.");
  });

  test.each([
    ['image=example/echo:1', 'the emulation runs its own echo server, not a container image'],
    ['allowedCidr=203.0.113.7/32', 'the emulation has no security groups: its one client is 198.51.100.7'],
    ['sharedAlb=true', 'the emulation gives each path its own load balancer'],
    ['nlbProxyProtocol=true', 'the NLB stand-in sends no PROXY protocol header'],
    ['tgbNodePort=31001', 'the emulation does not build the TargetGroupBinding paths'],
    ['ipFamily=ipv6', 'the emulation builds IPv4 paths only'],
  ])('-c %s is refused in one line, with why', (setting, why) => {
    expect(() => localPaths(parseLocalArgs(['-c', setting]), {})).toThrow(`-c ${setting}: ${why}; run without it.`);
  });

  test('every setting says how local takes it, and each refusal is one of the above', () => {
    const refused = Object.entries(SETTINGS).filter(([, row]) => typeof row.local === 'object').map(([key]) => key).sort();
    expect(refused).toEqual(['allowedCidr', 'image', 'ipFamily', 'nlbProxyProtocol', 'sharedAlb', 'tgbNodePort']);
  });

  test('a mode the settings contradict, an unknown or bad setting: one line', () => {
    expect(() => localPaths(parseLocalArgs(['--modes', 'instance', '-c', 'externalTrafficPolicy=Local']), {}))
      .toThrow('--modes instance runs externalTrafficPolicy Cluster, but -c externalTrafficPolicy=Local asks for the other variant; drop one of them.');
    expect(() => localPaths(parseLocalArgs(['-c', 'replica=3']), {})).toThrow(/^Context 'replica' is not a setting of the lab; got '3'\. Did you mean 'replicas'\?/);
    expect(() => localPaths(parseLocalArgs(['-c', 'replicas=0']), {})).toThrow(/^IpModeLab|'replicas' must be a whole number between 1 and 100; got 0/);
  });

  test('through the CLI, before any privilege is needed: one line naming the setting, exit 2', async () => {
    const err: string[] = [];
    const code = await main(['local', '-c', 'image=example/echo:1'], { stdout: () => undefined, stderr: (t) => err.push(t), env: {}, cwd: ROOT });
    expect([code, err.join('')]).toEqual([2, 'eks-lb-lab local: -c image=example/echo:1: the emulation runs its own echo server, not a container image; run without it.\n']);
    err.length = 0;
    expect(await main(['local', '-c', 'replicas=0'], { stdout: () => undefined, stderr: (t) => err.push(t), env: {}, cwd: ROOT })).toBe(2);
    expect(err.join('')).toBe("eks-lb-lab local: Context 'replicas' must be a whole number between 1 and 100; got 0. Use 2 replicas so pods land on both nodes.\n");
  });
});

const missing = missingForLocal(thisHost(process.env));
const asRoot = missing === undefined ? describe : describe.skip;

asRoot(`eks-lb-lab local end to end${missing ? ` (skipped: ${missing})` : ''}`, () => {
  // Two runs at once: each lives in its own namespaces, so they do not collide.
  let single: { code: number | null; report: LocalReport };
  let spread: { code: number | null; report: LocalReport };
  let rollout: { code: number | null; report: LocalDisruptionReport };
  let zonal: { code: number | null; report: LocalReport };
  beforeAll(async () => {
    const parse = async (args: string[]) => {
      const r = await run(['--json', ...args]);
      if (r.code === null || r.code > 1 || !r.stdout.startsWith('{')) throw new Error(`eks-lb-lab local ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return { code: r.code, report: JSON.parse(r.stdout) as LocalReport };
    };
    const rolled = async () => {
      const r = await run(['--json', '--rollout', '--modes', 'ip']);
      if (r.code === null || r.code > 1 || !r.stdout.startsWith('{')) throw new Error(`eks-lb-lab local --rollout exited ${r.code}: ${r.stderr}`);
      return { code: r.code, report: JSON.parse(r.stdout) as LocalDisruptionReport };
    };
    [single, spread, zonal] = await Promise.all([
      parse(['--requests', '40', '--nlb', '--gateway', '-c', 'replicas=1']), parse(['--requests', '60']),
      parse(['--requests', '40', '--modes', 'ip,instance,nlb-ip', '-c', 'crossZoneLoadBalancing=false']),
    ]);
    // After the others: its timers run 40 times faster than a cluster's, so it wants the cores to itself.
    rollout = await rolled();
  }, 120_000);

  test('--rollout, ip: the naive variant fails requests, the graceful one none; both as the model says; exit 0', () => {
    expect([rollout.code, ...rollout.report.summaries.map((s) => `${s.variant}: ${s.requests - s.successes} failed, ${s.agrees ? 'agrees' : 'contradicts'}`)])
      .toEqual([0, 'graceful: 0 failed, agrees', expect.stringMatching(/^naive: [1-9]\d* failed, agrees$/)]);
    const [graceful, naive] = rollout.report.summaries;
    expect([graceful.variant, graceful.event, graceful.requests - graceful.successes, graceful.agrees]).toEqual(['graceful', 'rollout', 0, true]);
    expect(graceful.podsBefore).toHaveLength(2);
    expect(graceful.podsAfter.every((p) => !graceful.podsBefore.includes(p))).toBe(true);
    expect([naive.variant, naive.expectation?.errors, naive.agrees]).toEqual(['naive', 'some', true]);
    expect(naive.requests - naive.successes).toBeGreaterThan(0);
    expect(rollout.report.timeScale).toBe(40);
  });

  const mode = (r: LocalReport, name: string) => {
    const i = r.modes.findIndex((m) => m.mode === name);
    return { result: r.modes[i], seen: r.emulation.modes[i] };
  };

  test('the default run prints ip, instance+Cluster and instance+Local, each matching the model; exit 0', () => {
    expect(spread.code).toBe(0);
    expect(spread.report.modes.map((m) => [m.mode, m.agree])).toEqual([['ip', true], ['instance', true], ['instance-local', true]]);
    expect(single.code).toBe(0);
    expect(single.report.modes).toHaveLength(13);
  });

  test('ip: the pod\'s peer is the load balancer, X-Forwarded-For ends with the client, one routed hop', () => {
    const { result, seen } = mode(single.report, 'ip');
    // The ALB has a node in each zone; the client's connections land on either.
    expect(seen.loadBalancer.interfaces!.map((i) => i.address)).toEqual(expect.arrayContaining(Object.keys(result.measured.peers)));
    expect(result.measured.xForwardedForEndsWithClient).toBe(40);
    expect(single.report.clientIp?.address).toBe(single.report.emulation.client);
    expect(Object.keys(routedHops(seen))).toEqual(['1']);
  });

  test('instance + Cluster: the peer is a node; through the other node the single pod is one hop further', () => {
    const { result, seen } = mode(single.report, 'instance');
    const nodes = single.report.emulation.nodes.map((n) => n.address);
    expect(Object.keys(result.measured.peers).sort()).toEqual(nodes);
    expect(result.measured.peerClasses.node).toBe(40);
    const hops = routedHops(seen);
    expect(Object.keys(hops).sort()).toEqual(['1', '2']);
    expect(result.measured.crossNode.crossed).toBeGreaterThan(0);
    expect(result.measured.xForwardedForEndsWithClient).toBe(40);
  });

  test('instance + Local: the peer is the load balancer, no cross-node hop, the node without a pod fails health checks', () => {
    const { result, seen } = mode(single.report, 'instance-local');
    const [withPod, without] = single.report.emulation.nodes;
    expect(seen.loadBalancer.interfaces!.map((i) => i.address)).toEqual(expect.arrayContaining(Object.keys(result.measured.peers)));
    expect(Object.keys(routedHops(seen))).toEqual(['1']);
    expect(result.measured.nodes).toEqual({ [withPod.name]: 40 });
    expect(seen.targetHealth.map((t) => [t.name, t.state, t.reason])).toEqual([
      [withPod.name, 'healthy', undefined], [without.name, 'unhealthy', 'Target.Timeout'],
    ]);
    expect(seen.healthCheckNodePort?.map((h) => [h.node, h.status, h.localEndpoints])).toEqual([
      [withPod.name, 200, 1], [without.name, 503, 0],
    ]);
  });

  test('NLB ip: the pod sees the NLB without client IP preservation, the client with it; two routed hops', () => {
    const off = mode(single.report, 'nlb-ip');
    const on = mode(single.report, 'nlb-ip-preserve');
    expect(Object.keys(off.result.measured.peers)).toEqual([off.seen.loadBalancer.vpcAddress]);
    expect(Object.keys(on.result.measured.peers)).toEqual([single.report.emulation.client]);
    for (const m of [off, on]) {
      expect(m.result.measured.xForwardedFor).toBe(0);
      expect(Object.keys(routedHops(m.seen))).toEqual(['2']);
    }
  });

  test('NLB instance: Cluster shows a node (and the cross-node hop), Local the client; Local\'s health check uses the health-check node port', () => {
    const cluster = mode(single.report, 'nlb-instance');
    const local = mode(single.report, 'nlb-instance-local');
    const [withPod, without] = single.report.emulation.nodes;
    expect(Object.keys(cluster.result.measured.peers).sort()).toEqual([withPod.address, without.address]);
    expect(Object.keys(routedHops(cluster.seen)).sort()).toEqual(['2', '3']);
    expect(Object.keys(local.result.measured.peers)).toEqual([single.report.emulation.client]);
    expect(local.seen.targetHealth.map((t) => [t.name, t.state, t.reason])).toEqual([
      [withPod.name, 'healthy', undefined], [without.name, 'unhealthy', 'Target.ResponseCodeMismatch'],
    ]);
    expect(single.report.modes.every((m) => m.agree)).toBe(true);
  });

  test('zones: instance + Cluster crosses zones between entry node and pod; ip and Local never do; the cost of it', () => {
    const zones = (name: string) => mode(spread.report, name).result.measured.zones!;
    const cost = (name: string) => mode(spread.report, name).result.zoneCost!;
    expect(spread.report.emulation.nodes.map((n) => n.zone)).toEqual(['us-east-1a', 'us-east-1b']);
    const ip = zones('ip');
    expect(ip.nodeToPod).toBeUndefined();
    expect(ip.callerZone.observed).toBe(60);
    // The ALB balances across zones by default: some requests go to the pod in the other zone, free of charge.
    expect(ip.loadBalancerToTarget.observed).toBe(60);
    expect(ip.loadBalancerToTarget.crossed).toBeGreaterThan(0);
    expect(cost('ip').perMillionRequests).toBe(0);
    const cluster = zones('instance');
    expect(cluster.nodeToPod!.observed).toBe(60);
    expect(cluster.nodeToPod!.crossed).toBeGreaterThan(0);
    expect(cost('instance').perMillionRequests).toBeGreaterThan(0);
    expect(cost('instance').complete).toBe(true);
    const local = zones('instance-local');
    expect(local.nodeToPod).toEqual({ observed: 60, crossed: 0 });
    expect(cost('instance-local').perMillionRequests).toBe(0);
    for (const name of ['ip', 'instance', 'instance-local']) {
      expect(mode(spread.report, name).result.checks.find((c) => c.name === 'zones crossed')?.agree).toBe(true);
    }
  });

  test('cross-zone load balancing off: each load balancer node sends to its own zone only; kube-proxy still crosses', () => {
    expect(zonal.code).toBe(0);
    const zones = (name: string) => mode(zonal.report, name).result.measured.zones!;
    expect(zones('ip').loadBalancerToTarget).toEqual({ observed: 40, crossed: 0 });
    expect(zones('ip').callerZone).toEqual({ observed: 40, sameZone: 40 });
    expect(zones('instance').loadBalancerToTarget).toEqual({ observed: 40, crossed: 0 });
    expect(zones('nlb-ip').loadBalancerToTarget).toEqual({ observed: 40, crossed: 0 });
    expect(Object.keys(zones('ip').podZones).sort()).toEqual(['us-east-1a', 'us-east-1b']);
  });

  test('the Gateway API modes measure what the Ingress and Service modes of the same target type measure', () => {
    const same = (name: string) => {
      const { result, seen } = mode(single.report, name);
      // Each load balancer has an interface in every zone, at addresses of its own.
      const own = new Set([seen.loadBalancer.vpcAddress, ...(seen.loadBalancer.interfaces ?? []).map((i) => i.address)]);
      const peers = [...new Set(Object.keys(result.measured.peers).map((a) => (own.has(a) ? 'load balancer' : a)))].sort();
      return { peers, xff: result.measured.xForwardedForEndsWithClient, hops: Object.keys(routedHops(seen)).sort(), agree: result.agree };
    };
    for (const [gateway, other] of [['gateway-ip', 'ip'], ['gateway-instance-local', 'instance-local'], ['gateway-nlb-ip', 'nlb-ip'],
      ['gateway-nlb-instance-local', 'nlb-instance-local']]) {
      expect([gateway, same(gateway)]).toEqual([gateway, same(other)]);
    }
    for (const [gateway, other] of [['gateway-instance', 'instance'], ['gateway-nlb-instance', 'nlb-instance']]) {
      const [g, o] = [same(gateway), same(other)];
      expect([gateway, g.peers, g.xff, g.agree]).toEqual([gateway, o.peers, o.xff, true]);
    }
  });

  test('pods share the requests (per connection, so with a tolerance)', () => {
    for (const name of ['ip', 'instance', 'instance-local']) {
      const counts = Object.values(mode(spread.report, name).result.measured.pods);
      expect(counts).toHaveLength(2);
      for (const n of counts) expect(n).toBeGreaterThanOrEqual(6);
    }
  });

  const AS_NOBODY = ['unshare', '--user', '--map-user=65534', '--map-group=65534', '--'];
  const userNamespaces = spawnSync(AS_NOBODY[0], [...AS_NOBODY.slice(1), 'true']).status === 0;
  (userNamespaces ? test : test.skip)(`not root: one line and exit 2${userNamespaces ? '' : ' (skipped: no user namespaces here)'}`, async () => {
    const r = await run([], AS_NOBODY);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('eks-lb-lab local: needs root to create network namespaces and iptables rules; run it as `sudo npx eks-lb-lab local`.\n');
  });
});
