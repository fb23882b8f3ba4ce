import { createHash } from 'crypto';
import { NodePlan, PodPlan } from './plan';

/** The mark kube-proxy sets on packets to masquerade, and the chain names it uses. */
export const MASQUERADE_MARK = '0x4000';

/** A NodePort Service as kube-proxy sees it: its port, policy and ready endpoints. */
export interface NodePortService {
  /** `namespace/name:port-name`, which kube-proxy hashes into chain names. */
  readonly portName: string;
  readonly nodePort: number;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  readonly endpoints: readonly PodPlan[];
}

/**
 * The iptables rules kube-proxy (iptables mode) writes on `node` for NodePort Services, as an
 * `iptables-restore` file: NodePort traffic is DNATed to an endpoint chosen at random per connection;
 * with `Cluster` it may go to another node's pod and is marked for MASQUERADE, so the pod sees the node;
 * with `Local` only this node's endpoints are used, nothing is masqueraded, and a node with no local
 * endpoint drops the traffic.
 */
export function kubeProxyRules(node: NodePlan, services: readonly NodePortService[]): string {
  const nat: string[] = [
    '*nat',
    ':KUBE-SERVICES - [0:0]', ':KUBE-NODEPORTS - [0:0]', ':KUBE-POSTROUTING - [0:0]', ':KUBE-MARK-MASQ - [0:0]',
  ];
  const natRules: string[] = [
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    `-A KUBE-MARK-MASQ -j MARK --set-xmark ${MASQUERADE_MARK}/${MASQUERADE_MARK}`,
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQUERADE_MARK}/${MASQUERADE_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --set-xmark ${MASQUERADE_MARK}/0x0`,
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
  ];
  const filter: string[] = ['*filter', ':KUBE-EXTERNAL-SERVICES - [0:0]'];
  const filterRules: string[] = [
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
  ];

  for (const svc of services) {
    const comment = `-m comment --comment "${svc.portName}"`;
    const local = svc.externalTrafficPolicy === 'Local';
    const ext = `KUBE-EXT-${chainHash(svc.portName, 'tcp')}`;
    const endpoints = local ? svc.endpoints.filter((e) => e.node.name === node.name) : svc.endpoints;
    const target = `KUBE-${local ? 'SVL' : 'SVC'}-${chainHash(svc.portName, 'tcp')}`;
    nat.push(`:${ext} - [0:0]`, `:${target} - [0:0]`);
    natRules.push(`-A KUBE-NODEPORTS -p tcp ${comment} -m tcp --dport ${svc.nodePort} -j ${ext}`);
    if (!local) natRules.push(`-A ${ext} -m comment --comment "masquerade traffic for ${svc.portName} external destinations" -j KUBE-MARK-MASQ`);
    natRules.push(`-A ${ext} -j ${target}`);
    if (local && endpoints.length === 0) {
      filterRules.push(`-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "${svc.portName} has no local endpoints" ` +
        `-m addrtype --dst-type LOCAL -m tcp --dport ${svc.nodePort} -j DROP`);
    }
    endpoints.forEach((ep, i) => {
      const sep = endpointChainName(svc.portName, 'tcp', `${ep.address}:${ep.port}`);
      nat.push(`:${sep} - [0:0]`);
      const remaining = endpoints.length - i;
      const pick = remaining > 1 ? ` -m statistic --mode random --probability ${(1 / remaining).toFixed(11)}` : '';
      natRules.push(`-A ${target} ${comment} -m comment --comment "-> ${ep.address}:${ep.port}"${pick} -j ${sep}`);
      natRules.push(`-A ${sep} -s ${ep.address}/32 ${comment} -j KUBE-MARK-MASQ`);
      natRules.push(`-A ${sep} -p tcp ${comment} -m tcp -j DNAT --to-destination ${ep.address}:${ep.port}`);
    });
  }
  natRules.push('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');
  return [...nat, ...natRules, 'COMMIT', ...filter, ...filterRules, 'COMMIT', ''].join('\n');
}

/** Number of `node`'s own endpoints: what kube-proxy's health-check node port reports. */
export function localEndpointCount(node: NodePlan, svc: NodePortService): number {
  return svc.endpoints.filter((e) => e.node.name === node.name).length;
}

/** kube-proxy's name of a Service port's chain (`KUBE-SVC-`, `KUBE-SVL-`, `KUBE-EXT-` follow it): its suffix. */
export function chainHash(servicePortName: string, protocol: string): string {
  return base32Prefix(createHash('sha256').update(servicePortName + protocol).digest());
}

/**
 * kube-proxy's name of an endpoint's chain: `KUBE-SEP-` and the first 16 characters of the base32 SHA-256 of the
 * Service port name (`namespace/name:port-name`), the lower-case protocol and the endpoint (`ip:port`), joined as is.
 */
export function endpointChainName(servicePortName: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${base32Prefix(createHash('sha256').update(servicePortName + protocol + endpoint).digest())}`;
}

/** The first 16 characters of the standard (RFC 4648) base32 encoding of `digest`. */
function base32Prefix(digest: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === 16) break;
  }
  return out;
}
