import { Aws, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import v2_10_0 from './policies/v2.10.0/iam_policy.json';
import v2_11_0 from './policies/v2.11.0/iam_policy.json';
import v2_12_0 from './policies/v2.12.0/iam_policy.json';
import v2_13_0 from './policies/v2.13.0/iam_policy.json';
import v2_4_7 from './policies/v2.4.7/iam_policy.json';
import v2_7_2 from './policies/v2.7.2/iam_policy.json';
import v2_8_3 from './policies/v2.8.3/iam_policy.json';
import v2_9_2 from './policies/v2.9.2/iam_policy.json';
import aws from './policies/v3.5.0/iam_policy.json';
import awsCn from './policies/v3.5.0/iam_policy_cn.json';
import awsEusc from './policies/v3.5.0/iam_policy_eusc.json';
import awsIso from './policies/v3.5.0/iam_policy_iso.json';
import awsIsoB from './policies/v3.5.0/iam_policy_isob.json';
import awsIsoE from './policies/v3.5.0/iam_policy_isoe.json';
import awsIsoF from './policies/v3.5.0/iam_policy_isof.json';
import awsUsGov from './policies/v3.5.0/iam_policy_us-gov.json';

/** An IAM policy document as JSON, as `aws iam get-policy-version` prints it. */
export interface PolicyJson {
  readonly Version: string;
  readonly Statement: readonly Record<string, unknown>[];
}

/**
 * The controller release whose official policy first lists an action, for every action added after v2.0.0.
 * Read off the official commercial policy at tags v2.0.0, v2.1.2, v2.2.0, v2.3.0, v2.4.0, v2.4.7, v2.5.0, v2.6.0,
 * v2.7.0, v2.7.2, v2.8.3, v2.9.0, v2.9.2, v2.10.0, v2.11.0, v2.12.0, v2.13.0 and v3.5.0; an action of v2.0.0 is absent.
 */
export const ACTION_FIRST_RELEASE: Readonly<Record<string, string>> = {
  'ec2:DescribeCoipPools': 'v2.1.2',
  'ec2:GetCoipPoolUsage': 'v2.1.2',
  'ec2:DescribeAvailabilityZones': 'v2.2.0',
  'ec2:DescribeVpcPeeringConnections': 'v2.3.0',
  'elasticloadbalancing:DescribeTrustStores': 'v2.7.0',
  'elasticloadbalancing:DescribeListenerAttributes': 'v2.9.0',
  'elasticloadbalancing:ModifyListenerAttributes': 'v2.9.0',
  'ec2:GetSecurityGroupsForVpc': 'v2.10.0',
  'elasticloadbalancing:DescribeCapacityReservation': 'v2.11.0',
  'elasticloadbalancing:ModifyCapacityReservation': 'v2.11.0',
  'ec2:DescribeIpamPools': 'v2.12.0',
  'elasticloadbalancing:ModifyIpPools': 'v2.12.0',
  'elasticloadbalancing:SetRulePriorities': 'v2.12.0',
  'ec2:DescribeRouteTables': 'v2.13.0',
};

/** The official AWSLoadBalancerControllerIAMPolicy of controller v3.5.0, one file per partition. */
export const POLICIES_V3_5_0: Readonly<Record<string, PolicyJson>> = {
  'aws': aws,
  'aws-cn': awsCn,
  'aws-us-gov': awsUsGov,
  'aws-eusc': awsEusc,
  'aws-iso': awsIso,
  'aws-iso-b': awsIsoB,
  'aws-iso-e': awsIsoE,
  'aws-iso-f': awsIsoF,
};

/** The official policies of older controller tags; only the commercial file is vendored for them. */
export const COMMERCIAL_POLICIES: Readonly<Record<string, PolicyJson>> = {
  'v2.4.7': v2_4_7,
  'v2.7.2': v2_7_2,
  'v2.8.3': v2_8_3,
  'v2.9.2': v2_9_2,
  'v2.10.0': v2_10_0,
  'v2.11.0': v2_11_0,
  'v2.12.0': v2_12_0,
  'v2.13.0': v2_13_0,
};

/**
 * Partitions whose official file has the commercial statements with only the partition in the ARNs changed
 * (checked against the v3.5.0 files in the tests), so the commercial file of any tag converts exactly.
 * The isolated partitions omit actions, and which ones changed over time, so they are never derived.
 */
export const SAME_AS_COMMERCIAL = ['aws-cn', 'aws-us-gov', 'aws-eusc'] as const;

/** The longest partition name among those derived from the commercial file, for worst-case sizes. */
export const LONGEST_DERIVED_PARTITION = 'aws-us-gov';

const PARTITION_BY_PREFIX: readonly [string, string][] = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-isob-', 'aws-iso-b'],
  ['us-iso-', 'aws-iso'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-isof-', 'aws-iso-f'],
  ['eusc-', 'aws-eusc'],
];

/** Regions IAM answers in outside the commercial partition, where a client must be of the partition. */
const IAM_REGIONS: ReadonlyMap<string, string> = new Map([['aws-cn', 'cn-north-1'], ['aws-us-gov', 'us-gov-west-1']]);

/** The region to send IAM calls about a partition's resources to: its own IAM region, else `region`, else us-east-1. */
export function iamRegion(partition: string, region: string | undefined): string {
  return IAM_REGIONS.get(partition) ?? region ?? 'us-east-1';
}

/** The partition of a region known at synth; undefined for a token (an environment-agnostic stack). */
export function partitionOf(region: string): string | undefined {
  if (Token.isUnresolved(region)) return undefined;
  const known = RegionInfo.get(region).partition;
  if (known) return known;
  return PARTITION_BY_PREFIX.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}

/**
 * The official policy for a partition, from the files of one controller tag.
 *
 * - the partition's own file when vendored;
 * - for aws-cn, aws-us-gov and aws-eusc without their own file: the commercial file with `arn:aws:` changed
 *   to `arn:<partition>:`;
 * - with no partition (region unknown at synth): the commercial file with `arn:${AWS::Partition}:`, exact
 *   wherever the statements are the commercial ones;
 * - undefined otherwise (an isolated partition at a tag with only the commercial file).
 */
export function policyForPartition(policies: Readonly<Record<string, PolicyJson>>, partition: string | undefined): PolicyJson | undefined {
  const commercial = ownPolicy(policies, 'aws');
  if (partition === undefined) return commercial && withPartition(commercial, Aws.PARTITION);
  const own = ownPolicy(policies, partition);
  if (own) return own;
  if (commercial && (SAME_AS_COMMERCIAL as readonly string[]).includes(partition)) return withPartition(commercial, partition);
  return undefined;
}

/** A policy file by partition, never a property inherited from `Object.prototype` (`toString`, `__proto__`). */
function ownPolicy(policies: Readonly<Record<string, PolicyJson>>, partition: string): PolicyJson | undefined {
  return Object.prototype.hasOwnProperty.call(policies, partition) ? policies[partition] : undefined;
}

/** The partitions {@link policyForPartition} answers for. */
export function partitionsFor(policies: Readonly<Record<string, PolicyJson>>): string[] {
  const derived = ownPolicy(policies, 'aws') ? SAME_AS_COMMERCIAL.filter((p) => !ownPolicy(policies, p)) : [];
  return [...Object.keys(policies), ...derived];
}

/** Every AWS partition, as ARNs name them. */
export const PARTITIONS: ReadonlySet<string> = new Set([
  'aws', 'aws-cn', 'aws-us-gov', 'aws-eusc', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f',
]);

/** An action the controller calls in a partition although that partition's official file does not grant it. */
export interface RequiredAddition {
  readonly action: string;
  /** The first controller release that calls it there. */
  readonly since: string;
  /** Why the controller calls it. */
  readonly why: string;
}

/**
 * Actions the controller calls that an official partition file omits. The `aws-iso*` files of v3.5.0 lack the
 * listener-attribute, capacity-reservation and trust-store actions; from v3.2.2 the controller no longer skips
 * listener attributes in isolated regions, so every reconcile of a non-TLS listener calls
 * DescribeListenerAttributes there. The others are called only for annotations that ask for them.
 */
const ISOLATED_ADDITIONS: readonly RequiredAddition[] = [{
  action: 'elasticloadbalancing:DescribeListenerAttributes',
  since: 'v3.2.2',
  why: 'from controller v3.2.2 listener reconciles read listener attributes in the isolated partitions too, ' +
    'though the official aws-iso* policy files omit the action',
}];

/** Compares `v1.2.3` tags; a tag that is not of that form sorts first. */
function atLeast(version: string, floor: string): boolean {
  const parse = (v: string) => (/^v?(\d+)\.(\d+)\.(\d+)/.exec(v) ?? []).slice(1, 4).map(Number);
  const [a, b] = [parse(version), parse(floor)];
  if (a.length < 3) return false;
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

/** The actions a version's controller calls in `partition` beyond what that partition's official file grants. */
export function requiredAdditions(version: string, partition: string | undefined, document: PolicyJson): RequiredAddition[] {
  if (partition === undefined || !partition.startsWith('aws-iso')) return [];
  const granted = new Set(document.Statement.flatMap((s) => [s.Action ?? []].flat() as string[]).map((a) => a.toLowerCase()));
  return ISOLATED_ADDITIONS.filter((a) => atLeast(version, a.since) && !granted.has(a.action.toLowerCase()));
}

/** The document with a statement granting `additions` on every resource (they take no resource ARN). */
export function withAdditions(document: PolicyJson, additions: readonly RequiredAddition[]): PolicyJson {
  if (additions.length === 0) return document;
  return {
    ...document,
    Statement: [...document.Statement, {
      Sid: 'CalledBeyondTheOfficialPartitionFile', Effect: 'Allow', Action: additions.map((a) => a.action), Resource: '*',
    }],
  };
}

/** A copy of a document with every `arn:aws:` at the start of a string changed to `arn:<partition>:`. */
export function withPartition(document: PolicyJson, partition: string): PolicyJson {
  return substitute(document, partition) as PolicyJson;
}

/**
 * A copy of a document with the partition of every ARN, whatever it is (a token too), replaced by `*`: for
 * comparing documents whose partitions are not both known at synth.
 */
export function withoutPartition(document: PolicyJson): PolicyJson {
  return substitute(document, '*', /^arn:[^:]+:/) as PolicyJson;
}

function substitute(value: unknown, partition: string, from: RegExp = /^arn:aws:/): unknown {
  if (typeof value === 'string') return value.replace(from, `arn:${partition}:`);
  if (Array.isArray(value)) return value.map((v) => substitute(v, partition, from));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, partition, from)]));
  }
  return value;
}
