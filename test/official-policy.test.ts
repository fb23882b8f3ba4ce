import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as iam from 'aws-cdk-lib/aws-iam';
import { POLICIES_V3_5_0, partitionOf } from '../lib/private/official-policy';

const DIR = path.join(__dirname, '..', 'lib', 'private', 'policies', 'v3.5.0');

/** sha256 of the published files at controller tag v3.5.0; a hand edit shows up here. */
const PUBLISHED_SHA256: Record<string, string> = {
  'iam_policy.json': '16f232c9d9f79366fe949c4550ad517a202380058a9e48d45a4e215044a20a6a',
  'iam_policy_cn.json': 'b1ac7c188d27a2cdb3095c7efd8376cd21705fe75d6ce91715558a85987b25bc',
  'iam_policy_eusc.json': '7f3dbe61b40f81a44a36b9e47fa01568f34401697980fd038f20a3975b61e5a9',
  'iam_policy_iso.json': '9a9d0b1c903e5a69591d425c7083e34598c679cbdbbbef3fde5f62830e09d6bd',
  'iam_policy_isob.json': 'cebfeb2f14d2bb8159ebc59deaf7d8ebc75f26bf7a968ef074814ec57d7414bd',
  'iam_policy_isoe.json': '3e20fb5e17b8cf2d3b4cc6481ef707b10d90e98335b8a6d21d91293ec0335f3b',
  'iam_policy_isof.json': 'b8c8fb084d757633a0e60808328b362e9a5d090c01f02c1f62d51aa92b3a7b00',
  'iam_policy_us-gov.json': 'eff0caf0b8f205e63e09ee1ea37a90fba6a87a417ac40fc83da50b204a55f372',
};

function actions(document: { Statement: readonly Record<string, unknown>[] }): Set<string> {
  return new Set(document.Statement.flatMap((s) => [s.Action].flat() as string[]));
}

describe('vendored official policies, v3.5.0', () => {
  test.each(Object.entries(PUBLISHED_SHA256))('%s is the published file', (file, sha) => {
    expect(createHash('sha256').update(fs.readFileSync(path.join(DIR, file))).digest('hex')).toBe(sha);
  });

  test.each(Object.entries(POLICIES_V3_5_0))('%s parses into IAM statements, all in its own partition', (partition, document) => {
    const statements = document.Statement.map((s) => iam.PolicyStatement.fromJson(s));
    expect(statements.length).toBe(document.Statement.length);
    const arns = JSON.stringify(document).match(/arn:[a-z-]+:/g) ?? [];
    expect(arns.length).toBeGreaterThan(0);
    expect(new Set(arns)).toEqual(new Set([`arn:${partition}:`]));
  });

  test.each(Object.entries(POLICIES_V3_5_0))('%s fits the 6,144-character limit of a customer-managed policy', (_p, document) => {
    expect(JSON.stringify(document).length).toBeLessThanOrEqual(6144);
  });

  test('the commercial policy has 80 actions and 5,196 characters compact, DescribeListenerAttributes among them', () => {
    expect(actions(POLICIES_V3_5_0.aws).size).toBe(80);
    expect(JSON.stringify(POLICIES_V3_5_0.aws).length).toBe(5196);
    expect(actions(POLICIES_V3_5_0.aws)).toContain('elasticloadbalancing:DescribeListenerAttributes');
  });

  test('aws-cn, aws-us-gov and aws-eusc grant the commercial actions; the iso partitions omit five ELB actions', () => {
    const commercial = actions(POLICIES_V3_5_0.aws);
    for (const p of ['aws-cn', 'aws-us-gov', 'aws-eusc']) expect(actions(POLICIES_V3_5_0[p])).toEqual(commercial);
    for (const p of ['aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f']) {
      const missing = [...commercial].filter((a) => !actions(POLICIES_V3_5_0[p]).has(a)).sort();
      expect(missing).toEqual([
        'elasticloadbalancing:DescribeCapacityReservation', 'elasticloadbalancing:DescribeListenerAttributes',
        'elasticloadbalancing:DescribeTrustStores', 'elasticloadbalancing:ModifyCapacityReservation',
        'elasticloadbalancing:ModifyListenerAttributes',
      ]);
    }
  });

  test.each([
    ['us-east-1', 'aws'], ['cn-north-1', 'aws-cn'], ['cn-northwest-1', 'aws-cn'], ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'], ['us-isob-east-1', 'aws-iso-b'], ['eusc-de-east-1', 'aws-eusc'],
  ])('region %s is in partition %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});
