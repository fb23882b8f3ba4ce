import { App } from 'cdk8s';
import { IngressWorkloadChart } from '../../../../lib';
import { nlbRules } from '../../../../lib/experiment/local/emulation';
import { LocalPlanError, localWorkload, planEmulation, podsOfRow } from '../../../../lib/experiment/local/plan';
import { describePath, expectedPaths } from '../../../../lib/experiment/path-model';
import { PathSettings, expectedPath, labPath } from '../../../../lab-stacks/catalogue';
import { LAB_DEFAULTS } from '../../../../lab-stacks/settings';

/** The catalogue's expected paths of `modes` with the lab's settings, as `eks-lb-lab local` plans them. */
function paths(modes: readonly string[], settings: Partial<PathSettings> = {}) {
  return modes.map((mode) => ({ mode, path: expectedPath(labPath(mode)!, { ...LAB_DEFAULTS, ...settings }) }));
}

function plan(settings: Partial<typeof LAB_DEFAULTS> = {}) {
  const s = { ...LAB_DEFAULTS, ...settings };
  return planEmulation(paths(['ip', 'instance', 'instance-local'], s), { vpcCidr: s.vpcCidr, nodeCount: s.nodeCount });
}

describe('localWorkload', () => {
  test('reads ports, replicas, policy and health-check path off the expected path', () => {
    const [local, ip] = paths(['instance-local', 'ip'], { nodePort: 31234, replicas: 3 });
    expect(localWorkload(local.mode, local.path)).toEqual({
      loadBalancer: 'ALB', namespace: 'instance-mode', name: 'echo', targetType: 'instance', replicas: 3, containerPort: 8080,
      nodePort: 31234, externalTrafficPolicy: 'Local', listenPort: 80, healthCheckPath: '/',
    });
    expect(localWorkload(ip.mode, ip.path)).toMatchObject({ namespace: 'ip-mode', targetType: 'ip' });
    expect(localWorkload(ip.mode, ip.path)).not.toHaveProperty('nodePort');
  });

  test('follows the chart: a changed container port and health-check path reach the targets', () => {
    const path = expectedPaths(new IngressWorkloadChart(new App(), 'C', { targetType: 'ip', containerPort: 9090, healthCheckPath: '/ready' }).toJson())[0];
    expect(localWorkload('ip', path)).toMatchObject({ containerPort: 9090, healthCheckPath: '/ready' });
  });

  test('refuses a path it cannot build: a Classic Load Balancer, or no listener', () => {
    const [ip] = paths(['ip']);
    expect(() => localWorkload('clb', { ...ip.path, loadBalancer: 'CLB' })).toThrow(/^clb: the emulation builds ALB and NLB paths with a listener/);
    const { listener: _l, ...noListener } = ip.path;
    expect(() => localWorkload('tgb-ip', noListener)).toThrow(LocalPlanError);
  });
});

describe('planEmulation', () => {
  test('ip mode registers pod IPs on the container port; instance mode registers every node on the NodePort', () => {
    const p = plan();
    const [ip, cluster, local] = p.rows;
    expect(ip.targets).toEqual(podsOfRow(p, ip).map((pod) => ({ address: pod.address, port: 8080, name: pod.name })));
    expect(cluster.targets).toEqual(p.nodes.map((n) => ({ address: n.address, port: 30080, name: n.name })));
    expect(local.healthCheckNodePort).toBe(30000);
    expect(cluster.healthCheckNodePort).toBeUndefined();
  });

  test('both instance rows share one Deployment; replicas alternate over nodes', () => {
    const p = plan({ replicas: 3 });
    expect(p.pods).toHaveLength(6);
    expect(podsOfRow(p, p.rows[1])).toEqual(podsOfRow(p, p.rows[2]));
    expect(podsOfRow(p, p.rows[0]).map((pod) => pod.node.name)).toEqual([p.nodes[0].name, p.nodes[1].name, p.nodes[0].name]);
  });

  test('addresses come from vpcCidr; nodes carry EKS names; node veths are named like the VPC CNI names them', () => {
    const p = plan({ vpcCidr: '172.20.0.0/22', nodeCount: 3 });
    expect(p.nodes.map((n) => [n.name, n.address])).toEqual([
      ['ip-172-20-0-10.ec2.internal', '172.20.0.10'], ['ip-172-20-0-11.ec2.internal', '172.20.0.11'], ['ip-172-20-0-12.ec2.internal', '172.20.0.12'],
    ]);
    expect(p.pods.every((pod) => pod.address.startsWith('172.20.0.') && /^eni[0-9a-f]{11}$/.test(pod.hostVeth))).toBe(true);
    expect(new Set(p.rows.map((r) => r.vpcAddress)).size).toBe(3);
  });

  test('rejects a subnet too small for the layout', () => {
    expect(() => planEmulation([], { vpcCidr: '10.0.0.0/26', nodeCount: 2 })).toThrow(LocalPlanError);
  });
});

describe('NLB rows', () => {
  const s = LAB_DEFAULTS;
  const rows = paths(['nlb-ip', 'nlb-ip-preserve', 'nlb-instance', 'nlb-instance-local']);

  test('come from the lab\'s NLB charts, which the path model reads as the NLB rows', () => {
    expect(rows.map(({ path }) => describePath(path))).toEqual([
      'NLB ip, preservation off', 'NLB ip, preservation on', 'NLB instance, Cluster, preservation on', 'NLB instance, Local, preservation on',
    ]);
    expect(rows.map(({ mode, path }) => localWorkload(mode, path))
      .map((w) => [w.namespace, w.targetType, w.preserveClientIp, w.externalTrafficPolicy, w.listenPort, w.containerPort])).toEqual([
      ['nlb-ip-mode', 'ip', false, undefined, 80, 8080],
      ['nlb-ip-mode', 'ip', true, undefined, 80, 8080],
      ['nlb-instance-mode', 'instance', true, 'Cluster', 80, 8080],
      ['nlb-instance-mode', 'instance', true, 'Local', 80, 8080],
    ]);
  });

  test('an instance Service without a fixed NodePort gets one from the range, the same for both policies', () => {
    const p = planEmulation(rows, { vpcCidr: s.vpcCidr, nodeCount: 2 });
    expect(p.rows.map((r) => [r.mode, r.targets[0].port, r.healthCheckNodePort])).toEqual([
      ['nlb-ip', 8080, undefined], ['nlb-ip-preserve', 8080, undefined], ['nlb-instance', 30000, undefined], ['nlb-instance-local', 30000, 30001],
    ]);
  });

  test('the NLB DNATs per connection; without preservation it also SNATs to its subnet address', () => {
    const p = planEmulation(rows, { vpcCidr: s.vpcCidr, nodeCount: 2 });
    const [off, on] = p.rows;
    expect(nlbRules(off, off.targets)).toContain(`-A POSTROUTING -m conntrack --ctstate DNAT --ctorigdst ${off.publicAddress}/32 -j SNAT --to-source ${off.vpcAddress}`);
    expect(nlbRules(on, on.targets)).not.toContain('SNAT');
    expect(nlbRules(p.rows[2], p.rows[2].targets)).toContain('-m statistic --mode random --probability 0.50000000000 -j DNAT --to-destination 10.0.0.10:30000');
  });
});
