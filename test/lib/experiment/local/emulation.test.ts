import { topologyScript } from '../../../../lib/experiment/local/emulation';
import { planEmulation } from '../../../../lib/experiment/local/plan';
import { expectedPath, labPath } from '../../../../lab-stacks/catalogue';
import { LAB_DEFAULTS } from '../../../../lab-stacks/settings';

describe('topologyScript', () => {
  const plan = planEmulation(['ip', 'nlb-ip'].map((mode) => ({ mode, path: expectedPath(labPath(mode)!, LAB_DEFAULTS) })), { vpcCidr: '10.0.0.0/16', nodeCount: 2 });
  const script = topologyScript(plan);
  const pod = plan.pods[0];

  test('wires each pod as the VPC CNI does: /32 address, default via 169.254.1.1, /32 route on its node', () => {
    expect(script).toContain(`ip -n ${pod.netns} addr add ${pod.address}/32 dev eth0`);
    expect(script).toContain(`ip -n ${pod.netns} route add default via 169.254.1.1 dev eth0`);
    expect(script).toMatch(new RegExp(`ip -n ${pod.netns} neigh add 169\\.254\\.1\\.1 lladdr 02(:[0-9a-f]{2}){5} dev eth0 nud permanent`));
    expect(script).toContain(`ip -n ${pod.node.netns} route add ${pod.address}/32 dev ${pod.hostVeth} scope link`);
  });

  test('nodes forward and answer ARP for their pods at once; the subnet bridge keeps frames out of iptables', () => {
    for (const key of ['ipv4/ip_forward', 'ipv4/conf/eth1/proxy_arp', 'ipv4/neigh/eth1/proxy_delay', 'ipv4/conf/all/route_localnet']) {
      expect(script).toContain(`ip netns exec node0 sh -c 'echo ${key.endsWith('proxy_delay') ? 0 : 1} > /proc/sys/net/${key}'`);
    }
    expect(script).toContain('echo 0 > /proc/sys/net/bridge/bridge-nf-call-iptables');
  });

  test('the NLB forwards, and nodes send replies to a kept client address back through it', () => {
    expect(script).toContain("ip netns exec nlb sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'");
    expect(script).toContain(`ip -n node0 route add default via ${plan.rows[1].vpcAddress}`);
    expect(script).toContain(`ip route add ${plan.rows[1].publicAddress}/32 via ${plan.client.nlbGateway}`);
  });
});
