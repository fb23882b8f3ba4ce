import { chainHash, endpointChainName, kubeProxyRules } from '../../../../lib/experiment/local/kube-proxy-rules';
import { NodePlan, PodPlan } from '../../../../lib/experiment/local/plan';

const nodes: NodePlan[] = [
  { name: 'ip-10-0-0-10.ec2.internal', netns: 'node0', address: '10.0.0.10', zone: 'us-east-1a' },
  { name: 'ip-10-0-0-11.ec2.internal', netns: 'node1', address: '10.0.0.11', zone: 'us-east-1b' },
];
const pod = (i: number, node: NodePlan): PodPlan => ({
  name: `echo-${i}`, namespace: 'instance-mode', netns: `pod${i}`, node, address: `10.0.0.${100 + i}`, port: 8080,
  hostVeth: `eni${i}`, workload: 'instance-mode/echo',
});
const svc = (policy: 'Cluster' | 'Local', endpoints: PodPlan[]) =>
  ({ portName: 'instance-mode/echo:http', nodePort: 30080, externalTrafficPolicy: policy, endpoints });

describe('kubeProxyRules', () => {
  test('Cluster: the NodePort is marked for masquerade and DNATed to any endpoint, this node\'s or the other\'s', () => {
    const rules = kubeProxyRules(nodes[0], [svc('Cluster', [pod(0, nodes[0]), pod(1, nodes[1])])]);
    expect(rules).toMatch(/-A KUBE-NODEPORTS -p tcp .* --dport 30080 -j KUBE-EXT-/);
    expect(rules).toMatch(/-A KUBE-EXT-\w+ -m comment --comment "masquerade traffic .*" -j KUBE-MARK-MASQ/);
    expect(rules).toContain('-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000');
    expect(rules).toContain('-j MASQUERADE --random-fully');
    expect(rules).toMatch(/-A KUBE-SVC-\w+ .*"-> 10.0.0.100:8080" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-/);
    expect(rules).toMatch(/-A KUBE-SVC-\w+ .*"-> 10.0.0.101:8080" -j KUBE-SEP-/);
    expect(rules).toContain('-j DNAT --to-destination 10.0.0.101:8080');
    expect(rules).not.toContain('DROP');
  });

  test('Local: only this node\'s endpoints, nothing marked for masquerade', () => {
    const rules = kubeProxyRules(nodes[0], [svc('Local', [pod(0, nodes[0]), pod(1, nodes[1])])]);
    expect(rules).toContain('--to-destination 10.0.0.100:8080');
    expect(rules).not.toContain('--to-destination 10.0.0.101:8080');
    expect(rules).not.toMatch(/-A KUBE-EXT-\w+ .*-j KUBE-MARK-MASQ/);
    expect(rules).toMatch(/-A KUBE-EXT-\w+ -j KUBE-SVL-/);
  });

  test('Local on a node without endpoints: NodePort traffic is dropped', () => {
    const rules = kubeProxyRules(nodes[1], [svc('Local', [pod(0, nodes[0])])]);
    expect(rules).not.toContain('DNAT');
    expect(rules).toMatch(/-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "instance-mode\/echo:http has no local endpoints" .*--dport 30080 -j DROP/);
  });

  test('chain names hash what kube-proxy hashes: Service port name + protocol (+ endpoint), base32 of SHA-256', () => {
    // kube-proxy's own test vectors (pkg/proxy/iptables): ns1/svc1:p80 over tcp, endpoint 10.180.0.1:80.
    expect(`KUBE-SVC-${chainHash('ns1/svc1:p80', 'tcp')}`).toBe('KUBE-SVC-XPGD46QRK7WJZT7O');
    expect(endpointChainName('ns1/svc1:p80', 'tcp', '10.180.0.1:80')).toBe('KUBE-SEP-SXIVWICOYRO3J4NJ');
    const rules = kubeProxyRules(nodes[0], [svc('Cluster', [pod(0, nodes[0])])]);
    expect(rules).toContain(`:${endpointChainName('instance-mode/echo:http', 'tcp', '10.0.0.100:8080')} - [0:0]`);
    expect(rules).toContain(`:KUBE-SVC-${chainHash('instance-mode/echo:http', 'tcp')} - [0:0]`);
  });

  test('chain names are stable 16-character hashes', () => {
    const a = kubeProxyRules(nodes[0], [svc('Cluster', [pod(0, nodes[0])])]);
    expect(a).toBe(kubeProxyRules(nodes[0], [svc('Cluster', [pod(0, nodes[0])])]));
    expect(a).toMatch(/:KUBE-SVC-[A-Z2-7]{16} - \[0:0\]/);
  });
});
