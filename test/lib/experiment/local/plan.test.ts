import { App } from 'cdk8s';
import { IngressWorkloadChart } from '../../../../lib';
import { nlbRules } from '../../../../lib/experiment/local/emulation';
import { LocalPlanError, emulatedZones, localWorkload, planEmulation, podsOfRow } from '../../../../lib/experiment/local/plan';
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
      nodePort: 31234, externalTrafficPolicy: 'Local', listenPort: 80, healthCheckPath: '/', crossZone: true,
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
    expect(ip.targets).toEqual(podsOfRow(p, ip).map((pod) => ({ address: pod.address, port: 8080, name: pod.name, zone: pod.node.zone })));
    expect(cluster.targets).toEqual(p.nodes.map((n) => ({ address: n.address, port: 30080, name: n.name, zone: n.zone })));
    expect(local.healthCheckNodePort).toBe(30000);
    expect(cluster.healthCheckNodePort).toBeUndefined();
  });

  test('both instance rows share one Deployment; replicas alternate over nodes', () => {
    const p = plan({ replicas: 3 });
    expect(p.pods).toHaveLength(6);
    expect(podsOfRow(p, p.rows[1])).toEqual(podsOfRow(p, p.rows[2]));
    expect(podsOfRow(p, p.rows[0]).map((pod) => pod.node.name)).toEqual([p.nodes[0].name, p.nodes[1].name, p.nodes[0].name]);
  });

  test('addresses come from vpcCidr, a subnet per zone; nodes carry EKS names; node veths are named like the VPC CNI names them', () => {
    const p = plan({ vpcCidr: '172.20.0.0/22', nodeCount: 3 });
    expect(p.subnets).toEqual([{ zone: 'us-east-1a', cidr: '172.20.0.0/23' }, { zone: 'us-east-1b', cidr: '172.20.2.0/23' }]);
    expect(p.nodes.map((n) => [n.name, n.address, n.zone])).toEqual([
      ['ip-172-20-0-10.ec2.internal', '172.20.0.10', 'us-east-1a'], ['ip-172-20-2-10.ec2.internal', '172.20.2.10', 'us-east-1b'],
      ['ip-172-20-0-11.ec2.internal', '172.20.0.11', 'us-east-1a'],
    ]);
    // A pod takes its address from its node's subnet.
    expect(p.pods.map((pod) => [pod.address, pod.node.zone])).toEqual([
      ['172.20.0.100', 'us-east-1a'], ['172.20.2.100', 'us-east-1b'], ['172.20.0.101', 'us-east-1a'], ['172.20.2.101', 'us-east-1b'],
    ]);
    expect(p.pods.every((pod) => /^eni[0-9a-f]{11}$/.test(pod.hostVeth))).toBe(true);
    expect(new Set(p.rows.map((r) => r.vpcAddress)).size).toBe(3);
    // The load balancer has a node in each zone: one interface per zone and row.
    expect(p.rows.map((r) => r.interfaces.map((i) => `${i.zone} ${i.address}`))).toEqual([
      ['us-east-1a 172.20.0.60', 'us-east-1b 172.20.2.60'], ['us-east-1a 172.20.0.61', 'us-east-1b 172.20.2.61'],
      ['us-east-1a 172.20.0.62', 'us-east-1b 172.20.2.62'],
    ]);
  });

  test('zones as the region names them, as many as azCount; a /24 VPC still fits two', () => {
    expect(emulatedZones('eu-west-1', 3)).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    const p = planEmulation(paths(['ip']), { vpcCidr: '10.1.0.0/23', nodeCount: 2, zones: emulatedZones('eu-west-1', 3) });
    expect(p.subnets.map((s) => s.cidr)).toEqual(['10.1.0.0/25', '10.1.0.128/25', '10.1.1.0/25']);
    expect(() => plan({ vpcCidr: '10.1.2.0/24' })).not.toThrow();
  });

  test('rejects a subnet too small for the layout', () => {
    expect(() => planEmulation([], { vpcCidr: '10.0.0.0/26', nodeCount: 2 })).toThrow(LocalPlanError);
    expect(() => planEmulation(paths(['ip']), { vpcCidr: '10.1.2.0/24', nodeCount: 2, zones: emulatedZones('eu-west-1', 4) }))
      .toThrow('vpcCidr 10.1.2.0/24 split over 4 zones gives subnets of /26, too small for the layout; use a /23 or larger.');
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

  test('the NLB lands each connection in a zone and DNATs it there; without preservation it also SNATs to that zone\'s address', () => {
    const p = planEmulation(rows, { vpcCidr: s.vpcCidr, nodeCount: 2 });
    const [off, on] = p.rows;
    const [a, b] = off.interfaces;
    const rules = nlbRules(off, off.targets);
    expect(rules).toContain('-A NLB-LISTENER -p tcp -m statistic --mode random --probability 0.50000000000 -j NLB-ZONE-0');
    expect(rules).toContain(`-A POSTROUTING -m mark --mark 1 -m conntrack --ctstate DNAT --ctorigdst ${off.publicAddress}/32 -j SNAT --to-source ${a.address}`);
    expect(rules).toContain(`-A POSTROUTING -m mark --mark 2 -m conntrack --ctstate DNAT --ctorigdst ${off.publicAddress}/32 -j SNAT --to-source ${b.address}`);
    expect(nlbRules(on, on.targets)).not.toContain('SNAT');
    // Cross-zone load balancing off (the NLB default): each zone's node sends only to its own zone's targets.
    const instance = nlbRules(p.rows[2], p.rows[2].targets);
    expect(instance).toContain('-A NLB-ZONE-0 -p tcp -j DNAT --to-destination 10.0.0.10:30000');
    expect(instance).toContain('-A NLB-ZONE-1 -p tcp -j DNAT --to-destination 10.0.128.10:30000');
    // On: every node sends anywhere.
    const crossZone = { ...p.rows[2], workload: { ...p.rows[2].workload, crossZone: true } };
    expect(nlbRules(crossZone, crossZone.targets)).toContain('-A NLB-ZONE-1 -p tcp -m statistic --mode random --probability 0.50000000000 -j DNAT --to-destination 10.0.0.10:30000');
  });

  test('a zone without a target of its own takes no connections; with none anywhere the NLB fails open', () => {
    const p = planEmulation(rows, { vpcCidr: s.vpcCidr, nodeCount: 2 });
    const [off] = p.rows;
    const inA = off.targets.filter((t) => t.zone === 'us-east-1a');
    const rules = nlbRules(off, inA);
    expect(rules).toContain('-A NLB-LISTENER -p tcp -j NLB-ZONE-0');
    expect(rules).not.toContain('NLB-ZONE-1');
    expect(nlbRules(off, inA.map((t) => ({ ...t, zone: 'us-east-1c' })))).toContain('NLB-ZONE-1');
  });
});
