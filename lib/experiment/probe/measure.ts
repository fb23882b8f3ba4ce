import * as http from 'http';
import * as https from 'https';
import { isIP } from 'net';
import { ClientIpLocation, ExpectedPath, PeerClass, zoneHopsText } from '../path-model';
import { EchoFormatError, EchoResponse, forwardedFor, parseEchoResponse } from '../echo-response';
import { ipv6Number, parseIpv4Cidr, parseIpv6Cidr } from '../../private/validate';
import { UserError } from '../../errors';
import { ForwardedVia, INTER_ZONE_PRICE_PER_GB, LabSubnet, ZoneCostEstimate, ZoneMeasurement, hopText, measureZones, zoneCost } from './zones';

/** One entry point to measure. */
export interface ProbeTarget {
  /** Name of the mode in the report, e.g. `ip` or `instance`. */
  readonly mode: string;
  /** `http://` or `https://` URL of the load balancer (or its stand-in). */
  readonly url: string;
  /** What the path model expects; without it the mode is measured but not compared. */
  readonly expected?: ExpectedPath;
}

/**
 * What the probe cannot learn from the echo responses alone, to classify the pod's TCP peer.
 *
 * Classification, first match wins: the caller's address → `client`; a node address (given here, inside
 * `nodeCidrs`, or read from an EKS node name such as `ip-10-0-3-17.ec2.internal`) → `node`; a load balancer
 * address or inside `loadBalancerCidrs` → `load-balancer`; any other private address (10/8, 172.16/12,
 * 192.168/16, 100.64/10, IPv6 unique local fc00::/7) → `load-balancer`, since inside the lab's VPC only nodes and
 * load balancer interfaces send to pods; anything else → `client`. Blocks may be IPv4 or IPv6; a VPC's
 * Amazon-provided IPv6 block is global, not private, so give it as `loadBalancerCidrs` to classify an IPv6 cluster's
 * load balancer interfaces.
 */
export interface PeerHints {
  /** The caller's address as load balancers see it. @default - the last `X-Forwarded-For` entry most responses agree on */
  readonly clientIp?: string;
  /** Node addresses by node name (the name the echo server prints). */
  readonly nodeAddresses?: Readonly<Record<string, string>>;
  /** Blocks holding node addresses only (IPv4 or IPv6), e.g. the private subnets when pods use other subnets. */
  readonly nodeCidrs?: readonly string[];
  /** Load balancer (or stand-in) addresses. */
  readonly loadBalancerAddresses?: readonly string[];
  /** Blocks holding load balancer addresses (IPv4 or IPv6), e.g. the public subnets, or an IPv6 VPC's block. */
  readonly loadBalancerCidrs?: readonly string[];
  /** The VPC's subnets with their zones; with them, every address is placed in a zone and the zone rows are measured. */
  readonly subnets?: readonly LabSubnet[];
}

/** How to probe. */
export interface ProbeOptions {
  /** Requests per mode. @default 200 */
  readonly requests?: number;
  /** Requests in flight at once, per mode. @default 8 */
  readonly concurrency?: number;
  /**
   * Reuse connections. Off, every request opens its own connection, so a pass-through path (NLB, NodePort) picks
   * a pod per request; on, a connection sticks to the pod it reached. An ALB balances per request either way.
   * @default false
   */
  readonly keepAlive?: boolean;
  /** Per-request timeout in milliseconds. @default 5000 */
  readonly timeoutMs?: number;
  /** Peer-classification hints. @default - none: the heuristics of {@link PeerHints} */
  readonly hints?: PeerHints;
  /**
   * Inter-zone data transfer price, US dollars per GB in each direction, for the cost estimate.
   * @default 0.01 - {@link INTER_ZONE_PRICE_PER_GB}
   */
  readonly interZonePricePerGb?: number;
  /** Called after each request. @default - no progress reporting */
  readonly onProgress?: (progress: { readonly mode: string; readonly done: number; readonly total: number }) => void;
}

/** A peer class, or `unknown` when an address matched nothing. */
export type MeasuredPeerClass = PeerClass | 'unknown';

/** What one mode's requests showed. */
export interface MeasuredPath {
  readonly requests: number;
  /** Requests answered with an echo response. */
  readonly answered: number;
  /** Requests that failed, by reason (`HTTP 502`, `ECONNRESET`, `timeout`). */
  readonly failures: Readonly<Record<string, number>>;
  /** Serving pod name → requests. */
  readonly pods: Readonly<Record<string, number>>;
  /** Serving pod's node name → requests. */
  readonly nodes: Readonly<Record<string, number>>;
  /** The pod's TCP peer address → requests. */
  readonly peers: Readonly<Record<string, number>>;
  /** The pod's TCP peer, classified → requests. */
  readonly peerClasses: Readonly<Record<MeasuredPeerClass, number>>;
  /** Responses whose TCP peer is the caller's address itself; undefined when that address is unknown. */
  readonly peerIsClient?: number;
  /** Responses whose request carried `X-Forwarded-For`. */
  readonly xForwardedFor: number;
  /** Responses whose `X-Forwarded-For` ends with the caller's address; undefined when that address is unknown. */
  readonly xForwardedForEndsWithClient?: number;
  /**
   * Requests whose entry node is known (the peer is a node address, after SNAT) and, of those, the ones served by
   * a pod on another node.
   */
  readonly crossNode: { readonly observed: number; readonly crossed: number };
  /** Latency from sending the request to the end of the response, in milliseconds. */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number };
  /** Zones of the answered requests; measured when the hints carry the subnets. */
  readonly zones?: ZoneMeasurement;
}

/** One expectation of the model against what was measured. */
export interface ProbeCheck {
  readonly name: string;
  readonly expected: string;
  readonly measured: string;
  readonly agree: boolean;
}

/** A mode's measurement and, when a model was given, its comparison. */
export interface ModeResult {
  readonly mode: string;
  readonly url: string;
  readonly expected?: ExpectedPath;
  readonly measured: MeasuredPath;
  readonly checks: readonly ProbeCheck[];
  /** Every check agrees (true when there is nothing to compare). */
  readonly agree: boolean;
  /** Inter-zone transfer cost per million requests, when zones were measured. */
  readonly zoneCost?: ZoneCostEstimate;
}

/** The whole probe. */
export interface ProbeReport {
  readonly modes: readonly ModeResult[];
  /** The caller's address used for classification and where it came from. */
  readonly clientIp?: { readonly address: string; readonly source: 'given' | 'x-forwarded-for' };
  readonly agree: boolean;
}

/** A mode that could not be measured at all; one line for the user. */
export class ProbeError extends UserError {
  constructor(readonly reason: 'unreachable' | 'not-echo', message: string) {
    super(message);
  }
}

/** One request's outcome. */
export interface ProbeSample {
  readonly latencyMs: number;
  readonly echo?: EchoResponse;
  /** Why the request failed, when it did. */
  readonly failure?: string;
  /** Bytes of the response's status line, headers and body. */
  readonly responseBytes?: number;
  /** What a stand-in load balancer reports of the request's way; never on AWS. */
  readonly via?: ForwardedVia;
}

/**
 * Sends `requests` GET requests to each target (modes one after another), parses the echo responses, classifies
 * the pod's TCP peer and compares with each target's expected path.
 *
 * Throws {@link ProbeError} when a target does not answer its first request or answers something that is not an
 * echo response.
 */
export async function probePaths(targets: readonly ProbeTarget[], options: ProbeOptions = {}): Promise<ProbeReport> {
  const collected: { target: ProbeTarget; samples: ProbeSample[] }[] = [];
  for (const target of targets) {
    collected.push({ target, samples: await sampleTarget(target, options) });
  }
  return analyse(collected, options.hints ?? {}, options.interZonePricePerGb);
}

/** The measurement and comparison from samples already taken; what {@link probePaths} does after sending. */
export function analyse(collected: readonly { readonly target: ProbeTarget; readonly samples: readonly ProbeSample[] }[],
  hints: PeerHints, interZonePricePerGb = INTER_ZONE_PRICE_PER_GB): ProbeReport {
  const echoes = collected.flatMap((c) => c.samples.flatMap((s) => (s.echo ? [s.echo] : [])));
  const clientIp = hints.clientIp !== undefined
    ? { address: hints.clientIp, source: 'given' as const }
    : inferClientIp(echoes);
  const classifier = peerClassifier({ ...hints, clientIp: clientIp?.address }, echoes);
  const modes = collected.map(({ target, samples }) => {
    const measured = measure(samples, classifier, clientIp?.address, hints.subnets, target.expected);
    const checks = target.expected ? comparePath(target.expected, measured, clientIp) : [];
    const cost = measured.zones && zoneCost(measured.zones, target.expected?.loadBalancer ?? 'ALB', interZonePricePerGb);
    return {
      mode: target.mode, url: target.url, expected: target.expected, measured, checks, agree: checks.every((c) => c.agree),
      ...(cost ? { zoneCost: cost } : {}),
    };
  });
  return { modes, clientIp, agree: modes.every((m) => m.agree) };
}

/** Sends one target's requests and returns each outcome, unanalysed; what {@link probePaths} does before {@link analyse}. */
export async function sampleTarget(target: ProbeTarget, options: ProbeOptions): Promise<ProbeSample[]> {
  const total = Math.max(1, options.requests ?? 200);
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 8, total));
  const keepAlive = options.keepAlive ?? false;
  const timeoutMs = options.timeoutMs ?? 5000;
  const url = new URL(target.url);
  const lib = url.protocol === 'https:' ? https : http;
  const agent = new lib.Agent({ keepAlive, maxSockets: concurrency });
  let done = 0;
  const one = async (): Promise<ProbeSample> => {
    const sample = await request(lib, url, agent, keepAlive, timeoutMs);
    done += 1;
    options.onProgress?.({ mode: target.mode, done, total });
    return sample;
  };
  try {
    const first = await one();
    const why = first.failure;
    if (why !== undefined && (why.startsWith('HTTP ') || why.startsWith('not an echoserver response'))) {
      throw new ProbeError('not-echo', `${target.mode}: ${target.url} did not answer like the echo server (${why}).`);
    }
    if (why !== undefined) {
      throw new ProbeError('unreachable', `${target.mode}: ${target.url} is unreachable (${why}).`);
    }
    const samples: ProbeSample[] = [first];
    let next = 1;
    const worker = async () => {
      while (next < total) {
        next += 1;
        samples.push(await one());
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return samples;
  } finally {
    agent.destroy();
  }
}

function request(lib: typeof http | typeof https, url: URL, agent: http.Agent, keepAlive: boolean, timeoutMs: number): Promise<ProbeSample> {
  const start = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - start) / 1e6;
  return new Promise((resolve) => {
    const req = lib.request(url, {
      method: 'GET', agent, timeout: timeoutMs,
      headers: { 'user-agent': 'eks-lb-lab-probe', ...(keepAlive ? {} : { connection: 'close' }) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => resolve({ latencyMs: elapsed(), failure: errorName(e) }));
      res.on('end', () => {
        const latencyMs = elapsed();
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        const head = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\r\n`;
        let headerBytes = Buffer.byteLength(head) + 2;
        for (let i = 0; i < res.rawHeaders.length; i += 2) headerBytes += Buffer.byteLength(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`);
        if (res.statusCode !== 200) {
          resolve({ latencyMs, failure: `HTTP ${res.statusCode}` });
          return;
        }
        try {
          resolve({ latencyMs, echo: parseEchoResponse(text), responseBytes: headerBytes + body.length });
        } catch (e) {
          resolve({ latencyMs, failure: e instanceof EchoFormatError ? e.message : String(e) });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ latencyMs: elapsed(), failure: errorName(e) }));
    req.end();
  });
}

function errorName(e: Error & { code?: string }): string {
  return e.code ?? e.message;
}

/** The last `X-Forwarded-For` entry most responses agree on: the address the load balancer saw the caller as. */
function inferClientIp(echoes: readonly EchoResponse[]): ProbeReport['clientIp'] {
  const counts = new Map<string, number>();
  for (const e of echoes) {
    const last = forwardedFor(e).at(-1);
    if (last !== undefined) counts.set(last, (counts.get(last) ?? 0) + 1);
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  return best ? { address: best[0], source: 'x-forwarded-for' } : undefined;
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];

/** The IPv4 address an EKS node name carries (`ip-10-0-3-17.ec2.internal` → `10.0.3.17`). */
export function addressFromNodeName(name: string): string | undefined {
  const m = /^ip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(\.|$)/.exec(name);
  return m ? m.slice(1, 5).join('.') : undefined;
}

/** Classifies peers as documented on {@link PeerHints}; also maps a node address back to its node name. */
export interface PeerClassifier {
  readonly classify: (address: string) => MeasuredPeerClass;
  readonly nodeNameOf: (address: string) => string | undefined;
  readonly nodeAddressOf: (name: string) => string | undefined;
}

export function peerClassifier(hints: PeerHints, echoes: readonly EchoResponse[] = []): PeerClassifier {
  const byName = new Map<string, string>();
  for (const e of echoes) {
    const address = e.pod ? addressFromNodeName(e.pod.nodeName) : undefined;
    if (e.pod && address) byName.set(e.pod.nodeName, address);
  }
  for (const [name, address] of Object.entries(hints.nodeAddresses ?? {})) byName.set(name, address);
  const byAddress = new Map([...byName.entries()].map(([n, a]) => [a, n]));
  const nodeCidrs = hints.nodeCidrs ?? [];
  const lbAddresses = new Set(hints.loadBalancerAddresses ?? []);
  const lbCidrs = hints.loadBalancerCidrs ?? [];
  return {
    classify: (address) => {
      const a = plainIpv4(address);
      if (isIP(a) === 0) return 'unknown';
      if (hints.clientIp !== undefined && a === plainIpv4(hints.clientIp)) return 'client';
      if (byAddress.has(a) || inAny(a, nodeCidrs)) return 'node';
      if (lbAddresses.has(a) || inAny(a, lbCidrs)) return 'load-balancer';
      if (inAny(a, PRIVATE)) return 'load-balancer';
      return 'client';
    },
    nodeNameOf: (address) => byAddress.get(plainIpv4(address)),
    nodeAddressOf: (name) => byName.get(name),
  };
}

/** `::ffff:10.0.0.1` (a v4 peer on a dual-stack socket) → `10.0.0.1`. */
function plainIpv4(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** Whether `address` lies in one of `cidrs`, each IPv4 or IPv6; a block of the other family never matches. */
function inAny(address: string, cidrs: readonly string[]): boolean {
  const value = ipv4Number(address);
  const value6 = value === undefined ? ipv6Number(address) : undefined;
  return cidrs.some((c) => {
    if (value !== undefined) {
      const cidr = parseIpv4Cidr(c);
      return cidr !== undefined && value >= cidr.address && value < cidr.address + 2 ** (32 - cidr.prefix);
    }
    const cidr6 = value6 === undefined ? undefined : parseIpv6Cidr(c);
    return cidr6 !== undefined && value6! >> BigInt(128 - cidr6.prefix) === cidr6.address >> BigInt(128 - cidr6.prefix);
  });
}

function ipv4Number(address: string): number | undefined {
  if (isIP(address) !== 4) return undefined;
  return address.split('.').map(Number).reduce((acc, o) => acc * 256 + o, 0);
}

/** The measured row of one mode from its samples. */
export function measure(samples: readonly ProbeSample[], classifier: PeerClassifier, clientIp?: string,
  subnets: readonly LabSubnet[] = [], expected?: ExpectedPath): MeasuredPath {
  const failures: Record<string, number> = {};
  const pods: Record<string, number> = {};
  const nodes: Record<string, number> = {};
  const peers: Record<string, number> = {};
  const peerClasses: Record<MeasuredPeerClass, number> = { 'load-balancer': 0, 'node': 0, 'client': 0, 'unknown': 0 };
  let xff = 0;
  let xffClient = 0;
  let peerClient = 0;
  let observed = 0;
  let crossed = 0;
  const bump = (m: Record<string, number>, k: string) => { m[k] = (m[k] ?? 0) + 1; };
  for (const s of samples) {
    if (!s.echo) {
      bump(failures, s.failure ?? 'failed');
      continue;
    }
    const e = s.echo;
    bump(pods, e.pod?.podName ?? e.hostname);
    if (e.pod) bump(nodes, e.pod.nodeName);
    bump(peers, e.clientAddress);
    if (clientIp !== undefined && plainIpv4(e.clientAddress) === plainIpv4(clientIp)) peerClient += 1;
    const cls = classifier.classify(e.clientAddress);
    peerClasses[cls] += 1;
    const chain = forwardedFor(e);
    if (chain.length > 0) xff += 1;
    if (clientIp !== undefined && chain.at(-1) === clientIp) xffClient += 1;
    if (cls === 'node' && e.pod) {
      const entry = classifier.nodeNameOf(e.clientAddress);
      const servingAddress = classifier.nodeAddressOf(e.pod.nodeName);
      if (entry !== undefined || servingAddress !== undefined) {
        observed += 1;
        const same = entry !== undefined ? entry === e.pod.nodeName : servingAddress === plainIpv4(e.clientAddress);
        if (!same) crossed += 1;
      }
    }
  }
  const latencies = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  return {
    requests: samples.length,
    answered: samples.filter((s) => s.echo).length,
    failures, pods, nodes, peers, peerClasses,
    peerIsClient: clientIp === undefined ? undefined : peerClient,
    xForwardedFor: xff,
    xForwardedForEndsWithClient: clientIp === undefined ? undefined : xffClient,
    crossNode: { observed, crossed },
    latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99) },
    ...(subnets.length > 0 ? {
      zones: measureZones(samples.flatMap((s) => (s.echo ? [{ echo: s.echo, responseBytes: s.responseBytes, via: s.via }] : [])),
        classifier, subnets, expected?.targetType),
    } : {}),
  };
}

/** Nearest-rank percentile of sorted values, rounded to 0.1 ms; 0 when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return Math.round(sorted[rank - 1] * 10) / 10;
}

const PEER_TEXT: Record<MeasuredPeerClass, string> = {
  'load-balancer': 'load balancer', 'node': 'node', 'client': 'client', 'unknown': 'unknown',
};

const CLIENT_TEXT: Record<ClientIpLocation, string> = {
  'x-forwarded-for': 'in X-Forwarded-For',
  'tcp-source': 'as the TCP source',
  'proxy-protocol': 'in a PROXY protocol header',
  'none': 'nowhere',
};

/** Text of a class → count map, largest first: `node 120, load balancer 80`. */
export function classesText(counts: Readonly<Record<string, number>>): string {
  const parts = Object.entries(counts).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${PEER_TEXT[k as MeasuredPeerClass] ?? k} ${n}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/**
 * The model's expectations against a measurement: every answered request has the expected peer class; the client's
 * address is where the model says; X-Forwarded-For is present exactly when an ALB is on the path; no request
 * crossed nodes where the model rules it out; every request was answered. Latency and pod spread are reported, not
 * compared (keep-alive pins connections and the modes' latency differences are below the noise).
 */
export function comparePath(expected: ExpectedPath, measured: MeasuredPath, clientIp?: ProbeReport['clientIp']): ProbeCheck[] {
  const answered = measured.answered;
  const checks: ProbeCheck[] = [];
  checks.push({
    name: 'requests answered',
    expected: `${measured.requests}`,
    measured: `${answered}${answered < measured.requests ? ` (${Object.entries(measured.failures).map(([k, n]) => `${k} ×${n}`).join(', ')})` : ''}`,
    agree: answered === measured.requests,
  });
  checks.push({
    name: "pod's TCP peer",
    expected: PEER_TEXT[expected.podPeer],
    measured: classesText(measured.peerClasses),
    agree: answered > 0 && measured.peerClasses[expected.podPeer] === answered,
  });
  checks.push({
    name: 'X-Forwarded-For',
    expected: expected.xForwardedFor ? 'present' : 'absent',
    measured: `present in ${measured.xForwardedFor}/${answered}`,
    agree: measured.xForwardedFor === (expected.xForwardedFor ? answered : 0),
  });
  checks.push(clientCheck(expected.clientIp, measured, clientIp));
  checks.push({
    name: 'cross-node',
    expected: expected.crossNode ? 'possible' : 'never',
    measured: measured.crossNode.observed === 0 ? 'not observable' : `${measured.crossNode.crossed}/${measured.crossNode.observed}`,
    agree: expected.crossNode || measured.crossNode.crossed === 0,
  });
  if (measured.zones) checks.push(zoneCheck(expected, measured.zones));
  return checks;
}

/** No request crossed zones on a hop where the model keeps it in one zone; hops the model allows are reported. */
function zoneCheck(expected: ExpectedPath, zones: ZoneMeasurement): ProbeCheck {
  const lb = zones.loadBalancerToTarget;
  const node = zones.nodeToPod;
  const lbAllowed = expected.zoneHops.includes('load-balancer-to-target');
  const nodeAllowed = expected.zoneHops.includes('node-to-pod');
  return {
    name: 'zones crossed',
    expected: `may cross: ${zoneHopsText(expected)}`,
    measured: `load balancer → target ${hopText(lb)}, node → pod ${hopText(node, 'no node hop')}`,
    agree: (lbAllowed || lb.crossed === 0) && (nodeAllowed || (node?.crossed ?? 0) === 0),
  };
}

function clientCheck(location: ClientIpLocation, m: MeasuredPath, clientIp: ProbeReport['clientIp']): ProbeCheck {
  const name = "client's address";
  const expected = CLIENT_TEXT[location];
  switch (location) {
    case 'x-forwarded-for':
      if (m.xForwardedForEndsWithClient === undefined) {
        return { name, expected, measured: 'caller address unknown; pass --client-ip', agree: m.xForwardedFor === m.answered };
      }
      return {
        name, expected: `${expected} (last entry ${clientIp?.address}${clientIp?.source === 'x-forwarded-for' ? ', inferred' : ''})`,
        measured: `last entry in ${m.xForwardedForEndsWithClient}/${m.answered}`,
        agree: m.answered > 0 && m.xForwardedForEndsWithClient === m.answered,
      };
    case 'tcp-source':
      // A pass-through path: the pod's peer must be the caller's own address, not just some public one.
      if (m.peerIsClient === undefined) {
        return {
          name, expected, measured: `TCP source is the client in ${m.peerClasses.client}/${m.answered} (caller's address unknown; pass --client-ip to compare it)`,
          agree: m.answered > 0 && m.peerClasses.client === m.answered,
        };
      }
      return {
        name, expected: `${expected} (${clientIp?.address}${clientIp?.source === 'x-forwarded-for' ? ', inferred' : ''})`,
        measured: `TCP source is that address in ${m.peerIsClient}/${m.answered}`,
        agree: m.answered > 0 && m.peerIsClient === m.answered,
      };
    case 'none':
      return {
        name, expected,
        measured: `client as TCP source ${m.peerClasses.client}, X-Forwarded-For ${m.xForwardedFor}`,
        agree: m.peerClasses.client === 0 && m.xForwardedFor === 0,
      };
    case 'proxy-protocol':
      return { name, expected, measured: 'not visible to the echo server, which does not read PROXY headers', agree: true };
  }
}
