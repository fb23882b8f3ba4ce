import { nlbRules } from '../../../../lib/experiment/local/emulation';
import { LocalPlanError, localWorkloads, modeWorkloads, planEmulation, podsOfRow, readWorkload, synthWorkload } from '../../../../lib/experiment/local/plan';
import { describePath, expectedPaths } from '../../../../lib/experiment/path-model';
import { LAB_DEFAULTS } from '../../../../lab-stacks/settings';

function plan(settings: Partial<typeof LAB_DEFAULTS> = {}) {
  const s = { ...LAB_DEFAULTS, ...settings };
  const w = modeWorkloads(s);
  const modes = ['ip', 'instance', 'instance-local'] as const;
  return planEmulation(modes.map((mode) => ({ mode, workload: synthWorkload(w[mode]) })), { vpcCidr: s.vpcCidr, nodeCount: s.nodeCount });
}

describe('readWorkload', () => {
  test('reads ports, replicas, policy and health-check path from the synthesized chart', () => {
    const w = modeWorkloads({ ...LAB_DEFAULTS, nodePort: 31234, replicas: 3 });
    expect(synthWorkload(w['instance-local'])).toMatchObject({
      namespace: 'instance-mode', name: 'echo', targetType: 'instance', replicas: 3, containerPort: 8080, servicePort: 80,
      nodePort: 31234, externalTrafficPolicy: 'Local', listenPort: 80, healthCheckPath: '/',
    });
    expect(synthWorkload(w.ip)).toMatchObject({ namespace: 'ip-mode', targetType: 'ip', nodePort: undefined, externalTrafficPolicy: undefined });
  });

  test('follows the chart: a changed container port reaches the targets', () => {
    const workload = synthWorkload({ targetType: 'ip', containerPort: 9090, healthCheckPath: '/ready' });
    expect(workload).toMatchObject({ containerPort: 9090, healthCheckPath: '/ready' });
  });

  test('rejects objects without an Ingress', () => {
    const objects = synthWorkload({ targetType: 'ip' }).objects.filter((o) => o.kind !== 'Ingress');
    expect(() => readWorkload(objects)).toThrow(/expected one Ingress among the chart's objects; found 0/);
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
  const rows = localWorkloads(s, ['nlb-ip', 'nlb-ip-preserve', 'nlb-instance', 'nlb-instance-local']);

  test('come from the lab\'s NLB charts, which the path model reads as the NLB rows', () => {
    expect(rows.map(({ workload }) => describePath(expectedPaths(workload.objects)[0]))).toEqual([
      'NLB ip, preservation off', 'NLB ip, preservation on', 'NLB instance, Cluster, preservation on', 'NLB instance, Local, preservation on',
    ]);
    expect(rows.map(({ workload: w }) => [w.namespace, w.targetType, w.preserveClientIp, w.externalTrafficPolicy, w.listenPort, w.containerPort])).toEqual([
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
