import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LoadBalancerControllerVersion, PolicyJson } from '../../../lib';
import {
  requiredAdditions,
  ACTION_FIRST_RELEASE, COMMERCIAL_POLICIES, POLICIES_V3_5_0, partitionOf, partitionsFor, policyForPartition, withPartition,
} from '../../../lib/private/official-policy';
import { newStack, statementSet } from '../../fixtures';
import { ROOT } from '../../paths';

const DIR = path.join(ROOT, 'lib', 'private', 'policies', 'v3.5.0');

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

/** sha256 of the published commercial file at older controller tags. */
const HISTORY_SHA256: Record<string, string> = {
  'v2.4.7': '5a0d7c60e3f4501d5080d0f2e5d306fdff3b1c844bdff0da4206dc3fba5a6278',
  'v2.7.2': 'd25c6192f7187427d21ecb41109afe29002bf84bdf97f3f3e00684a96d1fe1f1',
  'v2.8.3': 'd25c6192f7187427d21ecb41109afe29002bf84bdf97f3f3e00684a96d1fe1f1',
  'v2.9.2': 'e4cc3dc54800481aaa1671847db4ccef1b45414bcbab87a44ea3a7b0f2de5887',
  'v2.10.0': 'ed93ed99fc18fd364ad02bf57f9c5ee868b49c188017b0781fc98531c6455aee',
  'v2.11.0': 'c2e3bf2d59df4247d14bcc7373a9776c3a963fda1d71aa12e30af44966378ab5',
  'v2.12.0': '05780d548cae2d0ef012988ec1053e7733011c2a0415a7ca02c363907e455016',
  'v2.13.0': '16f232c9d9f79366fe949c4550ad517a202380058a9e48d45a4e215044a20a6a',
};

/** Actions and compact size of the commercial file of each tag. */
const HISTORY_FIGURES: Record<string, [number, number]> = {
  'v2.4.7': [70, 4797], 'v2.7.2': [71, 4840], 'v2.8.3': [71, 4840], 'v2.9.2': [73, 4938],
  'v2.10.0': [74, 4968], 'v2.11.0': [76, 5068], 'v2.12.0': [79, 5170], 'v2.13.0': [80, 5196],
};

describe('vendored official policies, older tags', () => {
  test.each(Object.entries(HISTORY_SHA256))('%s is the published commercial file', (tag, sha) => {
    const file = path.join(ROOT, 'lib', 'private', 'policies', tag, 'iam_policy.json');
    expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(sha);
  });

  test.each(Object.entries(COMMERCIAL_POLICIES))('%s parses into IAM statements, all in the aws partition, with the recorded size', (tag, document) => {
    expect(document.Statement.map((s) => iam.PolicyStatement.fromJson(s))).toHaveLength(document.Statement.length);
    expect(new Set(JSON.stringify(document).match(/arn:[a-z-]+:/g))).toEqual(new Set(['arn:aws:']));
    expect([actions(document).size, JSON.stringify(document).length]).toEqual(HISTORY_FIGURES[tag]);
  });

  test('each tag grants what the one before it does: actions only arrive', () => {
    const tags = Object.keys(COMMERCIAL_POLICIES);
    for (const [older, newer] of tags.slice(1).map((t, i) => [tags[i], t])) {
      expect([...actions(COMMERCIAL_POLICIES[older])].filter((a) => !actions(COMMERCIAL_POLICIES[newer]).has(a))).toEqual([]);
    }
    expect(statementSet(COMMERCIAL_POLICIES['v2.13.0'])).toEqual(statementSet(POLICIES_V3_5_0.aws));
  });
});

describe('policyForPartition', () => {
  test.each(['aws-cn', 'aws-us-gov', 'aws-eusc'])('at v3.5.0 the commercial file with %s substituted is that partition\'s file', (partition) => {
    // The rule older tags rely on, checked where both files exist.
    expect(statementSet(withPartition(POLICIES_V3_5_0.aws, partition))).toEqual(statementSet(POLICIES_V3_5_0[partition]));
  });

  test.each(['aws-cn', 'aws-us-gov', 'aws-eusc'])('an older tag derives %s from its commercial file', (partition) => {
    const document = policyForPartition({ aws: COMMERCIAL_POLICIES['v2.8.3'] }, partition)!;
    expect(new Set(JSON.stringify(document).match(/arn:[a-z-]+:/g))).toEqual(new Set([`arn:${partition}:`]));
    expect(actions(document)).toEqual(actions(COMMERCIAL_POLICIES['v2.8.3']));
  });

  test('an older tag has no policy for the isolated partitions; v3.5.0 has its own files', () => {
    const older = { aws: COMMERCIAL_POLICIES['v2.8.3'] };
    for (const p of ['aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f']) {
      expect(policyForPartition(older, p)).toBeUndefined();
      expect(policyForPartition(POLICIES_V3_5_0, p)).toBe(POLICIES_V3_5_0[p]);
    }
    expect(partitionsFor(older)).toEqual(['aws', 'aws-cn', 'aws-us-gov', 'aws-eusc']);
    expect(partitionsFor(POLICIES_V3_5_0)).toEqual(Object.keys(POLICIES_V3_5_0));
  });

  test('names inherited from Object.prototype are no partitions', () => {
    for (const p of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) expect(policyForPartition(POLICIES_V3_5_0, p)).toBeUndefined();
  });

  test('requiredAdditions: DescribeListenerAttributes in the isolated partitions from v3.2.2, nothing elsewhere', () => {
    const iso = POLICIES_V3_5_0['aws-iso'];
    expect(requiredAdditions('v3.5.0', 'aws-iso', iso).map((a) => a.action)).toEqual(['elasticloadbalancing:DescribeListenerAttributes']);
    expect(requiredAdditions('v3.2.2', 'aws-iso-f', iso).map((a) => a.since)).toEqual(['v3.2.2']);
    expect(requiredAdditions('v3.2.1', 'aws-iso', iso)).toEqual([]);
    expect(requiredAdditions('v3.5.0', 'aws', POLICIES_V3_5_0.aws)).toEqual([]);
    expect(requiredAdditions('v3.5.0', undefined, POLICIES_V3_5_0.aws)).toEqual([]);
    // A document that already grants it needs nothing.
    expect(requiredAdditions('v3.5.0', 'aws-iso', POLICIES_V3_5_0.aws)).toEqual([]);
  });

  test('with the partition unknown, every ARN takes ${AWS::Partition}', () => {
    const document = policyForPartition(POLICIES_V3_5_0, undefined)!;
    const resolved = JSON.stringify(newStack(null).resolve(document));
    expect(resolved).not.toContain('arn:aws:');
    expect(resolved).toContain('{"Ref":"AWS::Partition"}');
  });

  test.each(Object.entries({ ...COMMERCIAL_POLICIES, 'v3.5.0': POLICIES_V3_5_0.aws }))(
    '%s fits the limit even with the longest derived partition name', (_tag, document) => {
      expect(JSON.stringify(withPartition(document, 'aws-us-gov')).length).toBeLessThanOrEqual(6144);
    });
});

describe('ACTION_FIRST_RELEASE', () => {
  const tag = (v: string) => v.slice(1).split('.').map(Number);
  const notLater = (a: string, b: string) => {
    const [x, y] = [tag(a), tag(b)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i];
    return true;
  };
  const actionsOf = (document: PolicyJson) =>
    new Set(document.Statement.flatMap((s) => [s.Action ?? []].flat() as string[]));

  test.each(LoadBalancerControllerVersion.KNOWN.map((v) => [v.version, v] as const))(
    'agrees with the vendored policy of %s: listed actions appear from their release on, never before', (_tag, version) => {
      const actions = actionsOf(version.policies.aws);
      for (const [action, first] of Object.entries(ACTION_FIRST_RELEASE)) {
        expect([action, actions.has(action)]).toEqual([action, notLater(first, version.version)]);
      }
    });

  test('every action of the newest policy is either listed or in the oldest vendored one', () => {
    const oldest = actionsOf(LoadBalancerControllerVersion.KNOWN[0].policies.aws);
    const unlisted = [...actionsOf(LoadBalancerControllerVersion.V3_5_0.policies.aws)]
      .filter((a) => !oldest.has(a) && ACTION_FIRST_RELEASE[a] === undefined);
    expect(unlisted).toEqual([]);
  });
});
