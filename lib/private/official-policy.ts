import { Aws, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import aws from './policies/v3.5.0/iam_policy.json';
import awsCn from './policies/v3.5.0/iam_policy_cn.json';
import awsEusc from './policies/v3.5.0/iam_policy_eusc.json';
import awsIso from './policies/v3.5.0/iam_policy_iso.json';
import awsIsoB from './policies/v3.5.0/iam_policy_isob.json';
import awsIsoE from './policies/v3.5.0/iam_policy_isoe.json';
import awsIsoF from './policies/v3.5.0/iam_policy_isof.json';
import awsUsGov from './policies/v3.5.0/iam_policy_us-gov.json';

/** An IAM policy document as JSON. */
export interface PolicyJson {
  readonly Version: string;
  readonly Statement: readonly Record<string, unknown>[];
}

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

const PARTITION_BY_PREFIX: readonly [string, string][] = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-isob-', 'aws-iso-b'],
  ['us-iso-', 'aws-iso'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-isof-', 'aws-iso-f'],
  ['eusc-', 'aws-eusc'],
];

/** The partition of a region known at synth; undefined for a token (an environment-agnostic stack). */
export function partitionOf(region: string): string | undefined {
  if (Token.isUnresolved(region)) return undefined;
  const known = RegionInfo.get(region).partition;
  if (known) return known;
  return PARTITION_BY_PREFIX.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}

/**
 * The policy for a partition. With no partition (region unknown at synth) the commercial file is used with
 * every `arn:aws:` replaced by `arn:${AWS::Partition}:`, which is exact wherever the statements are the same
 * as the commercial ones (aws, aws-cn, aws-us-gov, aws-eusc).
 */
export function policyForPartition(policies: Readonly<Record<string, PolicyJson>>, partition: string | undefined): PolicyJson | undefined {
  if (partition !== undefined) return policies[partition];
  return substitutePartition(policies.aws) as PolicyJson;
}

function substitutePartition(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/^arn:aws:/, `arn:${Aws.PARTITION}:`);
  if (Array.isArray(value)) return value.map(substitutePartition);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitutePartition(v)]));
  }
  return value;
}
