import * as http from 'http';
import type { Socket } from 'net';
import { randomBytes } from 'crypto';

/** A target the target group registers: a pod IP or a node with the NodePort. */
export interface AlbTarget {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** The target's availability zone; without one it counts as in every zone. */
  readonly zone?: string;
}

/** A load balancer node: one per zone, each with its own interface in that zone's subnet. */
export interface AlbNode {
  readonly zone: string;
  readonly sourceAddress: string;
}

/** How one request went through the load balancer: the interface it left by and the target it went to. */
export interface AlbForwarded {
  /** The request's `X-Amzn-Trace-Id`, which the target sees among the request headers. */
  readonly traceId: string;
  readonly loadBalancer: string;
  readonly target: string;
}

/** The target group's health check, in the shape of the ALB's settings (times scaled down for the emulation). */
export interface AlbHealthCheck {
  readonly path: string;
  /** Port to check; the target's own port when unset (`traffic-port`). */
  readonly port?: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

/** One listener and its target group. */
export interface AlbListenerConfig {
  readonly name: string;
  readonly listenAddress: string;
  readonly listenPort: number;
  /** The load balancer's address in the subnet: the source of its connections to targets. */
  readonly sourceAddress?: string;
  /**
   * The load balancer's nodes, one per zone; each client connection lands on one of them, as DNS spreads clients
   * over the nodes' addresses.
   * @default - one node, sending from `sourceAddress`
   */
  readonly nodes?: readonly AlbNode[];
  /**
   * Each node sends to targets in every zone; off, only to those in its own, and a zone without a healthy target
   * takes no connections (its node leaves the load balancer's DNS answer).
   * @default true
   */
  readonly crossZone?: boolean;
  readonly targets: readonly AlbTarget[];
  readonly healthCheck: AlbHealthCheck;
}

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining';

/** A target's health as the target group reports it. */
export interface TargetHealth extends AlbTarget {
  readonly state: TargetState;
  /** Why the last check failed: `Target.Timeout`, `Target.ResponseCodeMismatch`, `Target.FailedHealthChecks`. */
  readonly reason?: string;
  readonly checks: number;
}

/** The controller's defaults for an Ingress target group: 2 passes to become healthy, 2 failures to leave. */
export const ALB_HEALTH_CHECK_DEFAULTS: Omit<AlbHealthCheck, 'path'> = {
  intervalMs: 400, timeoutMs: 300, healthyThreshold: 2, unhealthyThreshold: 2,
};

/** Health-check thresholds of a target group, with the pause between checks (scaled down for the emulation). */
export interface HealthThresholds {
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly intervalMs: number;
}

/**
 * The controller's defaults for an NLB Service's target group: TCP checks, 3 passes to become healthy and 3 failures
 * to become unhealthy (10 s apart); with instance targets and `externalTrafficPolicy: Local`, HTTP checks of the
 * health-check node port, 2 and 2 (10 s apart, 6 s timeout).
 */
export const NLB_HEALTH_CHECK_DEFAULTS: { readonly tcp: HealthThresholds; readonly instanceLocal: HealthThresholds } = {
  tcp: { healthyThreshold: 3, unhealthyThreshold: 3, intervalMs: 200 },
  instanceLocal: { healthyThreshold: 2, unhealthyThreshold: 2, intervalMs: 200 },
};

/**
 * Checks one target until it settles, as a target group does from `initial`: healthy after `healthyThreshold`
 * passes in a row, unhealthy after `unhealthyThreshold` failures in a row.
 */
export async function settleTargetHealth(
  check: () => Promise<{ pass: boolean; reason?: string }>, thresholds: HealthThresholds,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<{ state: 'healthy' | 'unhealthy'; checks: number; reason?: string }> {
  let checks = 0;
  let passes = 0;
  let failures = 0;
  for (;;) {
    if (checks > 0) await sleep(thresholds.intervalMs);
    const result = await check();
    checks++;
    if (result.pass) {
      passes++;
      failures = 0;
      if (passes >= thresholds.healthyThreshold) return { state: 'healthy', checks };
    } else {
      failures++;
      passes = 0;
      if (failures >= thresholds.unhealthyThreshold) return { state: 'unhealthy', checks, ...(result.reason ? { reason: result.reason } : {}) };
    }
  }
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/**
 * A listener in front of a target group, behaving as an Application Load Balancer does for the lab: HTTP
 * requests are routed round robin over healthy targets (the unhealthy ones when none is healthy: the ALB fails
 * open; never to targets still `initial` or draining), each request
 * gets the caller's address appended to `X-Forwarded-For` plus `X-Forwarded-Proto`/`-Port`, connections to
 * targets are kept alive and reused, and targets are health-checked over HTTP on their own connections.
 */
export class AlbListener {
  private readonly server: http.Server;
  /** One connection pool per load balancer node and target, so that a drained target's connections can be closed on their own. */
  private readonly agents = new Map<string, http.Agent>();
  private readonly targets: AlbTarget[];
  private readonly nodes: readonly { readonly node: AlbNode | undefined; next: number }[];
  private readonly nodeOf = new WeakMap<Socket, number>();
  private readonly log: AlbForwarded[] = [];
  private readonly health = new Map<string, { state: TargetState; passes: number; failures: number; reason?: string; checks: number }>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly settledWaiters: Array<() => void> = [];
  private closed = false;

  constructor(readonly config: AlbListenerConfig) {
    this.targets = [...config.targets];
    const nodes = config.nodes && config.nodes.length > 0 ? config.nodes : [undefined];
    this.nodes = nodes.map((node) => ({ node, next: 0 }));
    this.server = http.createServer((req, res) => this.forward(req, res));
    this.server.on('connection', (socket: Socket) => this.nodeOf.set(socket, this.landingNode()));
    this.server.keepAliveTimeout = 60_000;
    for (const t of config.targets) this.health.set(key(t), { state: 'initial', passes: 0, failures: 0, checks: 0 });
  }

  /** Starts listening and health checking. */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.listenPort, this.config.listenAddress, () => resolve());
    });
    for (const t of this.config.targets) this.scheduleCheck(t, 0);
  }

  /** Registers targets, as the controller's RegisterTargets call does: each starts `initial` and is health-checked. */
  register(targets: readonly AlbTarget[]): void {
    for (const t of targets) {
      if (this.health.has(key(t))) continue;
      this.targets.push(t);
      this.health.set(key(t), { state: 'initial', passes: 0, failures: 0, checks: 0 });
      this.scheduleCheck(t, 0);
    }
  }

  /**
   * Deregisters targets, as DeregisterTargets does: each drains at once (no new requests; requests in flight go on)
   * and leaves the target group when `delayMs` (the deregistration delay) ends, its remaining connections closed.
   */
  deregister(targets: readonly AlbTarget[], delayMs: number): void {
    for (const t of targets) {
      const h = this.health.get(key(t));
      if (!h || h.state === 'draining') continue;
      h.state = 'draining';
      this.timers.push(setTimeout(() => {
        this.nodes.forEach((_, i) => {
          this.agents.get(agentKey(i, t))?.destroy();
          this.agents.delete(agentKey(i, t));
        });
        this.health.delete(key(t));
        const i = this.targets.findIndex((x) => key(x) === key(t));
        if (i >= 0) this.targets.splice(i, 1);
      }, delayMs));
    }
  }

  /** The port the listener took (the configured one, or the kernel's pick for 0). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : this.config.listenPort;
  }

  /** Resolves once every target has left `initial`. */
  settled(): Promise<void> {
    if (this.isSettled()) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  targetHealth(): TargetHealth[] {
    return this.targets.map((t) => {
      const h = this.health.get(key(t))!;
      return { ...t, state: h.state, checks: h.checks, ...(h.reason ? { reason: h.reason } : {}) };
    });
  }

  /** Each request forwarded so far: the interface it left by and the target it reached. */
  forwarded(): AlbForwarded[] {
    return [...this.log];
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const a of this.agents.values()) a.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private isSettled(): boolean {
    return [...this.health.values()].every((h) => h.state !== 'initial');
  }

  /** The targets a node may send to: all of them with cross-zone load balancing, else those in its zone. */
  private reachable(node: AlbNode | undefined): readonly AlbTarget[] {
    if ((this.config.crossZone ?? true) || node === undefined) return this.targets;
    return this.targets.filter((t) => t.zone === undefined || t.zone === node.zone);
  }

  private inState(targets: readonly AlbTarget[], state: TargetState): AlbTarget[] {
    return targets.filter((t) => this.health.get(key(t))?.state === state);
  }

  /**
   * The node a new connection lands on, at random among those with a healthy target to send to (any when none has):
   * each client resolves the load balancer's name and picks one of the nodes' addresses, unrelated to the targets.
   */
  private landingNode(): number {
    const live = this.nodes.map((_, i) => i).filter((i) => this.inState(this.reachable(this.nodes[i].node), 'healthy').length > 0);
    const pool = live.length > 0 ? live : this.nodes.map((_, i) => i);
    return pool[Math.floor(Math.random() * pool.length)];
  }

  /** Round robin over the healthy targets the node may send to. */
  private pick(nodeIndex: number): AlbTarget | undefined {
    const n = this.nodes[nodeIndex];
    const reachable = this.reachable(n.node);
    const healthy = this.inState(reachable, 'healthy');
    // With no healthy target the ALB fails open and routes to the unhealthy ones; initial and draining targets get nothing.
    const pool = healthy.length > 0 ? healthy : this.inState(reachable, 'unhealthy');
    if (pool.length === 0) return undefined;
    return pool[n.next++ % pool.length];
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const nodeIndex = this.nodeOf.get(req.socket) ?? 0;
    const target = this.pick(nodeIndex);
    if (!target) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('503 Service Temporarily Unavailable\n');
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i].toLowerCase();
      if (HOP_BY_HOP.has(name) || name.startsWith('x-forwarded-')) continue;
      const prev = headers[name];
      headers[name] = prev === undefined ? req.rawHeaders[i + 1] : ([] as string[]).concat(prev, req.rawHeaders[i + 1]);
    }
    const peer = req.socket.remoteAddress ?? '';
    const xff = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = xff ? `${xff}, ${peer}` : peer;
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-port'] = String(this.port);
    headers['x-amzn-trace-id'] ??= `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
    const { node } = this.nodes[nodeIndex];
    const source = node?.sourceAddress ?? this.config.sourceAddress;
    if (source !== undefined) this.log.push({ traceId: String(headers['x-amzn-trace-id']), loadBalancer: source, target: target.address });
    const upstream = http.request({
      host: target.address, port: target.port, method: req.method, path: req.url, headers, agent: this.agentOf(nodeIndex, target),
    }, (up) => {
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(up.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
    });
    // A caller that goes away mid-response must not take the listener down.
    res.on('error', () => undefined);
    req.on('error', () => upstream.destroy());
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('502 Bad Gateway\n');
      else res.destroy();
    });
    req.pipe(upstream);
  }

  private agentOf(nodeIndex: number, target: AlbTarget): http.Agent {
    let agent = this.agents.get(agentKey(nodeIndex, target));
    if (!agent) {
      const source = this.nodes[nodeIndex].node?.sourceAddress ?? this.config.sourceAddress;
      agent = new http.Agent({ keepAlive: true, maxSockets: 64, localAddress: source });
      this.agents.set(agentKey(nodeIndex, target), agent);
    }
    return agent;
  }

  private scheduleCheck(target: AlbTarget, delay: number): void {
    if (this.closed || !this.health.has(key(target))) return;
    this.timers.push(setTimeout(() => this.check(target), delay));
  }

  private check(target: AlbTarget): void {
    const hc = this.config.healthCheck;
    const started = Date.now();
    let done = false;
    const finish = (pass: boolean, reason?: string) => {
      if (done || this.closed) return;
      done = true;
      this.record(target, pass, reason);
      this.scheduleCheck(target, Math.max(0, hc.intervalMs - (Date.now() - started)));
    };
    const req = http.get({
      host: target.address, port: hc.port ?? target.port, path: hc.path, agent: false, localAddress: this.config.sourceAddress,
      // Set here, the timeout also covers connecting, which is where a dropped SYN hangs.
      timeout: hc.timeoutMs,
      headers: { 'user-agent': 'ELB-HealthChecker/2.0', 'connection': 'close' },
    }, (res) => {
      res.resume();
      finish(res.statusCode === 200, res.statusCode === 200 ? undefined : 'Target.ResponseCodeMismatch');
    });
    req.on('timeout', () => {
      finish(false, 'Target.Timeout');
      req.destroy();
    });
    req.on('error', () => finish(false, 'Target.FailedHealthChecks'));
  }

  private record(target: AlbTarget, pass: boolean, reason?: string): void {
    const h = this.health.get(key(target));
    // A draining target is no longer checked for traffic; its state stays until it leaves.
    if (!h || h.state === 'draining') return;
    const hc = this.config.healthCheck;
    h.checks++;
    if (pass) {
      h.passes++;
      h.failures = 0;
      if (h.passes >= hc.healthyThreshold) {
        h.state = 'healthy';
        h.reason = undefined;
      }
    } else {
      h.failures++;
      h.passes = 0;
      h.reason = reason;
      if (h.failures >= hc.unhealthyThreshold) h.state = 'unhealthy';
    }
    if (this.isSettled()) for (const w of this.settledWaiters.splice(0)) w();
  }
}

function key(t: AlbTarget): string {
  return `${t.address}:${t.port}`;
}

function agentKey(nodeIndex: number, t: AlbTarget): string {
  return `${nodeIndex}/${key(t)}`;
}
