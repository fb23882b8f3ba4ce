import { isIP } from 'net';
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { LabValidationError } from '../errors';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Renders a value for an error message: strings quoted, the rest as JSON. */
export function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** Throws unless `value` is a Kubernetes DNS-1123 label (object names, namespaces). */
export function requireDns1123Label(scope: IConstruct, prop: string, value: string, example: string): void {
  if (Token.isUnresolved(value)) return;
  if (value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw new LabValidationError(scope, prop, `must be a DNS-1123 label (lower-case letters, digits and '-', ` +
      `starting and ending with a letter or digit, at most 63 characters); got ${show(value)}. ` +
      `Use a name such as ${show(example)}.`);
  }
}

/** Throws unless `value` is a whole number within [min, max]. */
export function requireInteger(scope: IConstruct, prop: string, value: number, min: number, max: number, fix: string): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
    throw new LabValidationError(scope, prop, `must be a whole number ${range}; got ${show(value)}. ${fix}`);
  }
}

/** Parsed IPv4 CIDR block. */
export interface Ipv4Cidr {
  readonly address: number;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n`; undefined when malformed. Host bits must be zero, as EC2 and the ALB require. */
export function parseIpv4Cidr(value: string): Ipv4Cidr | undefined {
  const m = IPV4_CIDR.exec(value);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  if (address % hostBits !== 0) return undefined;
  return { address, prefix };
}

/** Parsed IPv6 CIDR block: the address as a 128-bit integer. */
export interface Ipv6Cidr {
  readonly address: bigint;
  readonly prefix: number;
}

/** An IPv6 address (any textual form `net.isIP` takes, `::` shortening and a dotted IPv4 tail included) as an integer. */
export function ipv6Number(address: string): bigint | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address.replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const filled = tail === undefined ? groups(head)
    : [...groups(head), ...Array(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)];
  return filled.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Parses `<IPv6 address>/n`; undefined when malformed or when host bits are set. */
export function parseIpv6Cidr(value: string): Ipv6Cidr | undefined {
  const m = /^([0-9A-Fa-f:.]+)\/(\d{1,3})$/.exec(value);
  const address = m ? ipv6Number(m[1]) : undefined;
  if (!m || address === undefined || Number(m[2]) > 128) return undefined;
  const prefix = Number(m[2]);
  const hostMask = (1n << BigInt(128 - prefix)) - 1n;
  return (address & hostMask) === 0n ? { address, prefix } : undefined;
}

/** Whether two parsed IPv4 blocks share any address. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const end = (c: Ipv4Cidr) => c.address + 2 ** (32 - c.prefix) - 1;
  return a.address <= end(b) && b.address <= end(a);
}

/** Whether `inner` lies wholly inside `outer`. */
export function cidrWithin(inner: Ipv4Cidr, outer: Ipv4Cidr): boolean {
  return inner.prefix >= outer.prefix && cidrsOverlap(inner, outer);
}

/** Throws unless `value` is an IPv4 CIDR block with zero host bits and a prefix within [minPrefix, maxPrefix]. */
export function requireIpv4Cidr(scope: IConstruct, prop: string, value: string, minPrefix = 0, maxPrefix = 32): void {
  if (Token.isUnresolved(value)) return;
  const cidr = parseIpv4Cidr(value);
  if (!cidr) {
    throw new LabValidationError(scope, prop, `must be an IPv4 CIDR block with zero host bits, such as '10.0.0.0/16' ` +
      `or '203.0.113.7/32'; got ${show(value)}. Write the network address followed by '/' and the prefix length.`);
  }
  if (cidr.prefix < minPrefix || cidr.prefix > maxPrefix) {
    throw new LabValidationError(scope, prop, `must have a prefix length between /${minPrefix} and /${maxPrefix}; ` +
      `got ${show(value)}. Choose a block such as '10.0.0.0/16'.`);
  }
}

/** Throws unless `value` is one of `allowed`. */
export function requireOneOf(scope: IConstruct, prop: string, value: string, allowed: readonly string[]): void {
  if (Token.isUnresolved(value)) return;
  if (!allowed.includes(value)) {
    throw new LabValidationError(scope, prop, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; ` +
      `got ${show(value)}. Use one of those.`);
  }
}

/** Throws unless `cidrs` is a non-empty list of IPv4 CIDR blocks. */
export function requireCidrList(scope: IConstruct, prop: string, cidrs: readonly string[]): void {
  if (cidrs.length === 0) {
    throw new LabValidationError(scope, prop, `must list at least one CIDR block; got []. ` +
      `Use ['0.0.0.0/0'] for anyone, or your address as ['203.0.113.7/32'].`);
  }
  cidrs.forEach((cidr, i) => requireIpv4Cidr(scope, `${prop}[${i}]`, cidr));
}

/** Public endpoint CIDR blocks an EKS cluster takes (the EKS quota, not adjustable). */
export const PUBLIC_ENDPOINT_CIDRS = 40;

/**
 * Special-purpose IPv4 blocks no client on the internet has (RFC 6890): private, shared, loopback, link-local,
 * multicast and reserved. EKS refuses them as public endpoint CIDRs; the documentation blocks stay allowed.
 */
const NON_PUBLIC_BLOCKS = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.168.0.0/16', '224.0.0.0/4', '240.0.0.0/4'];

/** The special-purpose block `value` lies in, when it lies wholly in one (`0.0.0.0/0` lies in none). */
export function nonPublicBlock(value: string): string | undefined {
  const cidr = parseIpv4Cidr(value);
  if (!cidr) return undefined;
  return NON_PUBLIC_BLOCKS.find((block) => cidrWithin(cidr, parseIpv4Cidr(block)!));
}

/** Inbound rules a security group holds by default (the EC2 quota); the load balancer's takes one per client CIDR. */
export const SECURITY_GROUP_RULES = 60;

/** Throws when `cidrs` would take more inbound rules than a security group holds. */
export function requireRuleCount(scope: IConstruct, prop: string, cidrs: readonly string[]): void {
  if (cidrs.length > SECURITY_GROUP_RULES) {
    throw new LabValidationError(scope, prop, `must list at most ${SECURITY_GROUP_RULES} CIDR blocks, one inbound rule each on ` +
      `the load balancer's security group (the EC2 default quota); got ${cidrs.length}. Merge them into wider blocks.`);
  }
}
