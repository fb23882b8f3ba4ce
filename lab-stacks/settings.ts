import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct, Node } from 'constructs';
import {
  CrossZoneLoadBalancing, ExternalTrafficPolicy, IngressWorkload, UserError, IngressWorkloadChart, LabCluster, LabValidationError, LabVpc, LoadBalancerController,
  LoadBalancerControllerPolicy, LoadBalancerControllerVersion, NlbWorkloadChart, TargetGroupBindingChart, TargetGroupBindingWorkload,
} from '../lib';
import { ECHO_IMAGE } from '../lib/workloads/echo-pod';
import type { ShutdownVariant } from '../lib/experiment/disruption/types';
import { CROSS_ZONE_VALUES } from '../lib/workloads/ingress-workload-chart';
import { CONTROLLER_IDENTITIES, LoadBalancerControllerIdentity } from '../lib/controller/load-balancer-controller';

/** Everything the lab app can be told through cdk context, as typed values. */
export interface LabSettings {
  readonly region: string;
  readonly clusterName: string;
  readonly kubernetesVersion: eks.KubernetesVersion;
  readonly nodeInstanceType: ec2.InstanceType;
  readonly nodeCount: number;
  readonly vpcCidr: string;
  readonly azCount: number;
  readonly natGateways: number;
  readonly allowedCidr: readonly string[];
  readonly image: string;
  readonly replicas: number;
  readonly externalTrafficPolicy: ExternalTrafficPolicy;
  readonly nodePort: number;
  /** How the ALB paths' echo pods stop: the production practice (`graceful`) or Kubernetes' and AWS's defaults (`naive`). */
  readonly shutdown: ShutdownVariant;
  /** The AWS Load Balancer Controller release, one of `LoadBalancerControllerVersion.KNOWN`. */
  readonly controllerVersion: LoadBalancerControllerVersion;
  /** The release whose IAM policy the controller's role gets instead of that of `controllerVersion`; unset for that one. */
  readonly controllerPolicyVersion?: LoadBalancerControllerVersion;
  /** Both ALB Ingresses in one IngressGroup: one ALB, paths `/ip` and `/instance`. */
  readonly sharedAlb: boolean;
  /** `preserve_client_ip.enabled` of the NLB ip-target group. */
  readonly nlbPreserveClientIp: boolean;
  /** PROXY protocol v2 on both NLB paths. */
  readonly nlbProxyProtocol: boolean;
  /** NodePort of the TargetGroupBinding lab's instance Service. */
  readonly tgbNodePort: number;
  /** The controller's service mutator webhook. */
  readonly serviceMutatorWebhook: boolean;
  readonly publicEndpointCidrs: readonly string[];
  readonly controlPlaneLogging: readonly eks.ClusterLoggingTypes[];
  /** Unset for the EKS default. */
  readonly serviceCidr?: string;
  /** `load_balancing.cross_zone.enabled` of every path's target groups; unset for the ELB default. */
  readonly crossZoneLoadBalancing?: CrossZoneLoadBalancing;
  /** How the controller's pods get its IAM role. */
  readonly controllerIdentity: LoadBalancerControllerIdentity;
  /** IP family of the cluster's pods and Services; `ipv6` also makes the VPC dual-stack. */
  readonly ipFamily: LabIpFamily;
}

/** The lab's IP families: an IPv4 cluster, or an IPv6 one in a dual-stack VPC. */
export type LabIpFamily = 'ipv4' | 'ipv6';

/** A cdk context value that cannot be used; the message says which, what it got and what to pass. */
export class ContextError extends UserError {}

/** How `eks-lb-lab local` takes a setting: it shapes the emulated paths, it does not touch them, or it is refused (why). */
export type LocalUse = 'shapes the paths' | 'no effect on the paths' | { readonly refused: string };

/** The construct props a setting becomes: the constructs check the value and report it under that prop. */
type Feeds = readonly (readonly [abstract new (...args: never[]) => IConstruct, string])[];

/** One context key: its form, its default, an example for messages, and where its value goes. */
interface Setting<T> {
  /** Reads the raw context value (a string from `-c`, any JSON from cdk.json); throws a ContextError on a bad form. */
  readonly read: (key: string, raw: unknown, row: Setting<T>) => T;
  readonly default: T;
  /** What `-c key=<example>` would pass, for messages. */
  readonly example: string;
  readonly summary: string;
  readonly local: LocalUse;
  readonly feeds?: Feeds;
  /** The lab's own fix, in place of the construct's (which speaks of its props and classes). */
  readonly fix?: string;
}

const LOG_TYPES = Object.values(eks.ClusterLoggingTypes) as string[];
const KNOWN_REGIONS = new Set(RegionInfo.regions.map((r) => r.name));
const AWS_CDK_LIB_VERSION = (require('aws-cdk-lib/package.json') as { version: string }).version;
/** The form of an AWS region name: `us-east-1`, `cn-north-1`, `us-gov-west-1`. */
export const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

const text = (pattern?: RegExp) => (key: string, raw: unknown, row: Setting<string>): string => {
  if (typeof raw !== 'string' || raw.trim() === '' || (pattern && !pattern.test(raw))) {
    throw new ContextError(`Context '${key}' is not valid; got ${show(raw)}. Pass -c ${key}=${row.example}.`);
  }
  return raw;
};
const whole = (key: string, raw: unknown, row: Setting<number>): number => {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(n)) throw new ContextError(`Context '${key}' must be a whole number; got ${show(raw)}. Pass -c ${key}=${row.example}.`);
  return n;
};
const flag = (key: string, raw: unknown, row: Setting<boolean>): boolean => {
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new ContextError(`Context '${key}' must be true or false; got ${show(raw)}. Pass -c ${key}=${row.example}.`);
};
/** A comma-separated list (or a JSON array from cdk.json); the constructs check each element. */
const list = (key: string, raw: unknown, row: Setting<readonly string[]>): string[] => {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
  if (!items || items.some((i) => typeof i !== 'string')) {
    throw new ContextError(`Context '${key}' must be a comma-separated list; got ${show(raw)}. Pass -c ${key}=${row.example}.`);
  }
  return items.map((i: string) => i.trim());
};
const CIDR_FORM = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;
const cidrs = (what: string) => (key: string, raw: unknown, row: Setting<readonly string[]>): string[] => {
  const values = list(key, raw, row);
  const bad = values.find((c) => !CIDR_FORM.test(c));
  if (bad !== undefined) {
    throw new ContextError(`Context '${key}' must be IPv4 CIDR blocks, separated by commas; got ${show(bad)}. Pass -c ${key}=${what}.`);
  }
  return values;
};

const setting = <T>(row: Setting<T>): Setting<T> => row;

/**
 * Every context key of the lab: the one place each is parsed, defaulted and described. The values' ranges and
 * combinations are checked by the constructs they feed, which report them under this key.
 */
export const SETTINGS = {
  region: setting<string>({
    read: text(REGION),
    default: 'us-east-1', example: 'eu-west-1', local: 'no effect on the paths',
    summary: 'Region of every stack (else the CLI\'s default region, else us-east-1); one of aws-cdk-lib\'s region table',
  }),
  clusterName: setting<string>({
    read: text(), default: 'eks-lb-lab', example: 'eks-lb-lab', local: 'no effect on the paths', summary: 'EKS cluster name',
    feeds: [[LabVpc, 'clusterName'], [LabCluster, 'clusterName']],
  }),
  kubernetesVersion: setting<eks.KubernetesVersion>({
    read: (key, raw, row) => eks.KubernetesVersion.of(text(/^1\.(0|[1-9]\d*)$/)(key, raw, row as never)),
    default: eks.KubernetesVersion.V1_36, example: '1.36', local: 'no effect on the paths', summary: 'Kubernetes version',
    feeds: [[LabCluster, 'version'], [LabCluster, 'kubectlLayer']], fix: 'Pass -c kubernetesVersion=1.36.',
  }),
  nodeInstanceType: setting<ec2.InstanceType>({
    read: (key, raw, row) => new ec2.InstanceType(text()(key, raw, row as never)),
    default: new ec2.InstanceType('t3.medium'), example: 't3.medium', local: 'no effect on the paths', summary: 'Node instance type',
    feeds: [[LabCluster, 'nodeInstanceType']], fix: 'Pass -c nodeInstanceType=t3.medium.',
  }),
  nodeCount: setting<number>({
    read: whole, default: 2, example: '2', local: 'shapes the paths', summary: 'Nodes in the managed node group',
    feeds: [[LabCluster, 'nodeCount']],
  }),
  vpcCidr: setting<string>({
    read: text(), default: '10.0.0.0/16', example: '10.0.0.0/16', local: 'shapes the paths', summary: 'VPC CIDR block',
    feeds: [[LabVpc, 'cidr']],
  }),
  azCount: setting<number>({
    read: whole, default: 2, example: '2', local: 'shapes the paths', summary: 'Availability zones', feeds: [[LabVpc, 'azCount']],
  }),
  natGateways: setting<number>({
    read: whole, default: 1, example: '1', local: 'no effect on the paths', summary: 'NAT gateways', feeds: [[LabVpc, 'natGateways']],
  }),
  allowedCidr: setting<readonly string[]>({
    read: cidrs('203.0.113.7/32 (your address) or 0.0.0.0/0'), default: ['0.0.0.0/0'], example: '203.0.113.7/32',
    summary: 'Client CIDR blocks the load balancers admit',
    local: { refused: 'the emulation has no security groups: its one client is 198.51.100.7' },
    feeds: [[IngressWorkloadChart, 'inboundCidrs'], [NlbWorkloadChart, 'loadBalancerSourceRanges'], [TargetGroupBindingWorkload, 'inboundCidrs']],
  }),
  image: setting<string>({
    read: text(), default: ECHO_IMAGE, example: ECHO_IMAGE, summary: 'Echo server image of the pods',
    local: { refused: 'the emulation runs its own echo server, not a container image' },
    feeds: [[IngressWorkloadChart, 'image'], [NlbWorkloadChart, 'image'], [TargetGroupBindingChart, 'image']],
  }),
  replicas: setting<number>({
    read: whole, default: 2, example: '2', local: 'shapes the paths', summary: 'Echo pods per workload',
    feeds: [[IngressWorkloadChart, 'replicas'], [NlbWorkloadChart, 'replicas'], [TargetGroupBindingChart, 'replicas']],
  }),
  externalTrafficPolicy: setting<ExternalTrafficPolicy>({
    read: (key, raw) => {
      if (raw !== 'Cluster' && raw !== 'Local') {
        throw new ContextError(`Context '${key}' must be Cluster or Local; got ${show(raw)}. ` +
          `Pass -c ${key}=Local to keep traffic on the receiving node.`);
      }
      return raw;
    },
    default: 'Cluster', example: 'Local', local: 'shapes the paths', summary: 'Traffic policy of the instance-mode Services',
    feeds: [[IngressWorkloadChart, 'externalTrafficPolicy'], [NlbWorkloadChart, 'externalTrafficPolicy'], [TargetGroupBindingChart, 'externalTrafficPolicy']],
  }),
  nodePort: setting<number>({
    read: whole, default: 30080, example: '30080', local: 'shapes the paths', summary: 'NodePort of the ALB instance-mode Service',
    feeds: [[IngressWorkloadChart, 'nodePort'], [IngressWorkload, 'nodePort']],
  }),
  shutdown: setting<ShutdownVariant>({
    read: (key, raw) => {
      if (raw !== 'graceful' && raw !== 'naive') {
        throw new ContextError(`Context '${key}' must be graceful or naive; got ${show(raw)}. ` +
          `Pass -c ${key}=naive for Kubernetes' and AWS's defaults (no readiness gate, no preStop delay, 300 s deregistration delay).`);
      }
      return raw;
    },
    default: 'graceful', example: 'naive', local: 'shapes the paths',
    summary: 'How the ALB paths\' echo pods stop: readiness gate, preStop delay, grace period, deregistration delay (graceful), or the defaults (naive)',
  }),
  controllerVersion: setting<LoadBalancerControllerVersion>({
    read: (key, raw) => {
      const found = typeof raw === 'string' ? LoadBalancerControllerVersion.tryFind(raw) : undefined;
      if (!found) {
        throw new ContextError(`Context '${key}' must be a controller version with a known IAM policy ` +
          `(${LoadBalancerControllerVersion.KNOWN.map((v) => v.version).join(', ')}); got ${show(raw)}. ` +
          `Pass -c ${key}=${LoadBalancerControllerVersion.V3_5_0.version}.`);
      }
      return found;
    },
    default: LoadBalancerControllerVersion.V3_5_0, example: 'v3.5.0', local: 'no effect on the paths',
    summary: 'AWS Load Balancer Controller release', feeds: [[LoadBalancerController, 'version']],
  }),
  controllerPolicyVersion: setting<LoadBalancerControllerVersion | undefined>({
    read: (key, raw) => {
      const found = typeof raw === 'string' ? LoadBalancerControllerVersion.tryFind(raw) : undefined;
      if (!found) {
        throw new ContextError(`Context '${key}' must be a controller version with a known IAM policy ` +
          `(${LoadBalancerControllerVersion.KNOWN.map((v) => v.version).join(', ')}); got ${show(raw)}. ` +
          `Pass -c ${key}=v2.8.3 to give the controller an older policy, or leave it out for the policy of controllerVersion.`);
      }
      return found;
    },
    default: undefined, example: 'v2.8.3', local: 'no effect on the paths',
    summary: 'Release whose official IAM policy the controller\'s role gets instead (stages the 403 of an old policy)',
    feeds: [[LoadBalancerController, 'policyVersion'], [LoadBalancerControllerPolicy, 'policyVersion']],
  }),
  sharedAlb: setting<boolean>({
    read: flag, default: false, example: 'true', summary: 'Both ALB Ingresses in one IngressGroup',
    local: { refused: 'the emulation gives each path its own load balancer' },
  }),
  nlbPreserveClientIp: setting<boolean>({
    read: flag, default: false, example: 'true', local: 'shapes the paths', summary: 'Client IP preservation of the NLB ip path',
    feeds: [[NlbWorkloadChart, 'preserveClientIp']],
  }),
  nlbProxyProtocol: setting<boolean>({
    read: flag, default: false, example: 'true', summary: 'PROXY protocol v2 on both NLB paths',
    local: { refused: 'the NLB stand-in sends no PROXY protocol header' }, feeds: [[NlbWorkloadChart, 'proxyProtocolV2']],
  }),
  tgbNodePort: setting<number>({
    read: whole, default: 30081, example: '30081', summary: 'NodePort of the TargetGroupBinding lab\'s instance Service',
    local: { refused: 'the emulation does not build the TargetGroupBinding paths' },
    feeds: [[TargetGroupBindingChart, 'nodePort'], [TargetGroupBindingWorkload, 'nodePort']],
  }),
  serviceMutatorWebhook: setting<boolean>({
    read: flag, default: true, example: 'false', local: 'no effect on the paths', summary: 'The controller\'s service mutator webhook',
    feeds: [[LoadBalancerController, 'enableServiceMutatorWebhook']],
  }),
  publicEndpointCidrs: setting<readonly string[]>({
    read: cidrs('203.0.113.7/32 (your address) or 0.0.0.0/0'), default: ['0.0.0.0/0'], example: '203.0.113.7/32',
    local: 'no effect on the paths', summary: 'CIDR blocks allowed to the public API endpoint',
    feeds: [[LabCluster, 'publicEndpointCidrs']],
  }),
  controlPlaneLogging: setting<readonly eks.ClusterLoggingTypes[]>({
    read: (key, raw, row) => {
      const types = raw === '' || raw === 'none' ? [] : list(key, raw, row as never);
      const bad = types.find((t) => !LOG_TYPES.includes(t));
      if (bad !== undefined) {
        throw new ContextError(`Context '${key}' must be log types among ${LOG_TYPES.join(', ')}, separated by ` +
          `commas, or none; got ${show(bad)}. Pass -c ${key}=api,audit.`);
      }
      return types as eks.ClusterLoggingTypes[];
    },
    default: [], example: 'api,audit', local: 'no effect on the paths', summary: 'Control-plane log types, or none',
    feeds: [[LabCluster, 'controlPlaneLogging']],
  }),
  serviceCidr: setting<string | undefined>({
    read: (key, raw, row) => text()(key, raw, row as never), default: undefined, example: '172.20.0.0/16',
    local: 'no effect on the paths', summary: 'Service cluster IP block (else EKS chooses)', feeds: [[LabCluster, 'serviceCidr']],
  }),
  crossZoneLoadBalancing: setting<CrossZoneLoadBalancing | undefined>({
    read: (key, raw) => {
      if (typeof raw !== 'string' || !(CROSS_ZONE_VALUES as readonly string[]).includes(raw)) {
        throw new ContextError(`Context '${key}' must be one of ${CROSS_ZONE_VALUES.join(', ')}; got ${show(raw)}. ` +
          `Pass -c ${key}=false to keep each load balancer node's requests in its own zone.`);
      }
      return raw as CrossZoneLoadBalancing;
    },
    default: undefined, example: 'false', local: 'shapes the paths',
    summary: 'Cross-zone load balancing of the target groups (else the ELB default: on for an ALB, off for an NLB)',
    feeds: [[IngressWorkloadChart, 'crossZoneLoadBalancing'], [NlbWorkloadChart, 'crossZoneLoadBalancing'],
      [TargetGroupBindingWorkload, 'crossZoneLoadBalancing']],
  }),
  controllerIdentity: setting<LoadBalancerControllerIdentity>({
    read: (key, raw) => {
      if (!CONTROLLER_IDENTITIES.includes(raw as LoadBalancerControllerIdentity)) {
        throw new ContextError(`Context '${key}' must be ${CONTROLLER_IDENTITIES.join(' or ')}; got ${show(raw)}. ` +
          `Pass -c ${key}=pod-identity for EKS Pod Identity, or leave it out for IRSA.`);
      }
      return raw as LoadBalancerControllerIdentity;
    },
    default: 'irsa', example: 'pod-identity', local: 'no effect on the paths',
    summary: 'How the controller\'s pods get its IAM role: IRSA or EKS Pod Identity', feeds: [[LoadBalancerController, 'identity']],
  }),
  ipFamily: setting<LabIpFamily>({
    read: (key, raw) => {
      if (raw !== 'ipv4' && raw !== 'ipv6') {
        throw new ContextError(`Context '${key}' must be ipv4 or ipv6; got ${show(raw)}. ` +
          `Pass -c ${key}=ipv6 for an IPv6 cluster in a dual-stack VPC, or leave it out for IPv4.`);
      }
      return raw;
    },
    default: 'ipv4', example: 'ipv6', summary: 'IP family of pods and Services; ipv6 makes the VPC dual-stack and the lab ip paths only',
    local: { refused: 'the emulation builds IPv4 paths only' },
    feeds: [[LabCluster, 'ipFamily'], [LabVpc, 'ipProtocol']],
  }),
} satisfies { readonly [K in keyof LabSettings]-?: Setting<LabSettings[K]> };

/** The lab's own context keys besides the settings: cdk-nag, and taking a region aws-cdk-lib's table lacks. */
const OTHER_KEYS = ['nag', 'newRegion'];
/** Context keys of the CDK CLI and aws-cdk-lib without a colon (feature flags and internal keys all have one). */
const CDK_KEYS = ['cli-telemetry', 'acknowledged-issue-numbers'];

/** Defaults for every setting. */
export const LAB_DEFAULTS: LabSettings = Object.fromEntries(Object.entries(SETTINGS)
  .filter(([, row]) => row.default !== undefined).map(([key, row]) => [key, row.default])) as unknown as LabSettings;

/** Whether `-c nag=true` asks for the cdk-nag AwsSolutions checks. */
export function readNag(node: Node): boolean {
  const value = node.tryGetContext('nag');
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new ContextError(`Context 'nag' must be true or false; got ${show(value)}. Pass -c nag=true to run the cdk-nag AwsSolutions checks.`);
}

/**
 * Reads the lab's settings from cdk context (`-c key=value` or cdk.json), each through its row of {@link SETTINGS}.
 * A key the lab does not know stops it, naming the closest one: a misspelt key would otherwise leave its default.
 */
export function readLabSettings(node: Node, env: Readonly<Record<string, string | undefined>> = process.env): LabSettings {
  const context = node.getAllContext() as Record<string, unknown>;
  for (const key of Object.keys(context)) {
    if (Object.hasOwn(SETTINGS, key) || OTHER_KEYS.includes(key) || CDK_KEYS.includes(key) || /[:@/]/.test(key)) continue;
    const known = [...Object.keys(SETTINGS), ...OTHER_KEYS];
    throw new ContextError(`Context '${key}' is not a setting of the lab; got ${show(context[key])}. ` +
      `Did you mean '${closest(key, known)}'? The settings are ${known.join(', ')}.`);
  }
  const values: Record<string, unknown> = {};
  for (const [key, row] of Object.entries(SETTINGS) as [string, Setting<unknown>][]) {
    const raw = context[key];
    const fallback = key === 'region' && env.CDK_DEFAULT_REGION ? env.CDK_DEFAULT_REGION : row.default;
    const value = raw === undefined ? fallback : row.read(key, raw, row);
    if (value !== undefined) values[key] = value;
  }
  const settings = values as unknown as LabSettings;
  // A region only shaped like one (us-east-12, a mistyped AWS_REGION) would fail at deploy; a new one is taken on request.
  if (!KNOWN_REGIONS.has(settings.region) && context.newRegion !== true && context.newRegion !== 'true') {
    throw new ContextError(`Context 'region' is not a region aws-cdk-lib ${AWS_CDK_LIB_VERSION} knows; got ${show(settings.region)}` +
      `${context.region === undefined ? ' (from CDK_DEFAULT_REGION)' : ''}. Pass -c region=eu-west-1, or add -c newRegion=true ` +
      'for a region opened since.');
  }
  if (settings.tgbNodePort === settings.nodePort) {
    throw new ContextError(`Context 'tgbNodePort' must differ from 'nodePort'; got ${settings.tgbNodePort} for both. ` +
      `Each NodePort Service needs its own port; pass -c tgbNodePort=${settings.nodePort === 30081 ? 30082 : 30081}.`);
  }
  return settings;
}

/** The context keys given explicitly (`-c` or cdk.json), among the settings. */
export function givenSettings(node: Node): (keyof LabSettings)[] {
  const context = node.getAllContext() as Record<string, unknown>;
  return (Object.keys(SETTINGS) as (keyof LabSettings)[]).filter((k) => context[k] !== undefined);
}

/**
 * A user's mistake in the lab's settings as one line: a ContextError as it is, and a construct's refusal of a value
 * that came from a context key under that key (`Context 'nodeCount' must be ...`); undefined for anything else.
 */
export function settingsMessage(error: unknown): string | undefined {
  if (error instanceof ContextError) return error.message;
  if (!(error instanceof LabValidationError)) return undefined;
  const prop = error.prop.replace(/\[\d+\]$/, '');
  for (const [key, row] of Object.entries(SETTINGS) as [string, Setting<unknown>][]) {
    if (!(row.feeds ?? []).some(([type, fed]) => fed === prop && error.construct instanceof type)) continue;
    const element = error.prop.slice(prop.length);
    const detail = row.fix ? `${problemPart(error.detail)} ${row.fix}` : error.detail;
    return `Context '${key}'${element ? ` (entry ${Number(element.slice(1, -1)) + 1})` : ''} ${detail}`;
  }
  return error.message;
}

/** The problem and the value of a `<problem>; got <value>. <fix>` detail, without the fix. */
function problemPart(detail: string): string {
  const m = /^(.*?; got .*?\.)(?= [A-Z(`'])/s.exec(detail);
  return m ? m[1] : detail;
}

/** The known key nearest to `key` by edit distance, case folded. */
function closest(key: string, known: readonly string[]): string {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length];
  };
  return [...known].sort((a, b) => distance(key.toLowerCase(), a.toLowerCase()) - distance(key.toLowerCase(), b.toLowerCase()))[0];
}

/** Renders a value for a message: strings quoted, the rest as JSON. */
function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}
