import { createHash } from 'crypto';
import { ExpectedPath } from '../path-model';
import { expectDisruption } from '../disruption/model';
import { startLoad } from '../disruption/load';
import { summarizeDisruption } from '../disruption/summarize';
import { DisruptionSummary, ShutdownVariant } from '../disruption/types';
import { Ipv4Cidr, parseIpv4Cidr } from '../../private/validate';
import { AlbTarget, TargetHealth } from './alb';
import { Emulation } from './emulation';
import { NodePortService, kubeProxyRules } from './kube-proxy-rules';
import { runScript } from './netns';
import { EmulationPlan, LocalPlanError, NodePlan, PodPlan, RowPlan, formatIpv4, planEmulation } from './plan';

/**
 * A rollout or a node drain in the emulation: stand-ins for the Deployment and ReplicaSet controllers, the kubelet
 * (container start, readiness probe, preStop hook, grace period), the EndpointSlice, kube-proxy (its rules rewritten on
 * every node as endpoints change; the kernel's conntrack keeps established flows on the pod they were DNATed to) and
 * the AWS Load Balancer Controller (ip targets registered and deregistered some seconds after the endpoints change,
 * readiness gates set once a target is healthy), against the ALB stand-in (health-check-based registration,
 * deregistration draining), under a steady load from the client.
 *
 * Every timer runs {@link ROLLOUT_TIME_SCALE} times faster than on a cluster; the report gives emulated time.
 */

/** Emulated seconds per wall-clock second. */
export const ROLLOUT_TIME_SCALE = 40;

/**
 * Timings the objects do not carry, in emulated seconds: the controller's ALB target group health check defaults
 * (15 s apart, 5 s timeout, 2 to turn healthy or unhealthy), the lab's readiness probe (every 5 s, kubelet's default
 * failure threshold of 3), a container start, kube-proxy's minimum sync period, and the load before the disruption.
 */
export const ROLLOUT_TIMINGS = {
  containerStartSeconds: 1,
  readinessPeriodSeconds: 5,
  readinessFailureThreshold: 3,
  kubeProxySyncSeconds: 1,
  healthCheck: { intervalSeconds: 15, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 2 },
  warmupSeconds: 20,
  /** A run that has not finished by then fails. */
  limitSeconds: 900,
} as const;

/** The least wall-clock time the ALB stand-in waits for a health check's answer. */
const HEALTH_CHECK_TIMEOUT_FLOOR_MS = 300;

/** How long the controller stand-in takes from an endpoint change to the ELB API call taking effect, by default. */
export const DEFAULT_CONTROLLER_LAG_SECONDS = 5;

/** What to disrupt. */
export interface DisruptionRunOptions {
  readonly event: 'rollout' | 'drain';
  /** The controller stand-in's lag, in emulated seconds. */
  readonly controllerLagSeconds: number;
  /** Requests the client starts per wall-clock second. */
  readonly ratePerSecond: number;
}

/** One mode and shutdown variant to disrupt: its row in the plan and its expected path. */
export interface DisruptionSubject {
  readonly mode: string;
  readonly variant: ShutdownVariant;
  readonly path: ExpectedPath;
}

/** Pod sandboxes (a namespace wired to a node) the rollout's pods run in, in place of the plan's fixed pods. */
export interface RolloutPlan extends EmulationPlan {
  /** The first host number of the addresses new pods get, in each zone's subnet. */
  readonly firstPodHost: number;
}

/**
 * The emulation's plan for disrupting `subjects`: their listeners as {@link planEmulation} lays them out, and instead
 * of fixed pods a pool of sandboxes on every node, enough for one run's old and new pods on any node.
 */
export function planRollout(subjects: readonly DisruptionSubject[], options: { readonly vpcCidr: string; readonly nodeCount: number }): RolloutPlan {
  const modes = [...new Set(subjects.map((s) => s.mode))];
  const base = planEmulation(modes.map((mode) => ({ mode, path: subjects.find((s) => s.mode === mode)!.path })), options);
  const replicas = Math.max(...subjects.map((s) => s.path.workload.replicas));
  const perNode = 2 * Math.ceil(replicas / base.nodes.length) + 1;
  const pods: PodPlan[] = [];
  // The VPC CNI gives a pod an address from its node's subnet: each zone's sandboxes count from the same host.
  const inZone = new Map<string, number>();
  base.nodes.forEach((node, n) => {
    for (let k = 0; k < perNode; k++) {
      const taken = inZone.get(node.zone) ?? 0;
      inZone.set(node.zone, taken + 1);
      const address = formatIpv4(zoneSubnet(base, node).address + 100 + taken);
      pods.push({
        name: `sandbox-${n}-${k}`, namespace: '', netns: `pod${pods.length}`, node, address, port: base.rows[0].workload.containerPort,
        hostVeth: `eni${hash(`sandbox.${n}.${k}`, 11)}`, workload: '',
      });
    }
  });
  const firstPodHost = 100 + Math.max(...inZone.values());
  const zoneSize = 2 ** (32 - parseIpv4Cidr(base.subnets[0].cidr)!.prefix);
  if (firstPodHost + 8 * replicas * subjects.length >= zoneSize - 1) {
    throw new LocalPlanError(`vpcCidr ${options.vpcCidr} has no room for the rollout's pods.`);
  }
  return { ...base, pods, firstPodHost };
}

/** The subnet of `node`'s zone. */
function zoneSubnet(plan: EmulationPlan, node: NodePlan): Ipv4Cidr {
  return parseIpv4Cidr(plan.subnets.find((s) => s.zone === node.zone)!.cidr)!;
}

/** A pod of the run, as the stand-ins see it. */
interface Pod {
  readonly name: string;
  readonly node: NodePlan;
  /** Its sandbox and address, once the pod is set up. */
  readonly sandbox?: PodPlan;
  readonly address: string;
  /** The pod template's generation: a rollout creates pods of the next one. */
  readonly generation: number;
  phase: 'starting' | 'running' | 'terminating' | 'exited';
  /** The readiness probe passes (the `ContainersReady` condition). */
  containersReady: boolean;
  probeFailures: number;
  /** The readiness gate is true, or there is none. */
  gatePassed: boolean;
}

/** Sandboxes and addresses, shared by the runs. */
export class SandboxPool {
  private readonly inUse = new Set<string>();
  private readonly addresses = new Map<string, string>();
  /** The next host number in each zone's subnet. */
  private readonly nextHost = new Map<string, number>();

  constructor(private readonly plan: RolloutPlan) {
    for (const p of plan.pods) this.addresses.set(p.netns, p.address);
  }

  /** A free sandbox on `node` and a new address for it, wired (the node's /32 route, the pod's address). */
  async take(node: NodePlan): Promise<{ sandbox: PodPlan; address: string }> {
    const sandbox = this.plan.pods.find((p) => p.node.name === node.name && !this.inUse.has(p.netns));
    if (!sandbox) throw new Error(`no pod sandbox left on ${node.name}`);
    this.inUse.add(sandbox.netns);
    const old = this.addresses.get(sandbox.netns)!;
    const host = this.nextHost.get(node.zone) ?? this.plan.firstPodHost;
    this.nextHost.set(node.zone, host + 1);
    const address = formatIpv4(zoneSubnet(this.plan, node).address + host);
    this.addresses.set(sandbox.netns, address);
    await runScript([
      `ip -n ${node.netns} route del ${old}/32 dev ${sandbox.hostVeth}`,
      `ip -n ${node.netns} route add ${address}/32 dev ${sandbox.hostVeth} scope link`,
      // The new address first: removing a device's last address would take its routes with it.
      `ip -n ${sandbox.netns} addr add ${address}/32 dev eth0`,
      `ip -n ${sandbox.netns} addr del ${old}/32 dev eth0`,
    ].join('\n'));
    return { sandbox, address };
  }

  /** Frees every sandbox for the next run. */
  releaseAll(): void {
    this.inUse.clear();
  }
}

/** Everything one run needs. */
interface RunContext {
  readonly emulation: Emulation;
  readonly plan: RolloutPlan;
  readonly pool: SandboxPool;
  readonly row: RowPlan;
  readonly subject: DisruptionSubject;
  readonly options: DisruptionRunOptions;
}

const wallMs = (seconds: number) => (seconds * 1000) / ROLLOUT_TIME_SCALE;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The cluster behind one path while it is disrupted: the pods, their endpoints, kube-proxy's rules and the
 * controller's registrations, each reacting to the others as on a cluster.
 */
class ClusterStandIn {
  readonly pods: Pod[] = [];
  /** ip targets the controller stand-in has registered, by address. */
  private readonly registered = new Map<string, AlbTarget>();
  private readonly cordoned = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private generation = 0;
  private created = 0;
  private endpointsKey = '';
  /** Each stand-in's steps, one at a time: a slow one (a shell step) holds up only its own. */
  private readonly chains: Record<'kubelet' | 'kube-proxy' | 'controller', Promise<void>> = {
    'kubelet': Promise.resolve(), 'kube-proxy': Promise.resolve(), 'controller': Promise.resolve(),
  };
  private changeQueued = false;
  private closed = false;
  /** The first error of a stand-in's step; the run fails with it. */
  failure?: Error;

  constructor(private readonly ctx: RunContext) {}

  private get path(): ExpectedPath {
    return this.ctx.subject.path;
  }

  private get ipTargets(): boolean {
    return this.path.targetType === 'ip';
  }

  /** Pods that are neither terminating nor gone. */
  active(): Pod[] {
    return this.pods.filter((p) => p.phase === 'starting' || p.phase === 'running');
  }

  ready(p: Pod): boolean {
    return p.phase === 'running' && p.containersReady && p.gatePassed;
  }

  /** The ALB listener's name for this path. */
  get listener(): string {
    return this.ctx.row.mode;
  }

  /** Creates the Deployment's pods and waits until each is Ready. */
  async start(): Promise<void> {
    this.reconcileDeployment();
    await this.until(() => this.active().length === this.replicas && this.active().every((p) => this.ready(p)));
  }

  /** `kubectl rollout restart`: a new pod template, rolled out by the Deployment's surge and unavailability rules. */
  rollout(): void {
    this.generation += 1;
    this.changed();
  }

  /** `kubectl drain`: cordon the first node, evict its pods (no disruption budget), uncordon once they are gone. */
  drain(): Pod[] {
    const node = this.ctx.plan.nodes.find((n) => this.active().some((p) => p.node.name === n.name))!;
    this.cordoned.add(node.name);
    const evicted = this.active().filter((p) => p.node.name === node.name);
    for (const p of evicted) this.deletePod(p);
    return evicted;
  }

  uncordonAll(): void {
    this.cordoned.clear();
  }

  /** Whether the rollout or drain has finished: old pods gone, the Deployment's pods Ready and, for ip, healthy targets. */
  async settled(evicted: readonly Pod[]): Promise<boolean> {
    const old = this.pods.filter((p) => p.generation < this.generation || evicted.includes(p));
    if (old.some((p) => p.phase !== 'exited')) return false;
    const active = this.active();
    if (active.length !== this.replicas || !active.every((p) => this.ready(p))) return false;
    if (!this.ipTargets) return true;
    const health = await this.targetHealth();
    return active.every((p) => health.find((t) => t.address === p.address)?.state === 'healthy');
  }

  /** Resolves once `condition` holds; a stand-in's failure or the time limit rejects. */
  async until(condition: () => boolean | Promise<boolean>): Promise<void> {
    const deadline = Date.now() + wallMs(ROLLOUT_TIMINGS.limitSeconds);
    for (;;) {
      if (this.failure) throw this.failure;
      if (await condition()) return;
      if (Date.now() > deadline) {
        const pods = this.pods.map((p) => `${p.name} ${p.address || '-'} ${p.phase}${this.ready(p) ? ' Ready' : p.containersReady ? ' ContainersReady' : ''}`);
        const targets = (await this.targetHealth()).map((t) => `${t.address} ${t.state}`);
        throw new Error(`${this.ctx.row.mode} (${this.ctx.subject.variant}) did not settle within ${ROLLOUT_TIMINGS.limitSeconds} cluster seconds ` +
          `(pods: ${pods.join(', ') || 'none'}; targets: ${targets.join(', ') || 'none'})`);
      }
      await sleep(10);
    }
  }

  /** Stops every timer and server of the run. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.all(Object.values(this.chains));
    await Promise.all(this.pods.filter((p) => p.phase !== 'exited' && p.sandbox).map((p) => this.agentOf(p).call({ method: 'stopEcho', how: 'fast' })));
  }

  /** Writes kube-proxy's rules now, after the steps already queued. */
  async syncKubeProxyNow(): Promise<void> {
    this.serially('kube-proxy', () => this.syncKubeProxy());
    await this.chains['kube-proxy'];
  }

  async targetHealth(): Promise<TargetHealth[]> {
    return this.ctx.emulation.agentOf({ loadBalancer: 'ALB' }).call<TargetHealth[]>({ method: 'targetHealth', name: this.listener });
  }

  private get replicas(): number {
    return this.path.workload.replicas;
  }

  private agentOf(p: Pod) {
    return this.ctx.emulation.agentOf({ podNetns: p.sandbox!.netns });
  }

  private after(seconds: number, step: () => void | Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.closed) return;
      Promise.resolve().then(step).catch((e: Error) => { this.failure ??= e; });
    }, wallMs(seconds));
    this.timers.add(timer);
  }

  /** Runs `step` after the steps of the same stand-in queued before it. */
  private serially(who: keyof ClusterStandIn['chains'], step: () => Promise<void>): void {
    this.chains[who] = this.chains[who].then(() => (this.closed ? undefined : step())).catch((e: Error) => { this.failure ??= e; });
  }

  /** Something changed: the controllers react at once, kube-proxy and the load balancer controller after their lag. */
  private changed(): void {
    if (this.changeQueued) return;
    this.changeQueued = true;
    setImmediate(() => {
      this.changeQueued = false;
      if (this.closed) return;
      this.reconcileDeployment();
      const key = JSON.stringify(this.pods.filter((p) => p.phase !== 'exited')
        .map((p) => [p.address, this.ready(p), p.containersReady, p.phase === 'terminating']));
      if (key === this.endpointsKey) return;
      this.endpointsKey = key;
      if (!this.ipTargets) this.after(ROLLOUT_TIMINGS.kubeProxySyncSeconds, () => this.serially('kube-proxy', () => this.syncKubeProxy()));
      else this.after(this.ctx.options.controllerLagSeconds, () => this.serially('controller', () => this.reconcileTargets()));
    });
  }

  /**
   * The Deployment controller's rolling update (new pods up to `replicas + maxSurge`, old ones removed while at least
   * `replicas - maxUnavailable` pods stay available) and the ReplicaSet's replacement of evicted pods.
   */
  private reconcileDeployment(): void {
    const { maxSurge, maxUnavailable } = this.path.shutdown;
    const active = this.active();
    const current = active.filter((p) => p.generation === this.generation);
    const older = active.filter((p) => p.generation < this.generation);
    let total = active.length;
    let newCount = current.length;
    const surge = older.length > 0 ? maxSurge : 0;
    while (newCount < this.replicas && total < this.replicas + surge) {
      this.createPod();
      newCount += 1;
      total += 1;
    }
    if (older.length === 0) return;
    const newUnavailable = this.active().filter((p) => p.generation === this.generation && !this.ready(p)).length;
    let scaleDown = this.active().length - (this.replicas - maxUnavailable) - newUnavailable;
    // Pods that are not ready go first, as the ReplicaSet controller picks them.
    for (const p of [...older].sort((a, b) => Number(this.ready(a)) - Number(this.ready(b)))) {
      if (scaleDown <= 0) break;
      this.deletePod(p);
      scaleDown -= 1;
    }
  }

  /** The scheduler: the least-loaded node that is not cordoned (topology spread over nodes). */
  private schedule(): NodePlan {
    const nodes = this.ctx.plan.nodes.filter((n) => !this.cordoned.has(n.name));
    const load = (n: NodePlan) => this.active().filter((p) => p.node.name === n.name).length;
    return [...nodes].sort((a, b) => load(a) - load(b))[0];
  }

  private createPod(): void {
    const node = this.schedule();
    const n = this.created++;
    const w = this.path.workload;
    const template = hash(`${this.ctx.subject.variant}/${this.generation}`, 10);
    const placeholder: Pod = {
      name: `${w.name}-${template}-${hash(`${this.ctx.row.mode}/${this.ctx.subject.variant}/${this.ctx.options.event}/${n}`, 5)}`,
      node, address: '', generation: this.generation,
      phase: 'starting', containersReady: false, probeFailures: 0, gatePassed: !this.path.shutdown.readinessGate,
    };
    this.pods.push(placeholder);
    this.serially('kubelet', async () => {
      const { sandbox, address } = await this.ctx.pool.take(node);
      Object.assign(placeholder, { sandbox, address });
      this.after(ROLLOUT_TIMINGS.containerStartSeconds, async () => {
        if (placeholder.phase !== 'starting') return;
        await this.agentOf(placeholder).call({
          method: 'echo', port: w.containerPort,
          pod: { nodeName: node.name, podName: placeholder.name, podNamespace: w.namespace, podIp: address },
        });
        placeholder.phase = 'running';
        this.probe(placeholder);
      });
    });
  }

  /** The kubelet's readiness probe, from the node, until the pod is gone. */
  private probe(p: Pod): void {
    if (p.phase === 'exited') return;
    const node = this.ctx.emulation.agentOf({ node: p.node.name });
    void node.call<{ status: number }>({ method: 'get', address: p.address, port: this.path.workload.containerPort, path: '/' }).then((r) => {
      if (this.closed || p.phase === 'exited') return;
      const pass = r.status === 200;
      p.probeFailures = pass ? 0 : p.probeFailures + 1;
      const ready = pass || (p.containersReady && p.probeFailures < ROLLOUT_TIMINGS.readinessFailureThreshold);
      if (ready !== p.containersReady) {
        p.containersReady = ready;
        this.changed();
      }
      this.after(ROLLOUT_TIMINGS.readinessPeriodSeconds, () => this.probe(p));
    }, (e: Error) => { this.failure ??= e; });
  }

  /** The kubelet stops a deleted pod: the preStop hook (its delay, then the signal to nginx), killed at the grace period's end. */
  private deletePod(p: Pod): void {
    p.phase = 'terminating';
    this.changed();
    const s = this.path.shutdown;
    const stop = (how: 'graceful' | 'fast') => async () => {
      if (p.phase === 'exited') return;
      await this.agentOf(p).call({ method: 'stopEcho', how });
      p.phase = 'exited';
      p.containersReady = false;
      this.changed();
    };
    this.after(s.preStopDelaySeconds, stop(s.stop === 'graceful' ? 'graceful' : 'fast'));
    this.after(s.terminationGracePeriodSeconds, stop('fast'));
  }

  /**
   * kube-proxy on every node: the ready endpoints, or, while none is ready, those still serving though terminating
   * (as kube-proxy falls back to them). Rewriting the rules leaves conntrack alone: established flows stay with the pod
   * they were DNATed to.
   */
  private async syncKubeProxy(): Promise<void> {
    const live = this.pods.filter((p) => p.phase !== 'exited' && p.sandbox !== undefined);
    const ready = live.filter((p) => this.ready(p));
    const endpoints = (ready.length > 0 ? ready : live.filter((p) => p.phase === 'terminating' && p.containersReady))
      .map((p): PodPlan => ({ ...p.sandbox!, name: p.name, address: p.address }));
    await writeKubeProxyRules(this.ctx, endpoints);
  }

  /**
   * The controller's reconcile of the path's target group: register the pods its endpoint resolver takes (ready, or
   * containers ready and not terminating: the gated pods), deregister the rest, and set each readiness gate once its
   * target is healthy, checking again after its lag until every gate is set.
   */
  private async reconcileTargets(): Promise<void> {
    const lb = this.ctx.emulation.agentOf({ loadBalancer: 'ALB' });
    const port = this.path.workload.containerPort;
    const wanted = this.pods.filter((p) => p.sandbox !== undefined && (p.phase === 'running' && (this.ready(p) || p.containersReady)));
    const gone = [...this.registered.values()].filter((t) => !wanted.some((p) => p.address === t.address));
    const added = wanted.filter((p) => !this.registered.has(p.address)).map((p) => ({ name: p.name, address: p.address, port }));
    if (gone.length > 0) {
      for (const t of gone) this.registered.delete(t.address);
      await lb.call({ method: 'deregister', name: this.listener, targets: gone, delayMs: wallMs(this.path.shutdown.deregistrationDelaySeconds) });
    }
    if (added.length > 0) {
      for (const t of added) this.registered.set(t.address, t);
      await lb.call({ method: 'register', name: this.listener, targets: added });
    }
    const gated = this.pods.filter((p) => !p.gatePassed && p.phase === 'running' && this.registered.has(p.address));
    if (gated.length === 0) return;
    const health = await this.targetHealth();
    for (const p of gated) {
      if (health.find((t) => t.address === p.address)?.state === 'healthy') p.gatePassed = true;
    }
    if (gated.some((p) => p.gatePassed)) this.changed();
    if (gated.some((p) => !p.gatePassed)) this.after(this.ctx.options.controllerLagSeconds, () => this.serially('controller', () => this.reconcileTargets()));
  }
}

/** kube-proxy's rules for the path's NodePort Service on every node. */
async function writeKubeProxyRules(ctx: RunContext, endpoints: readonly PodPlan[]): Promise<void> {
  const w = ctx.row.workload;
  const svc: NodePortService | undefined = w.targetType === 'instance' && w.nodePort !== undefined
    ? { portName: `${w.namespace}/${w.name}:http`, nodePort: w.nodePort, externalTrafficPolicy: w.externalTrafficPolicy ?? 'Cluster', endpoints }
    : undefined;
  await runScript(ctx.plan.nodes.map((n) => `ip netns exec ${n.netns} iptables-restore <<'EOF'\n${kubeProxyRules(n, svc ? [svc] : [])}EOF`).join('\n'));
}

/**
 * Disrupts one path under load: its pods created and Ready, the listener up with healthy targets, the load started;
 * then the rollout or the drain, until it has settled, and a little more load. The summary is in emulated time.
 */
export async function runDisruption(emulation: Emulation, plan: RolloutPlan, pool: SandboxPool, subject: DisruptionSubject,
  options: DisruptionRunOptions): Promise<DisruptionSummary> {
  const row = plan.rows.find((r) => r.mode === subject.mode)!;
  const ctx: RunContext = { emulation, plan, pool, row, subject, options };
  const cluster = new ClusterStandIn(ctx);
  const lb = emulation.agentOf({ loadBalancer: 'ALB' });
  const hc = ROLLOUT_TIMINGS.healthCheck;
  const listener = async (targets: readonly AlbTarget[]) => lb.call({
    method: 'listen',
    listener: {
      name: row.mode, listenAddress: row.publicAddress, listenPort: row.listenPort, sourceAddress: row.vpcAddress, targets,
      healthCheck: {
        // The timeout has a floor: on a busy machine, scheduling delays would otherwise read as failed checks.
        path: row.workload.healthCheckPath, intervalMs: wallMs(hc.intervalSeconds), timeoutMs: Math.max(wallMs(hc.timeoutSeconds), HEALTH_CHECK_TIMEOUT_FLOOR_MS),
        healthyThreshold: hc.healthyThreshold, unhealthyThreshold: hc.unhealthyThreshold,
      },
    },
  });
  try {
    if (subject.path.targetType === 'ip') await listener([]);
    await cluster.start();
    if (subject.path.targetType === 'ip') {
      await cluster.until(async () => (await cluster.targetHealth()).filter((t) => t.state === 'healthy').length === subject.path.workload.replicas);
    } else {
      // Wait for kube-proxy's rules to have every endpoint before the nodes are checked.
      await cluster.syncKubeProxyNow();
      await listener(row.targets);
    }
    const url = `http://${row.publicAddress}${row.listenPort === 80 ? '' : `:${row.listenPort}`}/`;
    const load = startLoad({ url, ratePerSecond: options.ratePerSecond, windowMs: wallMs(ROLLOUT_TIMINGS.warmupSeconds) + 1000, keepAlive: true, timeoutMs: 2000 });
    // Kept a second (40 cluster seconds) ahead, which is also how long the load runs on once the disruption settled:
    // a load whose window ran out while this process was busy would end for good.
    const extend = setInterval(() => load.extendTo(load.elapsedMs() + 1000), 20);
    let eventAtMs: number;
    let eventEndMs: number;
    let note: string;
    try {
      await sleep(wallMs(ROLLOUT_TIMINGS.warmupSeconds));
      eventAtMs = load.elapsedMs();
      const before = cluster.pods.filter((p) => p.phase === 'running').map((p) => p.name);
      const evicted = options.event === 'rollout' ? (cluster.rollout(), []) : cluster.drain();
      await cluster.until(() => cluster.settled(evicted));
      eventEndMs = load.elapsedMs();
      cluster.uncordonAll();
      const w = subject.path.workload;
      const took = `settled ${((eventEndMs - eventAtMs) * ROLLOUT_TIME_SCALE / 1000).toFixed(0)} s later`;
      note = options.event === 'rollout'
        ? `rollout restart of ${w.namespace}/${w.name} (maxSurge ${subject.path.shutdown.maxSurge}, maxUnavailable ${subject.path.shutdown.maxUnavailable}): ` +
          `${before.length} pods replaced, ${took}`
        : `drain of ${evicted[0]?.node.name ?? 'a node'}: evicted ${evicted.map((p) => p.name).join(', ')}, ${took}, uncordoned`;
    } finally {
      clearInterval(extend);
    }
    const samples = await load.done;
    return summarizeDisruption({
      path: subject.mode, variant: subject.variant, event: options.event,
      samples: samples.map((s) => ({ ...s, startMs: s.startMs * ROLLOUT_TIME_SCALE })),
      eventAtMs: eventAtMs * ROLLOUT_TIME_SCALE, eventEndMs: eventEndMs * ROLLOUT_TIME_SCALE, notes: [note],
      expectation: expectDisruption(subject.path, options.event, { deregistrationLagSeconds: options.controllerLagSeconds }),
    });
  } finally {
    await cluster.close();
    await lb.call({ method: 'unlisten', name: row.mode });
    await writeKubeProxyRules(ctx, []);
    pool.releaseAll();
  }
}

function hash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
