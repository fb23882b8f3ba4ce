import { parseIpv4Cidr } from './validate';
import { ALB, NLB } from './annotations';

/** Prefix of the AWS Load Balancer Controller's Ingress annotations. */
export const ALB_PREFIX = ALB.prefix;

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

/** Case-insensitive, as the controller upper-cases some values before comparing. */
const oneOfAnyCase = (...allowed: string[]): AnnotationRule => ({
  valid: (v) => allowed.includes(v.toUpperCase()),
  expected: `one of ${allowed.map((a) => `'${a}'`).join(', ')} (any case)`,
});

/** An integer as Go's strconv.ParseInt reads it: optional sign, decimal digits. */
const GO_INT = /^[+-]?\d+$/;

const wholeNumber = (min: number, max: number): AnnotationRule => ({
  valid: (v) => GO_INT.test(v) && Number(v) >= min && Number(v) <= max,
  expected: min < 0
    ? `an integer from ${min} to ${max}, as a string such as '10'`
    : `a whole number from ${min} to ${max}, as a string such as '${min}'`,
});

/** Go's strconv.ParseBool, which the controller's boolean annotations go through. */
const boolean: AnnotationRule = {
  valid: (v) => ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v),
  expected: '\'true\' or \'false\'',
};

const isJson = (v: string): boolean => {
  try {
    JSON.parse(v);
    return true;
  } catch {
    return false;
  }
};

const json: AnnotationRule = { valid: isJson, expected: 'JSON, such as \'{"type": "fixed-response"}\'' };

/** A value the controller reads as a plain string (no check beyond being present). */
const text: AnnotationRule = { valid: () => true, expected: 'a string' };

const IPV6_CIDR = /^[0-9a-fA-F:]+\/(\d{1,3})$/;

/** A port number or a Service port name (a DNS-1123 label), which the controller looks up in the backend Service. */
const SERVICE_PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const isHealthCheckPort = (v: string): boolean => v === 'traffic-port'
  || (GO_INT.test(v) ? Number(v) >= 1 && Number(v) <= 65535 : v.length <= 63 && SERVICE_PORT_NAME.test(v));
const healthCheckPort: AnnotationRule = {
  valid: isHealthCheckPort,
  expected: '\'traffic-port\', a port from 1 to 65535 or the name of a port of the backend Service, such as \'traffic-port\'',
};

/**
 * The pairs of a stringMap annotation (`k1=v1,k2=v2`) as the controller splits them: commas separate pairs
 * unless escaped with `\`, each pair needs `=` and a key; values may be empty. Undefined when malformed.
 */
export function parseStringMap(value: string): [string, string][] | undefined {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\' && i + 1 < value.length) {
      current += value[++i];
    } else if (value[i] === ',') {
      parts.push(current);
      current = '';
    } else {
      current += value[i];
    }
  }
  parts.push(current);
  const pairs: [string, string][] = [];
  for (const part of parts) {
    if (part.trim() === '' && parts.length > 1) continue;
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() === '') return undefined;
    pairs.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
  }
  return pairs;
}

const stringMap: AnnotationRule = {
  valid: (v) => parseStringMap(v) !== undefined,
  expected: 'key=value pairs separated by commas, such as \'key1=value1,key2=value2\'',
};

const stringList: AnnotationRule = { valid: (v) => v.trim() !== '', expected: 'a comma-separated list, such as \'a,b\'' };

/** Whether a value is a listen-ports JSON list: objects of protocol (HTTP, HTTPS) to port; no port twice. */
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
    // The controller reads each entry as a map of protocol to port, so one object may hold several protocols.
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return false;
    for (const [protocol, port] of Object.entries(entry as Record<string, unknown>)) {
      if (protocol !== 'HTTP' && protocol !== 'HTTPS') return false;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535 || ports.has(port)) return false;
      ports.add(port);
    }
  }
  return ports.size > 0;
}

/** Target group attribute keys of the ELBv2 API for application and network load balancer target groups. */
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
  'proxy_protocol_v2.client_to_server.header_placement',
  'target_health_state.unhealthy.connection_termination.enabled',
  'target_health_state.unhealthy.draining_interval_seconds',
  'target_group_health.dns_failover.minimum_healthy_targets.count',
  'target_group_health.dns_failover.minimum_healthy_targets.percentage',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage',
];

/** Whether a value is a stringMap whose keys all come from `keys`, with values (empty ones only if `allowEmpty`). */
function isStringMapOf(value: string, keys: readonly string[], allowEmpty = false): boolean {
  const pairs = parseStringMap(value);
  return pairs !== undefined && pairs.length > 0 && pairs.every(([k, v]) => keys.includes(k) && (allowEmpty || v !== ''));
}

const targetGroupAttributes: AnnotationRule = {
  valid: (v) => isStringMapOf(v, TARGET_GROUP_ATTRIBUTE_KEYS),
  expected: 'key=value pairs separated by commas with target group attribute keys, such as \'deregistration_delay.timeout_seconds=30\'',
};

const successCodes = (max: number): AnnotationRule => ({
  valid: (v) => v.split(',').every((part) => {
    const m = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(part.trim());
    return m !== null && Number(m[1]) <= max && (m[2] === undefined || (Number(m[2]) >= Number(m[1]) && Number(m[2]) <= max));
  }),
  expected: `HTTP codes, lists or ranges up to ${max}, such as '200', '200,204' or '200-299'`,
});

const healthCheckPath: AnnotationRule = { valid: (v) => v.startsWith('/'), expected: 'a path starting with \'/\', such as \'/healthz\'' };

/** The mutual-authentication modes and their rules, as the controller checks them per port. */
function isMutualAuthentication(value: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return false;
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return false;
  return parsed.every((entry) => {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return false;
    const e = entry as Record<string, unknown>;
    const port = e.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return false;
    const store = e.trustStore ?? '';
    if (typeof store !== 'string') return false;
    if (e.mode === 'verify') {
      return store !== '' && (e.advertiseTrustStoreCaNames === undefined || ['on', 'off'].includes(e.advertiseTrustStoreCaNames as string));
    }
    return (e.mode === 'off' || e.mode === 'passthrough') && store === ''
      && e.ignoreClientCertificateExpiry === undefined && e.advertiseTrustStoreCaNames === undefined;
  });
}

/** Every Ingress annotation the controller v3.5.0 documents, by name without the prefix, with its check. */
const RULES: Readonly<Record<string, AnnotationRule>> = {
  'load-balancer-name': {
    valid: (v) => v.length >= 1 && v.length <= 32 && /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(v) && !v.startsWith('internal-'),
    expected: 'at most 32 letters, digits or \'-\', not starting or ending with \'-\' nor starting with \'internal-\', such as \'lab-alb\'',
  },
  'group.name': {
    valid: (v) => v.length <= 63 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v),
    expected: 'lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit, at most 63 characters, such as \'lab.shared\'',
  },
  'group.order': wholeNumber(-1000, 1000),
  'tags': stringMap,
  'ip-address-type': oneOf('ipv4', 'dualstack', 'dualstack-without-public-ipv4'),
  'scheme': oneOf('internal', 'internet-facing'),
  'subnets': stringList,
  'security-groups': stringList,
  'manage-backend-security-group-rules': boolean,
  'customer-owned-ipv4-pool': text,
  'load-balancer-attributes': stringMap,
  'wafv2-acl-arn': text,
  'wafv2-acl-name': text,
  'waf-acl-id': text,
  'web-acl-id': text,
  'shield-advanced-protection': boolean,
  'listen-ports': {
    valid: isListenPorts,
    expected: 'a JSON list of objects mapping "HTTP" or "HTTPS" to ports from 1 to 65535, no port twice, such as \'[{"HTTP": 80}, {"HTTPS": 443}]\'',
  },
  'ssl-redirect': wholeNumber(1, 65535),
  'inbound-cidrs': {
    valid: (v) => v.split(',').map((c) => c.trim()).every((c) => parseIpv4Cidr(c) !== undefined || IPV6_CIDR.test(c)),
    expected: 'comma-separated CIDR blocks with zero host bits, such as \'203.0.113.7/32,198.51.100.0/24\'',
  },
  'security-group-prefix-lists': stringList,
  'certificate-arn': stringList,
  'ssl-policy': text,
  'target-type': oneOf('instance', 'ip'),
  'backend-protocol': oneOf('HTTP', 'HTTPS'),
  'backend-protocol-version': oneOf('HTTP1', 'HTTP2', 'GRPC'),
  'target-group-attributes': targetGroupAttributes,
  'healthcheck-port': healthCheckPort,
  'healthcheck-protocol': oneOf('HTTP', 'HTTPS'),
  'healthcheck-path': healthCheckPath,
  'healthcheck-interval-seconds': wholeNumber(5, 300),
  'healthcheck-timeout-seconds': wholeNumber(2, 120),
  'healthy-threshold-count': wholeNumber(2, 10),
  'unhealthy-threshold-count': wholeNumber(2, 10),
  'success-codes': successCodes(499),
  'auth-type': oneOf('none', 'oidc', 'cognito'),
  'auth-idp-cognito': json,
  'auth-idp-oidc': json,
  'auth-on-unauthenticated-request': oneOf('authenticate', 'allow', 'deny'),
  'auth-scope': text,
  'auth-session-cookie': text,
  'auth-session-timeout': wholeNumber(1, 604800),
  'jwt-validation': json,
  'use-regex-path-match': boolean,
  'target-node-labels': stringMap,
  'mutual-authentication': {
    valid: isMutualAuthentication,
    expected: 'a JSON list of {"port", "mode"} objects: mode \'off\' or \'passthrough\' without a trust store, \'verify\' with ' +
      '"trustStore" (a name or an ARN), such as \'[{"port": 443, "mode": "verify", "trustStore": "my-store"}]\'',
  },
  'multi-cluster-target-group': boolean,
  'minimum-load-balancer-capacity': stringMap,
  'ipam-ipv4-pool-id': text,
  'enable-frontend-nlb': boolean,
  'frontend-nlb-scheme': oneOf('internal', 'internet-facing'),
  'frontend-nlb-subnets': stringList,
  'frontend-nlb-security-groups': stringList,
  'frontend-nlb-listener-port-mapping': stringMap,
  'frontend-nlb-healthcheck-port': {
    valid: (v) => v === 'traffic-port' || (GO_INT.test(v) && Number(v) >= 1 && Number(v) <= 65535),
    expected: '\'traffic-port\' or a port from 1 to 65535, such as \'traffic-port\'',
  },
  'frontend-nlb-healthcheck-protocol': oneOf('HTTP', 'HTTPS'),
  'frontend-nlb-healthcheck-path': healthCheckPath,
  'frontend-nlb-healthcheck-interval-seconds': wholeNumber(5, 300),
  'frontend-nlb-healthcheck-timeout-seconds': wholeNumber(2, 120),
  'frontend-nlb-healthcheck-healthy-threshold-count': wholeNumber(2, 10),
  'frontend-nlb-healthcheck-unhealthy-threshold-count': wholeNumber(2, 10),
  'frontend-nlb-healthcheck-success-codes': successCodes(599),
  'frontend-nlb-tags': stringMap,
  'frontend-nlb-eip-allocations': stringList,
  'frontend-nlb-attributes': stringMap,
  'create-acm-cert': boolean,
  'acm-pca-arn': text,
};

/** Families of Ingress annotations whose name carries a parameter after a fixed prefix. */
const FAMILIES: readonly { readonly prefix: string; readonly name: RegExp; readonly nameForm: string; readonly rule: AnnotationRule }[] = [
  { prefix: 'actions.', name: /^.+$/, nameForm: 'actions.<action-name>', rule: json },
  { prefix: 'conditions.', name: /^.+$/, nameForm: 'conditions.<conditions-name>', rule: json },
  { prefix: 'transforms.', name: /^.+$/, nameForm: 'transforms.<transforms-name>', rule: json },
  {
    prefix: 'listener-attributes.', name: /^(HTTP|HTTPS)-([1-9]\d{0,4})$/, nameForm: 'listener-attributes.<HTTP|HTTPS>-<port>',
    rule: stringMap,
  },
  {
    prefix: 'target-control-port.', name: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[^.]+$/, nameForm: 'target-control-port.<service-name>.<service-port>',
    rule: wholeNumber(1, 65535),
  },
];

/** The number of documented Ingress annotation names and name families the grammar knows. */
export const ALB_ANNOTATION_COUNT = Object.keys(RULES).length + FAMILIES.length;

/**
 * What is wrong with one annotation of the ALB Ingress grammar, as the end of a sentence "… must be <expected>",
 * or undefined when it is fine or not an ALB annotation.
 */
export function albAnnotationProblem(key: string, value: string): string | undefined {
  if (!key.startsWith(ALB_PREFIX)) return undefined;
  const name = key.slice(ALB_PREFIX.length);
  const rule = Object.prototype.hasOwnProperty.call(RULES, name) ? RULES[name] : undefined;
  if (rule) return rule.valid(value) ? undefined : `must be ${rule.expected}`;
  const family = FAMILIES.find((f) => name.startsWith(f.prefix));
  if (family) {
    if (!family.name.test(name.slice(family.prefix.length))) return `is not of the documented form '${ALB_PREFIX}${family.nameForm}'`;
    return family.rule.valid(value) ? undefined : `must be ${family.rule.expected}`;
  }
  return 'is not an annotation the AWS Load Balancer Controller documents';
}

/** Prefix of the Service annotations the controller reads for an NLB. */
export const NLB_PREFIX = NLB.prefix;

/**
 * The NLB Service annotations the controller v3.5.0 documents, by name without the prefix, with their checks. The
 * prefix is shared with the in-tree cloud provider, so other names under it pass unchecked.
 */
const NLB_RULES: Readonly<Record<string, AnnotationRule>> = {
  'type': oneOf('external', 'nlb-ip', 'nlb'),
  'nlb-target-type': oneOf('instance', 'ip'),
  'name': {
    valid: (v) => v.length >= 1 && v.length <= 32 && /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(v) && !v.startsWith('internal-'),
    expected: 'at most 32 letters, digits or \'-\', not starting or ending with \'-\' nor starting with \'internal-\', such as \'lab-nlb\'',
  },
  'internal': boolean,
  'scheme': oneOf('internal', 'internet-facing'),
  'proxy-protocol': oneOf('*'),
  'proxy-protocol-per-target-group': stringList,
  'ip-address-type': oneOf('ipv4', 'dualstack'),
  'access-log-enabled': boolean,
  'access-log-s3-bucket-name': text,
  'access-log-s3-bucket-prefix': text,
  'cross-zone-load-balancing-enabled': boolean,
  'ssl-cert': stringList,
  'ssl-ports': stringList,
  'ssl-negotiation-policy': text,
  'backend-protocol': text,
  'additional-resource-tags': stringMap,
  'healthcheck-healthy-threshold': wholeNumber(2, 10),
  'healthcheck-unhealthy-threshold': wholeNumber(2, 10),
  'healthcheck-timeout': wholeNumber(2, 120),
  'healthcheck-interval': wholeNumber(5, 300),
  'healthcheck-protocol': oneOfAnyCase('TCP', 'HTTP', 'HTTPS'),
  'healthcheck-port': healthCheckPort,
  'healthcheck-path': healthCheckPath,
  'healthcheck-success-codes': successCodes(599),
  'eip-allocations': stringList,
  'private-ipv4-addresses': stringList,
  'ipv6-addresses': stringList,
  'target-group-attributes': targetGroupAttributes,
  'subnets': stringList,
  'alpn-policy': oneOf('HTTP1Only', 'HTTP2Only', 'HTTP2Optional', 'HTTP2Preferred', 'None'),
  'target-node-labels': stringMap,
  'attributes': stringMap,
  'security-groups': stringList,
  'manage-backend-security-group-rules': boolean,
  'inbound-sg-rules-on-private-link-traffic': oneOf('on', 'off'),
  'security-group-prefix-lists': stringList,
  'multi-cluster-target-group': boolean,
  'enable-prefix-for-ipv6-source-nat': oneOf('on', 'off'),
  'source-nat-ipv6-prefixes': stringList,
  'minimum-load-balancer-capacity': stringMap,
  'enable-icmp-for-path-mtu-discovery': oneOf('on', 'off'),
  'enable-tcp-udp-listener': boolean,
  'disable-nlb-sg': boolean,
  'quic-enabled-ports': stringList,
};

const NLB_FAMILIES: readonly { readonly prefix: string; readonly name: RegExp; readonly nameForm: string; readonly rule: AnnotationRule }[] = [
  {
    prefix: 'listener-attributes.', name: /^(TCP|UDP|TLS|TCP_UDP|QUIC|TCP_QUIC)-([1-9]\d{0,4})$/,
    nameForm: 'listener-attributes.<protocol>-<port>', rule: stringMap,
  },
  {
    // Per-port attributes: an empty value leaves the Service-wide one in place.
    prefix: 'target-group-attributes.', name: /^[1-9]\d{0,4}$/, nameForm: 'target-group-attributes.<port>',
    rule: {
      valid: (v) => isStringMapOf(v, TARGET_GROUP_ATTRIBUTE_KEYS, true),
      expected: 'key=value pairs separated by commas with target group attribute keys, such as \'proxy_protocol_v2.enabled=true\'',
    },
  },
];

/** The number of documented NLB Service annotation names and name families the grammar knows. */
export const NLB_ANNOTATION_COUNT = Object.keys(NLB_RULES).length + NLB_FAMILIES.length;

/** What is wrong with one NLB Service annotation, as "must be …", or undefined when fine or not checked. */
export function nlbAnnotationProblem(key: string, value: string): string | undefined {
  if (!key.startsWith(NLB_PREFIX)) return undefined;
  const name = key.slice(NLB_PREFIX.length);
  const rule = Object.prototype.hasOwnProperty.call(NLB_RULES, name) ? NLB_RULES[name] : undefined;
  if (rule) return rule.valid(value) ? undefined : `must be ${rule.expected}`;
  const family = NLB_FAMILIES.find((f) => name.startsWith(f.prefix));
  if (family) {
    if (!family.name.test(name.slice(family.prefix.length))) return `is not of the documented form '${NLB_PREFIX}${family.nameForm}'`;
    return family.rule.valid(value) ? undefined : `must be ${family.rule.expected}`;
  }
  return undefined;
}
