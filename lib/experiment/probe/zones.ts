import { isIP } from 'net';
import type { ExpectedPath, ZoneHop } from '../path-model';
import type { EchoResponse } from '../echo-response';
import { parseIpv4Cidr } from '../../private/validate';

/** One subnet of the lab's VPC: its availability zone and block, as the cluster stack's `LabSubnets` output lists them. */
export interface LabSubnet {
  readonly zone: string;
  readonly cidr: string;
  readonly subnetId?: string;
  /** `public` (load balancer interfaces) or `private` (nodes and pods). */
  readonly kind?: 'public' | 'private';
}

/**
 * The price of inter-zone data transfer, in US dollars per GB in each direction: AWS EC2 on-demand pricing, "Data
 * Transfer within the same AWS Region", $0.01/GB in and $0.01/GB out across availability zones in most regions.
 */
export const INTER_ZONE_PRICE_PER_GB = 0.01;

/** Requests on a hop whose two ends' zones were both known, and of those, the ones whose ends are in different zones. */
export interface ZoneHopCount {
  readonly observed: number;
  readonly crossed: number;
}

/** What the probe saw of zones on one path. */
export interface ZoneMeasurement {
  /** Zone of the serving pod's node → requests. */
  readonly podZones: Readonly<Record<string, number>>;
  /**
   * Requests whose caller-facing zone (that of the load balancer node the client reached) is known, and of those the
   * ones a pod in that zone served.
   */
  readonly callerZone: { readonly observed: number; readonly sameZone: number };
  readonly loadBalancerToTarget: ZoneHopCount;
  /** Undefined on a path without the hop (ip targets: the load balancer sends straight to the pod). */
  readonly nodeToPod?: ZoneHopCount;
  /** Mean HTTP bytes per request, without TCP/IP overhead: the request as the pod received it, the response as the probe did. */
  readonly bytes: { readonly request: number; readonly response: number };
}

/** What the classification needs of the probe's peer classifier. */
export interface ZoneClassifier {
  readonly classify: (address: string) => string;
  readonly nodeAddressOf: (name: string) => string | undefined;
}

/**
 * Addresses the echo response cannot show but a stand-in load balancer can: the interface it sent from and the target
 * it picked. Absent on AWS.
 */
export interface ForwardedVia {
  readonly loadBalancer?: string;
  readonly target?: string;
}

/** One answered request, as far as zones go. */
export interface ZoneSample {
  readonly echo: EchoResponse;
  readonly responseBytes?: number;
  readonly via?: ForwardedVia;
}

/** The zone of `address` among `subnets` (the narrowest block that holds it); undefined outside them all. */
export function zoneOf(address: string, subnets: readonly LabSubnet[]): string | undefined {
  return zoneLookup(subnets)(address);
}

/** {@link zoneOf} with the subnets parsed once, narrowest first, and each address's answer kept. */
function zoneLookup(subnets: readonly LabSubnet[]): (address: string) => string | undefined {
  const blocks = subnets.flatMap((s) => {
    const cidr = parseIpv4Cidr(s.cidr);
    return cidr ? [{ zone: s.zone, prefix: cidr.prefix, start: cidr.address, end: cidr.address + 2 ** (32 - cidr.prefix) }] : [];
  }).sort((x, y) => y.prefix - x.prefix);
  const seen = new Map<string, string | undefined>();
  return (address) => {
    if (seen.has(address)) return seen.get(address);
    const a = address.startsWith('::ffff:') ? address.slice(7) : address;
    let zone: string | undefined;
    if (isIP(a) === 4) {
      const value = a.split('.').map(Number).reduce((acc, o) => acc * 256 + o, 0);
      zone = blocks.find((b) => value >= b.start && value < b.end)?.zone;
    }
    seen.set(address, zone);
    return zone;
  };
}

/** The bytes of the request line, headers and body as the pod received them. */
export function requestBytes(echo: EchoResponse): number {
  // `GET / HTTP/1.1\r\n`, `name: value\r\n` per header, `\r\n`, the body.
  let bytes = Buffer.byteLength(echo.method) + Buffer.byteLength(echo.realPath) + Buffer.byteLength(echo.requestVersion) + 9;
  for (const h of echo.headers) bytes += Buffer.byteLength(h.name) + Buffer.byteLength(h.value) + 4;
  return bytes + 2 + (echo.body === undefined ? 0 : Buffer.byteLength(echo.body));
}

/**
 * Each answered request's zones: the serving pod's (its node's address, else the pod IP), the caller-facing zone
 * (the load balancer interface the pod saw as its peer, or that a stand-in reported) and the entry node's (the node
 * the pod saw after SNAT, or the target a stand-in picked, for instance targets).
 */
export function measureZones(samples: readonly ZoneSample[], classifier: ZoneClassifier, subnets: readonly LabSubnet[],
  targetType: 'ip' | 'instance' | undefined): ZoneMeasurement {
  const podZones: Record<string, number> = {};
  let callerObserved = 0;
  let sameZone = 0;
  const lbHop = { observed: 0, crossed: 0 };
  const nodeHop = { observed: 0, crossed: 0 };
  let request = 0;
  let response = 0;
  let sized = 0;
  const zoneAt = zoneLookup(subnets);
  for (const { echo, responseBytes, via } of samples) {
    request += requestBytes(echo);
    if (responseBytes !== undefined) {
      response += responseBytes;
      sized += 1;
    }
    const nodeAddress = echo.pod ? classifier.nodeAddressOf(echo.pod.nodeName) : undefined;
    const podZone = (nodeAddress && zoneAt(nodeAddress)) || (echo.pod ? zoneAt(echo.pod.podIp) : undefined);
    if (podZone === undefined) continue;
    podZones[podZone] = (podZones[podZone] ?? 0) + 1;
    const peerClass = classifier.classify(echo.clientAddress);
    const lbAddress = via?.loadBalancer ?? (peerClass === 'load-balancer' ? echo.clientAddress : undefined);
    const lbZone = lbAddress === undefined ? undefined : zoneAt(lbAddress);
    const entry = targetType === 'instance' ? via?.target ?? (peerClass === 'node' ? echo.clientAddress : undefined) : undefined;
    const entryZone = entry === undefined ? undefined : zoneAt(entry);
    if (lbZone !== undefined) {
      callerObserved += 1;
      if (lbZone === podZone) sameZone += 1;
    }
    const targetZone = targetType === 'ip' ? podZone : entryZone;
    if (lbZone !== undefined && targetZone !== undefined) {
      lbHop.observed += 1;
      if (lbZone !== targetZone) lbHop.crossed += 1;
    }
    if (entryZone !== undefined) {
      nodeHop.observed += 1;
      if (entryZone !== podZone) nodeHop.crossed += 1;
    }
  }
  const mean = (total: number, n: number) => (n === 0 ? 0 : Math.round(total / n));
  return {
    podZones,
    callerZone: { observed: callerObserved, sameZone },
    loadBalancerToTarget: lbHop,
    ...(targetType === 'ip' ? {} : { nodeToPod: nodeHop }),
    bytes: { request: mean(request, samples.length), response: mean(response, sized) },
  };
}

/** Which hops ELB and EC2 bill when they cross zones: every node-to-pod hop; a load balancer's only for an NLB. */
export function billedHops(loadBalancer: ExpectedPath['loadBalancer']): readonly ZoneHop[] {
  // ALB and CLB traffic to targets in other zones carries no inter-zone charge; NLB cross-zone traffic does.
  return loadBalancer === 'NLB' ? ['load-balancer-to-target', 'node-to-pod'] : ['node-to-pod'];
}

/** The estimate of inter-zone transfer cost per million requests. */
export interface ZoneCostEstimate {
  /** Dollars per million requests, at the measured shares and sizes. */
  readonly perMillionRequests: number;
  /** GB that crossed zones per million requests (each counted once, billed in both directions). */
  readonly gbPerMillionRequests: number;
  readonly pricePerGb: number;
  /** False when a billed hop on the path was not observed: the estimate is then a lower bound. */
  readonly complete: boolean;
}

/**
 * Inter-zone transfer per million requests: for each billed hop, the share of requests that crossed zones times the
 * request and response bytes, charged once leaving one zone and once entering the other.
 */
export function zoneCost(zones: ZoneMeasurement, loadBalancer: ExpectedPath['loadBalancer'],
  pricePerGb = INTER_ZONE_PRICE_PER_GB): ZoneCostEstimate {
  const bytes = zones.bytes.request + zones.bytes.response;
  let gb = 0;
  let complete = true;
  for (const hop of billedHops(loadBalancer)) {
    const count = hop === 'node-to-pod' ? zones.nodeToPod : zones.loadBalancerToTarget;
    if (count === undefined) continue;
    if (count.observed === 0) {
      complete = false;
      continue;
    }
    gb += (count.crossed / count.observed) * bytes * 1e6 / 1e9;
  }
  return { perMillionRequests: round(gb * 2 * pricePerGb, 4), gbPerMillionRequests: round(gb, 4), pricePerGb, complete };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** `3/200`, or `not observable` with none observed. */
export function hopText(count: ZoneHopCount | undefined, absent = 'no such hop'): string {
  if (count === undefined) return absent;
  return count.observed === 0 ? 'not observable' : `${count.crossed}/${count.observed}`;
}
