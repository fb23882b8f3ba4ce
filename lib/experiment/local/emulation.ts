import { createHash } from 'crypto';
import * as fs from 'fs';
import { ExpectedPath } from '../path-model';
import { Agent, runScript, shellQuote } from './netns';
import { ALB_HEALTH_CHECK_DEFAULTS, AlbForwarded, NLB_HEALTH_CHECK_DEFAULTS, TargetHealth, settleTargetHealth } from './alb';
import { NodePortService, kubeProxyRules, localEndpointCount } from './kube-proxy-rules';
import { EmulationPlan, PodPlan, RowPlan, podsOfRow } from './plan';

/** Namespace of the ALB stand-in (an HTTP proxy); the run's own namespace is the client. */
export const LB_NETNS = 'alb';
/** Namespace of the NLB stand-in (a router rewriting addresses). */
export const NLB_NETNS = 'nlb';
/** Namespace holding the bridge that stands in for the VPC subnet. */
export const SUBNET_NETNS = 'vpc';
/** Chain in each pod counting the TTL of arriving SYNs. */
export const TTL_CHAIN = 'LAB-TTL';
/** How long the NLB stand-in waits for a TCP health check to connect. */
const NLB_CHECK_TIMEOUT_MS = 1000;
/** TTLs counted: a sender's 64 down to eight routed hops. */
const TTL_RANGE = { max: 64, min: 56 };

/**
 * The shell script that builds the namespaces and links: client ↔ load balancer over a veth, the load
 * balancer and the nodes on a bridge (the subnet), each pod wired to its node the way the VPC CNI does it.
 */
export function topologyScript(plan: EmulationPlan): string {
  const lines: string[] = [];
  const inNs = (ns: string, cmd: string) => lines.push(`ip netns exec ${ns} ${cmd}`);
  const sysctl = (ns: string, key: string, value: string | number) =>
    inNs(ns, `sh -c 'echo ${value} > /proc/sys/${key.replace(/\./g, '/')}'`);
  const hasNlb = plan.rows.some((r) => r.loadBalancer === 'NLB');
  const nlbRows = plan.rows.filter((r) => r.loadBalancer === 'NLB');
  const namespaces = [LB_NETNS, ...(hasNlb ? [NLB_NETNS] : []), SUBNET_NETNS, ...plan.nodes.map((n) => n.netns), ...plan.pods.map((p) => p.netns)];
  for (const ns of namespaces) lines.push(`ip netns add ${ns}`, `ip -n ${ns} link set lo up`);
  lines.push('ip link set lo up');

  // Two bridges: the client's network (the internet side of the load balancers) and the subnet, whose frames
  // stay out of iptables as on a real L2 segment.
  for (const bridge of ['internet', 'subnet']) lines.push(`ip -n ${SUBNET_NETNS} link add ${bridge} type bridge`, `ip -n ${SUBNET_NETNS} link set ${bridge} up`);
  inNs(SUBNET_NETNS, `sh -c '[ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || echo 0 > /proc/sys/net/bridge/bridge-nf-call-iptables'`);
  const attach = (ns: string | undefined, ifname: string, bridge: string, port: string) => lines.push(
    `ip ${ns ? `-n ${ns} ` : ''}link add ${ifname} type veth peer name ${port} netns ${SUBNET_NETNS}`,
    `ip -n ${SUBNET_NETNS} link set ${port} master ${bridge} up`, `ip ${ns ? `-n ${ns} ` : ''}link set ${ifname} up`);

  const c = plan.client;
  attach(undefined, 'eth0', 'internet', 'client');
  lines.push(`ip addr add ${c.address}/${c.prefix} dev eth0`);
  attach(LB_NETNS, 'eth0', 'internet', 'alb-public');
  attach(LB_NETNS, 'eth1', 'subnet', 'alb');
  lines.push(`ip -n ${LB_NETNS} addr add ${c.albGateway}/${c.prefix} dev eth0`);
  if (hasNlb) {
    attach(NLB_NETNS, 'eth0', 'internet', 'nlb-public');
    attach(NLB_NETNS, 'eth1', 'subnet', 'nlb');
    lines.push(`ip -n ${NLB_NETNS} addr add ${c.nlbGateway}/${c.prefix} dev eth0`);
    sysctl(NLB_NETNS, 'net.ipv4.ip_forward', 1);
  }
  for (const row of plan.rows) {
    const [ns, gateway] = row.loadBalancer === 'NLB' ? [NLB_NETNS, c.nlbGateway] : [LB_NETNS, c.albGateway];
    lines.push(`ip -n ${ns} addr add ${row.publicAddress}/32 dev eth0`, `ip route add ${row.publicAddress}/32 via ${gateway}`,
      ...row.interfaces.map((i) => `ip -n ${ns} addr add ${i.address}/${plan.subnet.prefix} dev eth1`));
  }

  for (const node of plan.nodes) {
    attach(node.netns, 'eth1', 'subnet', node.netns);
    lines.push(`ip -n ${node.netns} addr add ${node.address}/${plan.subnet.prefix} dev eth1`);
    // Replies to a client address the NLB kept go back through the NLB, as the VPC routes them.
    if (nlbRows.length > 0) lines.push(`ip -n ${node.netns} route add default via ${nlbRows[0].vpcAddress}`);
    sysctl(node.netns, 'net.ipv4.ip_forward', 1);
    sysctl(node.netns, 'net.ipv4.conf.eth1.proxy_arp', 1);
    sysctl(node.netns, 'net.ipv4.neigh.eth1.proxy_delay', 0);
    sysctl(node.netns, 'net.ipv4.conf.all.route_localnet', 1);
  }

  for (const pod of plan.pods) {
    const mac = macOf(pod.hostVeth);
    const node = pod.node.netns;
    lines.push(
      `ip -n ${node} link add ${pod.hostVeth} address ${mac} type veth peer name eth0 netns ${pod.netns}`,
      `ip -n ${node} link set ${pod.hostVeth} up`,
      `ip -n ${node} route add ${pod.address}/32 dev ${pod.hostVeth} scope link`,
      `ip -n ${pod.netns} addr add ${pod.address}/32 dev eth0`,
      `ip -n ${pod.netns} link set eth0 up`,
      `ip -n ${pod.netns} route add 169.254.1.1 dev eth0 scope link`,
      `ip -n ${pod.netns} route add default via 169.254.1.1 dev eth0`,
      `ip -n ${pod.netns} neigh add 169.254.1.1 lladdr ${mac} dev eth0 nud permanent`,
    );
    inNs(pod.netns, 'iptables-restore <<EOF\n' + ttlRules(pod.port) + 'EOF');
  }
  return lines.join('\n') + '\n';
}

/** Counters in a pod for the TTL of each SYN arriving on its port. */
function ttlRules(port: number): string {
  const rules = [`*filter`, `:${TTL_CHAIN} - [0:0]`, `-A INPUT -p tcp -m tcp --dport ${port} --syn -j ${TTL_CHAIN}`];
  for (let ttl = TTL_RANGE.max; ttl >= TTL_RANGE.min; ttl--) rules.push(`-A ${TTL_CHAIN} -m ttl --ttl-eq ${ttl} -j RETURN`);
  return [...rules, 'COMMIT', ''].join('\n');
}

/** A locally administered MAC derived from the interface name, as stable as the name. */
function macOf(name: string): string {
  const b = createHash('sha256').update(name).digest();
  return ['02', ...[0, 1, 2, 3, 4].map((i) => b[i].toString(16).padStart(2, '0'))].join(':');
}

/** SYNs a pod received by TTL. */
export interface PodTtl {
  readonly pod: string;
  readonly node: string;
  readonly address: string;
  /** SYN count by arriving TTL. */
  readonly synsByTtl: Readonly<Record<number, number>>;
}

/** kube-proxy's health-check node port as one node answered it. */
export interface HealthCheckNodePortAnswer {
  readonly node: string;
  readonly port: number;
  readonly status: number;
  readonly localEndpoints?: number;
}

/** What the emulation saw on one row, besides what the probe measures. */
export interface RowObservation {
  readonly mode: string;
  readonly url: string;
  readonly loadBalancer: {
    readonly publicAddress: string;
    readonly vpcAddress: string;
    /** Its node in each zone: the interface there. */
    readonly interfaces?: readonly { readonly zone: string; readonly address: string }[];
  };
  readonly targetHealth: readonly TargetHealth[];
  readonly healthCheckNodePort?: readonly HealthCheckNodePortAnswer[];
  /** TTL the load balancer's packets start with. */
  readonly initialTtl: number;
  readonly podTtl: readonly PodTtl[];
}

/** The running emulation: namespaces, links, agents. Built by {@link Emulation.up}, one row at a time after. */
export class Emulation {
  private constructor(
    readonly plan: EmulationPlan,
    private readonly lb: Agent,
    private readonly nlb: Agent | undefined,
    private readonly nodeAgents: ReadonlyMap<string, Agent>,
    private readonly podAgents: readonly Agent[],
    private readonly initialTtl: number,
  ) {}

  /**
   * Builds the namespaces and starts the echo servers (with `idlePods`, only the pods' agents: a rollout starts the
   * servers). Must run inside the run's own network namespace.
   */
  static async up(plan: EmulationPlan, options: { readonly idlePods?: boolean } = {}): Promise<Emulation> {
    await runScript(topologyScript(plan));
    const initialTtl = Number((await runScript(`ip netns exec ${LB_NETNS} cat /proc/sys/net/ipv4/ip_default_ttl`)).trim());
    const hasNlb = plan.rows.some((r) => r.loadBalancer === 'NLB');
    const [lb, nlb, nodeAgents, podAgents] = await Promise.all([
      Agent.start(LB_NETNS),
      hasNlb ? Agent.start(NLB_NETNS) : undefined,
      Promise.all(plan.nodes.map(async (n) => [n.name, await Agent.start(n.netns)] as const)),
      Promise.all(plan.pods.map(async (pod) => {
        const agent = await Agent.start(pod.netns);
        if (options.idlePods) return agent;
        await agent.call({
          method: 'echo', port: pod.port,
          pod: { nodeName: pod.node.name, podName: pod.name, podNamespace: pod.namespace, podIp: pod.address },
        });
        return agent;
      })),
    ]);
    return new Emulation(plan, lb, nlb, new Map(nodeAgents), podAgents, initialTtl);
  }

  /** Sets up one row's kube-proxy rules and listener, waits for health checks to settle, runs `measure`, tears the listener down. */
  async runRow<T>(row: RowPlan, expected: ExpectedPath, measure: (url: string) => Promise<T>): Promise<{
    measured: T; observation: RowObservation; forwarded: readonly AlbForwarded[];
  }> {
    const pods = podsOfRow(this.plan, row);
    const svc = nodePortService(row, pods);
    await runScript([
      ...this.plan.nodes.map((n) => `ip netns exec ${n.netns} iptables-restore <<'EOF'\n${kubeProxyRules(n, svc ? [svc] : [])}EOF`),
    ].join('\n'));
    if (svc && row.healthCheckNodePort !== undefined) {
      await Promise.all(this.plan.nodes.map((n) => this.nodeAgents.get(n.name)!.call({
        method: 'healthCheckNodePort', port: row.healthCheckNodePort!, localEndpoints: localEndpointCount(n, svc),
        service: { namespace: row.workload.namespace, name: row.workload.name },
      })));
    }
    const name = row.mode;
    const nlb = row.loadBalancer === 'NLB' ? this.nlb! : undefined;
    let registered: TargetHealth[] = [];
    if (nlb) {
      registered = await this.nlbHealth(nlb, row, expected);
      // With no healthy target an NLB fails open and sends to all of them.
      const healthy = registered.filter((t) => t.state === 'healthy');
      await runScript(`ip netns exec ${NLB_NETNS} iptables-restore <<'EOF'\n${nlbRules(row, healthy.length > 0 ? healthy : registered)}EOF`);
    } else {
      await this.lb.call({
        method: 'listen',
        listener: {
          name, listenAddress: row.publicAddress, listenPort: row.listenPort, sourceAddress: row.vpcAddress,
          nodes: row.interfaces.map((i) => ({ zone: i.zone, sourceAddress: i.address })), crossZone: row.workload.crossZone,
          targets: row.targets, healthCheck: { ...ALB_HEALTH_CHECK_DEFAULTS, path: row.workload.healthCheckPath },
        },
      });
    }
    const healthCheckNodePort = row.healthCheckNodePort === undefined ? undefined
      : await Promise.all(this.plan.nodes.map((n) => this.askHealthCheckNodePort(nlb ?? this.lb, n.name, n.address, row.healthCheckNodePort!, row.vpcAddress)));
    // Count only what arrives from here on: the NLB's own health checks start one hop nearer than client traffic.
    await runScript(pods.map((p) => `ip netns exec ${p.netns} iptables -Z ${TTL_CHAIN}`).join('\n'));
    const url = `http://${row.publicAddress}${row.listenPort === 80 ? '' : `:${row.listenPort}`}/`;
    let measured: T;
    let targetHealth = registered;
    let forwarded: AlbForwarded[] = [];
    try {
      measured = await measure(url);
    } finally {
      if (nlb) await runScript(`ip netns exec ${NLB_NETNS} iptables -t nat -F`);
      else {
        forwarded = await this.lb.call<AlbForwarded[]>({ method: 'forwarded', name });
        targetHealth = await this.lb.call<TargetHealth[]>({ method: 'unlisten', name });
      }
    }
    await Promise.all([...this.nodeAgents.values()].map((a) => a.call({ method: 'closeServers' })));
    return {
      measured, forwarded,
      observation: {
        mode: row.mode, url,
        loadBalancer: { publicAddress: row.publicAddress, vpcAddress: row.vpcAddress, interfaces: row.interfaces },
        targetHealth, healthCheckNodePort, initialTtl: nlb ? clientTtl() : this.initialTtl,
        podTtl: await this.readTtl(pods),
      },
    };
  }

  /** The agent of the load balancer stand-in, of a node (by name), of a pod's namespace. */
  agentOf(where: { readonly loadBalancer: 'ALB' } | { readonly node: string } | { readonly podNetns: string }): Agent {
    if ('loadBalancer' in where) return this.lb;
    if ('node' in where) return this.nodeAgents.get(where.node)!;
    return this.podAgents[this.plan.pods.findIndex((p) => p.netns === where.podNetns)];
  }

  /** Stops the agents; the namespaces go with the run's own namespaces. */
  down(): void {
    for (const a of [this.lb, ...(this.nlb ? [this.nlb] : []), ...this.nodeAgents.values(), ...this.podAgents]) a.stop();
  }

  /**
   * The NLB's health check as the model gives it (TCP to the target, or HTTP to the health-check node port), with
   * the controller's thresholds: 3 passes or 3 failures in a row for TCP, 2 for the HTTP check of a Local Service.
   */
  private async nlbHealth(nlb: Agent, row: RowPlan, expected: ExpectedPath): Promise<TargetHealth[]> {
    const http = expected.targetGroup.healthCheck.protocol === 'HTTP' && row.healthCheckNodePort !== undefined;
    const check = (t: { address: string; port: number }): Promise<{ pass: boolean; reason?: string }> => (http
      ? nlb.call<{ status: number }>({ method: 'get', address: t.address, port: row.healthCheckNodePort!, path: '/healthz', localAddress: row.vpcAddress })
        .then((r) => (r.status === 200 ? { pass: true } : { pass: false, reason: r.status === 0 ? 'Target.Timeout' : 'Target.ResponseCodeMismatch' }))
      : nlb.call({ method: 'tcpCheck', address: t.address, port: t.port, localAddress: row.vpcAddress, timeoutMs: NLB_CHECK_TIMEOUT_MS }));
    const thresholds = http ? NLB_HEALTH_CHECK_DEFAULTS.instanceLocal : NLB_HEALTH_CHECK_DEFAULTS.tcp;
    return Promise.all(row.targets.map(async (t) => ({ ...t, ...await settleTargetHealth(() => check(t), thresholds) })));
  }

  private async askHealthCheckNodePort(lb: Agent, node: string, address: string, port: number, from: string): Promise<HealthCheckNodePortAnswer> {
    const { status, body } = await lb.call<{ status: number; body: string }>({ method: 'get', address, port, path: '/healthz', localAddress: from });
    let localEndpoints: number | undefined;
    try {
      localEndpoints = JSON.parse(body).localEndpoints;
    } catch {
      localEndpoints = undefined;
    }
    return { node, port, status, localEndpoints };
  }

  private async readTtl(pods: readonly PodPlan[]): Promise<PodTtl[]> {
    const out = await runScript(pods.map((p) => `echo "### ${p.netns}"; ip netns exec ${shellQuote(p.netns)} iptables-save -c -t filter`).join('\n'));
    const sections = out.split(/^### /m).slice(1);
    return pods.map((pod, i) => {
      const synsByTtl: Record<number, number> = {};
      for (const m of sections[i].matchAll(new RegExp(`^\\[(\\d+):\\d+\\] -A ${TTL_CHAIN} -m ttl --ttl-eq (\\d+)`, 'gm'))) {
        if (Number(m[1]) > 0) synsByTtl[Number(m[2])] = Number(m[1]);
      }
      return { pod: pod.name, node: pod.node.name, address: pod.address, synsByTtl };
    });
  }
}

/**
 * The NLB stand-in's rules: each connection to the listener lands on the NLB's node in one zone (at random, as
 * clients pick among its addresses; only zones with a target to send to), whose chain DNATs it to a registered
 * target chosen per connection (the NLB hashes flows): any target with cross-zone load balancing, else one in that
 * zone. Without client IP preservation the connection is also SNATed to that node's subnet address.
 */
export function nlbRules(row: RowPlan, targets: readonly { address: string; port: number; zone?: string }[]): string {
  const nodes = row.interfaces.map((i, n) => ({
    ...i, chain: `NLB-ZONE-${n}`, mark: n + 1,
    targets: row.workload.crossZone ? targets : targets.filter((t) => t.zone === undefined || t.zone === i.zone),
  }));
  const live = nodes.filter((n) => n.targets.length > 0);
  // No zone with a target of its own: the NLB fails open, every node sending anywhere.
  const landing = live.length > 0 ? live : nodes.map((n) => ({ ...n, targets }));
  const rules = ['*nat', ':NLB-LISTENER - [0:0]', ...landing.map((n) => `:${n.chain} - [0:0]`),
    `-A PREROUTING -d ${row.publicAddress}/32 -p tcp -m tcp --dport ${row.listenPort} -j NLB-LISTENER`];
  const spread = (chain: string, count: number, i: number, action: string) => {
    const remaining = count - i;
    const pick = remaining > 1 ? ` -m statistic --mode random --probability ${(1 / remaining).toFixed(11)}` : '';
    rules.push(`-A ${chain} -p tcp${pick} -j ${action}`);
  };
  landing.forEach((n, i) => spread('NLB-LISTENER', landing.length, i, n.chain));
  for (const n of landing) {
    rules.push(`-A ${n.chain} -j MARK --set-mark ${n.mark}`);
    n.targets.forEach((t, i) => spread(n.chain, n.targets.length, i, `DNAT --to-destination ${t.address}:${t.port}`));
    if (!row.workload.preserveClientIp) {
      rules.push(`-A POSTROUTING -m mark --mark ${n.mark} -m conntrack --ctstate DNAT --ctorigdst ${row.publicAddress}/32 -j SNAT --to-source ${n.address}`);
    }
  }
  return [...rules, 'COMMIT', ''].join('\n');
}

function clientTtl(): number {
  return Number(fs.readFileSync('/proc/sys/net/ipv4/ip_default_ttl', 'utf8').trim());
}

/** The NodePort Service of an instance-mode row as kube-proxy sees it; none for ip mode. */
export function nodePortService(row: RowPlan, pods: readonly PodPlan[]): NodePortService | undefined {
  const w = row.workload;
  if (w.targetType !== 'instance' || w.nodePort === undefined) return undefined;
  return {
    portName: `${w.namespace}/${w.name}:http`,
    nodePort: w.nodePort,
    externalTrafficPolicy: w.externalTrafficPolicy ?? 'Cluster',
    endpoints: pods,
  };
}
