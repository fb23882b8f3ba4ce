import { parseIpv4Cidr } from './validate';

/** Prefix of the AWS Load Balancer Controller's Ingress annotations. */
export const ALB_PREFIX = 'alb.ingress.kubernetes.io/';

/** How one annotation's value is checked: a predicate and the expected form, for the message. */
interface AnnotationRule {
  readonly valid: (value: string) => boolean;
  /** Completes "must be …", with an example. */
  readonly expected: string;
}

const oneOf = (...allowed: string[]): AnnotationRule => ({
  valid: (v) => allowed.includes(v),
  expected: `one of ${allowed.map((a) => `'${a}'`).join(', ')}`,
});

const wholeNumber = (min: number, max: number): AnnotationRule => ({
  valid: (v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max,
  expected: `a whole number from ${min} to ${max}, as a string such as '${min}'`,
});

const IPV6_CIDR = /^[0-9a-fA-F:]+\/(\d{1,3})$/;

/** Whether a value is a listen-ports JSON list: objects with one key, HTTP or HTTPS, and a port; no port twice. */
export function isListenPorts(value: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return false;
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return false;
  const ports = new Set<number>();
  for (const entry of parsed) {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return false;
    const keys = Object.keys(entry);
    if (keys.length !== 1 || !['HTTP', 'HTTPS'].includes(keys[0])) return false;
    const port = (entry as Record<string, unknown>)[keys[0]];
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535 || ports.has(port)) return false;
    ports.add(port);
  }
  return true;
}

/** Target group attribute keys of the ELBv2 API (application and network load balancers). */
export const TARGET_GROUP_ATTRIBUTE_KEYS: readonly string[] = [
  'deregistration_delay.timeout_seconds',
  'deregistration_delay.connection_termination.enabled',
  'stickiness.enabled',
  'stickiness.type',
  'stickiness.lb_cookie.duration_seconds',
  'stickiness.app_cookie.cookie_name',
  'stickiness.app_cookie.duration_seconds',
  'load_balancing.algorithm.type',
  'load_balancing.algorithm.anomaly_mitigation',
  'load_balancing.cross_zone.enabled',
  'slow_start.duration_seconds',
  'lambda.multi_value_headers.enabled',
  'preserve_client_ip.enabled',
  'proxy_protocol_v2.enabled',
  'target_health_state.unhealthy.connection_termination.enabled',
  'target_health_state.unhealthy.draining_interval_seconds',
  'target_group_health.dns_failover.minimum_healthy_targets.count',
  'target_group_health.dns_failover.minimum_healthy_targets.percentage',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage',
];

/** Whether a value is a stringMap (`k1=v1,k2=v2`) whose keys all come from `keys`. */
function isStringMapOf(value: string, keys: readonly string[]): boolean {
  const pairs = value.split(',').map((p) => p.trim());
  return pairs.length > 0 && pairs.every((pair) => {
    const m = /^([^=\s]+)=(\S+)$/.exec(pair);
    return m !== null && keys.includes(m[1]);
  });
}

/** The ALB Ingress annotations with a checked grammar, by name without the prefix. */
const RULES: Readonly<Record<string, AnnotationRule>> = {
  'target-type': oneOf('instance', 'ip'),
  'scheme': oneOf('internal', 'internet-facing'),
  'ip-address-type': oneOf('ipv4', 'dualstack', 'dualstack-without-public-ipv4'),
  'backend-protocol': oneOf('HTTP', 'HTTPS'),
  'healthcheck-protocol': oneOf('HTTP', 'HTTPS'),
  'listen-ports': {
    valid: isListenPorts,
    expected: 'a JSON list of {"HTTP": port} or {"HTTPS": port} objects with distinct ports from 1 to 65535, such as \'[{"HTTP": 80}]\'',
  },
  'inbound-cidrs': {
    valid: (v) => v.split(',').map((c) => c.trim()).every((c) => parseIpv4Cidr(c) !== undefined || IPV6_CIDR.test(c)),
    expected: 'comma-separated CIDR blocks with zero host bits, such as \'203.0.113.7/32,198.51.100.0/24\'',
  },
  'healthcheck-path': { valid: (v) => v.startsWith('/'), expected: 'a path starting with \'/\', such as \'/healthz\'' },
  'healthcheck-port': {
    // A named port is an IANA service name: up to 15 characters with at least one letter.
    valid: (v) => v === 'traffic-port' || (/^\d+$/.test(v) ? Number(v) >= 1 && Number(v) <= 65535
      : v.length <= 15 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v)),
    expected: '\'traffic-port\', a port from 1 to 65535 or a named container port, such as \'traffic-port\'',
  },
  'healthcheck-interval-seconds': wholeNumber(5, 300),
  'healthcheck-timeout-seconds': wholeNumber(2, 120),
  'healthy-threshold-count': wholeNumber(2, 10),
  'unhealthy-threshold-count': wholeNumber(2, 10),
  'success-codes': {
    valid: (v) => v.split(',').every((part) => {
      const m = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(part.trim());
      return m !== null && Number(m[1]) <= 499 && (m[2] === undefined || (Number(m[2]) >= Number(m[1]) && Number(m[2]) <= 499));
    }),
    expected: 'HTTP codes, lists or ranges up to 499, such as \'200\', \'200,204\' or \'200-299\'',
  },
  'group.name': {
    valid: (v) => v.length <= 63 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v),
    expected: 'lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit, at most 63 characters, such as \'lab.shared\'',
  },
  'group.order': wholeNumber(1, 1000),
  'target-group-attributes': {
    valid: (v) => isStringMapOf(v, TARGET_GROUP_ATTRIBUTE_KEYS),
    expected: 'key=value pairs separated by commas with target group attribute keys, such as \'deregistration_delay.timeout_seconds=30\'',
  },
};

/** Further ALB Ingress annotations the controller documents; values are not checked here. */
const KNOWN_UNCHECKED: readonly string[] = [
  'load-balancer-name', 'tags', 'subnets', 'security-groups', 'customer-owned-ipv4-pool', 'load-balancer-attributes',
  'wafv2-acl-arn', 'waf-acl-id', 'shield-advanced-protection', 'ssl-redirect', 'certificate-arn', 'ssl-policy',
  'backend-protocol-version', 'auth-type', 'auth-idp-cognito', 'auth-idp-oidc', 'auth-on-unauthenticated-request',
  'auth-scope', 'auth-session-cookie', 'auth-session-timeout', 'target-node-labels', 'manage-backend-security-group-rules',
];

/**
 * What is wrong with one annotation of the ALB Ingress grammar, as the end of a sentence "… must be <expected>",
 * or undefined when it is fine or not an ALB annotation.
 */
export function albAnnotationProblem(key: string, value: string): string | undefined {
  if (!key.startsWith(ALB_PREFIX)) return undefined;
  const name = key.slice(ALB_PREFIX.length);
  if (name.startsWith('actions.') || name.startsWith('conditions.')) return undefined;
  const rule = RULES[name];
  if (rule) return rule.valid(value) ? undefined : `must be ${rule.expected}`;
  if (KNOWN_UNCHECKED.includes(name)) return undefined;
  return 'is not an annotation the AWS Load Balancer Controller documents';
}

/** Prefix of the Service annotations the controller reads for an NLB. */
export const NLB_PREFIX = 'service.beta.kubernetes.io/aws-load-balancer-';

/**
 * The NLB Service annotations with a checked grammar, by name without the prefix. The prefix is shared with the
 * in-tree cloud provider, so other names under it pass unchecked.
 */
const NLB_RULES: Readonly<Record<string, AnnotationRule>> = {
  'nlb-target-type': oneOf('instance', 'ip'),
  'scheme': oneOf('internal', 'internet-facing'),
  'type': oneOf('external', 'nlb-ip', 'nlb'),
  'ip-address-type': oneOf('ipv4', 'dualstack'),
  'proxy-protocol': oneOf('*'),
  'manage-backend-security-group-rules': oneOf('true', 'false'),
  'healthcheck-protocol': oneOf('tcp', 'http', 'https', 'TCP', 'HTTP', 'HTTPS'),
  'healthcheck-port': {
    valid: (v) => v === 'traffic-port' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535),
    expected: '\'traffic-port\' or a port from 1 to 65535, such as \'traffic-port\'',
  },
  'healthcheck-path': { valid: (v) => v.startsWith('/'), expected: 'a path starting with \'/\', such as \'/healthz\'' },
  'healthcheck-healthy-threshold': wholeNumber(2, 10),
  'healthcheck-unhealthy-threshold': wholeNumber(2, 10),
  'healthcheck-interval': wholeNumber(5, 300),
  'healthcheck-timeout': wholeNumber(2, 120),
  'target-group-attributes': RULES['target-group-attributes'],
};

/** What is wrong with one NLB Service annotation, as "must be …", or undefined when fine or not checked. */
export function nlbAnnotationProblem(key: string, value: string): string | undefined {
  if (!key.startsWith(NLB_PREFIX)) return undefined;
  const rule = NLB_RULES[key.slice(NLB_PREFIX.length)];
  return rule && !rule.valid(value) ? `must be ${rule.expected}` : undefined;
}
