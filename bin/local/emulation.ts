import { createHash } from 'crypto';
import { Agent, runScript, shellQuote } from './netns';
import { ALB_HEALTH_CHECK_DEFAULTS, TargetHealth } from './alb';
import { NodePortService, kubeProxyRules, localEndpointCount } from './kube-proxy-rules';
import { EmulationPlan, PodPlan, RowPlan, podsOfRow } from './plan';

/** Namespace of the load balancers; the run's own namespace is the client. */
export const LB_NETNS = 'alb';
/** Namespace holding the bridge that stands in for the VPC subnet. */
export const SUBNET_NETNS = 'vpc';
/** Chain in each pod counting the TTL of arriving SYNs. */
export const TTL_CHAIN = 'LAB-TTL';
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
  const namespaces = [LB_NETNS, SUBNET_NETNS, ...plan.nodes.map((n) => n.netns), ...plan.pods.map((p) => p.netns)];
  for (const ns of namespaces) lines.push(`ip netns add ${ns}`, `ip -n ${ns} link set lo up`);
  lines.push('ip link set lo up');

  // Client side: the run's namespace reaches the load balancers' public addresses through their gateway.
  const c = plan.client;
  lines.push(`ip link add eth0 type veth peer name inet netns ${LB_NETNS}`,
    `ip addr add ${c.address}/${c.prefix} dev eth0`, 'ip link set eth0 up',
    `ip -n ${LB_NETNS} addr add ${c.gateway}/${c.prefix} dev inet`, `ip -n ${LB_NETNS} link set inet up`);
  for (const row of plan.rows) {
    lines.push(`ip -n ${LB_NETNS} addr add ${row.publicAddress}/32 dev inet`, `ip route add ${row.publicAddress}/32 via ${c.gateway}`);
  }

  // The subnet: one bridge, frames kept out of iptables as on a real L2 segment.
  lines.push(`ip -n ${SUBNET_NETNS} link add subnet type bridge`, `ip -n ${SUBNET_NETNS} link set subnet up`);
  inNs(SUBNET_NETNS, `sh -c '[ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || echo 0 > /proc/sys/net/bridge/bridge-nf-call-iptables'`);
  const attach = (ns: string, port: string) => lines.push(
    `ip -n ${ns} link add eth1 type veth peer name ${port} netns ${SUBNET_NETNS}`,
    `ip -n ${SUBNET_NETNS} link set ${port} master subnet up`, `ip -n ${ns} link set eth1 up`);
  attach(LB_NETNS, 'lb');
  for (const row of plan.rows) lines.push(`ip -n ${LB_NETNS} addr add ${row.vpcAddress}/${plan.subnet.prefix} dev eth1`);

  for (const node of plan.nodes) {
    attach(node.netns, node.netns);
    lines.push(`ip -n ${node.netns} addr add ${node.address}/${plan.subnet.prefix} dev eth1`);
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
  readonly loadBalancer: { readonly publicAddress: string; readonly vpcAddress: string };
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
    private readonly nodeAgents: ReadonlyMap<string, Agent>,
    private readonly podAgents: readonly Agent[],
    private readonly initialTtl: number,
  ) {}

  /** Builds the namespaces and starts the echo servers. Must run inside the run's own network namespace. */
  static async up(plan: EmulationPlan): Promise<Emulation> {
    await runScript(topologyScript(plan));
    const initialTtl = Number((await runScript(`ip netns exec ${LB_NETNS} cat /proc/sys/net/ipv4/ip_default_ttl`)).trim());
    const [lb, nodeAgents, podAgents] = await Promise.all([
      Agent.start(LB_NETNS),
      Promise.all(plan.nodes.map(async (n) => [n.name, await Agent.start(n.netns)] as const)),
      Promise.all(plan.pods.map(async (pod) => {
        const agent = await Agent.start(pod.netns);
        await agent.call({
          method: 'echo', port: pod.port,
          pod: { nodeName: pod.node.name, podName: pod.name, podNamespace: pod.namespace, podIp: pod.address },
        });
        return agent;
      })),
    ]);
    return new Emulation(plan, lb, new Map(nodeAgents), podAgents, initialTtl);
  }

  /** Sets up one row's kube-proxy rules and listener, waits for health checks to settle, runs `measure`, tears the listener down. */
  async runRow<T>(row: RowPlan, measure: (url: string) => Promise<T>): Promise<{ measured: T; observation: RowObservation }> {
    const pods = podsOfRow(this.plan, row);
    const svc = nodePortService(row, pods);
    await runScript([
      ...this.plan.nodes.map((n) => `ip netns exec ${n.netns} iptables-restore <<'EOF'\n${kubeProxyRules(n, svc ? [svc] : [])}EOF`),
      ...this.plan.pods.map((p) => `ip netns exec ${p.netns} iptables -Z ${TTL_CHAIN}`),
    ].join('\n'));
    if (svc && row.healthCheckNodePort !== undefined) {
      await Promise.all(this.plan.nodes.map((n) => this.nodeAgents.get(n.name)!.call({
        method: 'healthCheckNodePort', port: row.healthCheckNodePort!, localEndpoints: localEndpointCount(n, svc),
        service: { namespace: row.workload.namespace, name: row.workload.name },
      })));
    }
    const name = row.mode;
    await this.lb.call({
      method: 'listen',
      listener: {
        name, listenAddress: row.publicAddress, listenPort: row.listenPort, sourceAddress: row.vpcAddress,
        targets: row.targets, healthCheck: { ...ALB_HEALTH_CHECK_DEFAULTS, path: row.workload.healthCheckPath },
      },
    });
    const healthCheckNodePort = row.healthCheckNodePort === undefined ? undefined
      : await Promise.all(this.plan.nodes.map((n) => this.askHealthCheckNodePort(n.name, n.address, row.healthCheckNodePort!, row.vpcAddress)));
    const url = `http://${row.publicAddress}${row.listenPort === 80 ? '' : `:${row.listenPort}`}/`;
    let measured: T;
    let targetHealth: TargetHealth[];
    try {
      measured = await measure(url);
    } finally {
      targetHealth = await this.lb.call<TargetHealth[]>({ method: 'unlisten', name });
    }
    await Promise.all([...this.nodeAgents.values()].map((a) => a.call({ method: 'closeServers' })));
    return {
      measured,
      observation: {
        mode: row.mode, url,
        loadBalancer: { publicAddress: row.publicAddress, vpcAddress: row.vpcAddress },
        targetHealth, healthCheckNodePort, initialTtl: this.initialTtl,
        podTtl: await this.readTtl(pods),
      },
    };
  }

  /** Stops the agents; the namespaces go with the run's own namespaces. */
  down(): void {
    for (const a of [this.lb, ...this.nodeAgents.values(), ...this.podAgents]) a.stop();
  }

  private async askHealthCheckNodePort(node: string, address: string, port: number, from: string): Promise<HealthCheckNodePortAnswer> {
    const { status, body } = await this.lb.call<{ status: number; body: string }>({ method: 'get', address, port, path: '/healthz', localAddress: from });
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
