import { POLICIES_V3_5_0 } from '../../../lib/private/official-policy';
import {
  PolicyFormatError, actionMatches, comparePolicies, normalize, optionalFeaturesOf, resourceMatches, statementConsequence,
  ungrantedActions, wildcardMatch,
} from '../../../lib/private/policy-compare';

const official = normalize(POLICIES_V3_5_0.aws);

function statements(...list: Record<string, unknown>[]) {
  return normalize({ Version: '2012-10-17', Statement: list });
}

describe('actionMatches and resourceMatches', () => {
  test.each([
    ['elasticloadbalancing:Describe*', 'elasticloadbalancing:DescribeListenerAttributes', true],
    ['ELASTICLOADBALANCING:describelistenerattributes', 'elasticloadbalancing:DescribeListenerAttributes', true],
    ['elasticloadbalancing:Describe*', 'elasticloadbalancing:ModifyListenerAttributes', false],
    ['ec2:Describe?pcs', 'ec2:DescribeVpcs', true],
    ['*', 'iam:CreateServiceLinkedRole', true],
    ['ec2:DescribeVpc', 'ec2:DescribeVpcs', false],
  ])('action %s matches %s: %s', (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });

  test('resources: wildcards match, case matters, regex characters are literal', () => {
    expect(resourceMatches('arn:aws:elasticloadbalancing:*:*:targetgroup/*', 'arn:aws:elasticloadbalancing:*:*:targetgroup/*/*')).toBe(true);
    expect(resourceMatches('arn:aws:ec2:*:*:security-group/*', 'arn:aws:ec2:*:*:Security-group/*')).toBe(false);
    expect(resourceMatches('arn:aws:s3:::a.b', 'arn:aws:s3:::axb')).toBe(false);
  });
});

describe('wildcardMatch', () => {
  test.each([
    ['a*b*c', 'axxbyyc', true], ['a*b*c', 'axxbyy', false], ['*', '', true], ['', '', true], ['?', '', false],
    ['a**', 'a', true], ['*a', 'ba', true], ['*a', 'ab', false], ['a?c*', 'abcdef', true], ['.*', 'x', false],
    ['ec2:Describe[Vpcs]', 'ec2:Describe[Vpcs]', true], ['a*a*a*a*a*b', 'a'.repeat(30), false],
  ])('%s against %s: %s', (pattern, text, expected) => {
    expect(wildcardMatch(pattern, text, false)).toBe(expected);
  });

  test('many stars against long text end at once (no backtracking regex)', () => {
    const started = Date.now();
    expect(wildcardMatch(`${'*'.repeat(60)}!`, 'x'.repeat(5000), true)).toBe(false);
    expect(wildcardMatch(`${'*?'.repeat(30)}!`, `${'x'.repeat(5000)}!`, true)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('optionalFeaturesOf', () => {
  test('names the feature of an action the official policy leaves out; a broad pattern serves none', () => {
    expect(optionalFeaturesOf('wafv2:ListWebACLs').map((f) => f.actions[0])).toEqual(['wafv2:ListWebACLs']);
    expect(optionalFeaturesOf('route53:*')).toHaveLength(1);
    expect(optionalFeaturesOf('*')).toEqual([]);
    expect(optionalFeaturesOf('*:GetResources')).toEqual([]);
    expect(optionalFeaturesOf('s3:GetObject')).toEqual([]);
  });
});

describe('comparePolicies', () => {
  test('the same document reordered, reformatted, with single values unwrapped and Sids added: no difference', () => {
    const shuffled = JSON.parse(JSON.stringify(POLICIES_V3_5_0.aws, undefined, 7)) as { Statement: Record<string, unknown>[] };
    const statementsReversed = shuffled.Statement.reverse().map((s, i) => ({
      ...s, Sid: `S${i}`, Action: [s.Action].flat().reverse(),
    }));
    expect(comparePolicies(official, normalize({ Version: '2012-10-17', Statement: statementsReversed })))
      .toEqual({ missing: [], extra: [], differing: [] });
  });

  test('one statement with wildcards covers what it matches and leaves the rest missing', () => {
    const result = comparePolicies(official, statements(
      { Effect: 'Allow', Action: ['ec2:*', 'elasticloadbalancing:*', 'iam:CreateServiceLinkedRole', 'cognito-idp:*', 'acm:*', 'waf-regional:*', 'wafv2:*', 'tag:*'], Resource: '*' },
    ));
    // v3.5.0 calls no tag: action.
    expect(result.extra).toEqual(['tag:*']);
    expect(result.missing).toEqual(['iam:GetServerCertificate', 'iam:ListServerCertificates',
      'shield:CreateProtection', 'shield:DeleteProtection', 'shield:DescribeProtection', 'shield:GetSubscriptionState']);
    // Every other official statement is granted, more widely.
    expect(result.differing.every((d) => d.narrower.length === 0 && d.broader.length > 0)).toBe(true);
  });

  test('extra actions are those matching no official action', () => {
    const result = comparePolicies(official, statements(...POLICIES_V3_5_0.aws.Statement,
      { Effect: 'Allow', Action: ['iam:PassRole', 'elasticloadbalancing:Describe*'], Resource: '*' }));
    expect(result.extra).toEqual(['iam:PassRole']);
    expect(result.missing).toEqual([]);
  });

  test('AddTags without the CreateAction statement: granted elsewhere, narrower at create, with the consequence', () => {
    const withoutCreateTagging = POLICIES_V3_5_0.aws.Statement.filter((s) => !JSON.stringify(s).includes('elasticloadbalancing:CreateAction'));
    const result = comparePolicies(official, statements(...withoutCreateTagging));
    expect(result.missing).toEqual([]);
    expect(result.differing).toHaveLength(1);
    const [difference] = result.differing;
    expect(difference.narrower).toEqual(['elasticloadbalancing:AddTags']);
    expect(statementConsequence(difference.official)).toMatch(/^creating load balancers and target groups fails/);
    // The two official tag statements for existing resources grant AddTags, but not at create.
    expect(difference.granting.map((s) => s.actions)).toEqual([
      ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'], ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
    ]);
    expect(ungrantedActions(official, statements(...withoutCreateTagging))).toEqual(['elasticloadbalancing:AddTags']);
  });

  test('NotAction grants everything it does not name; a Deny on every resource takes an action away', () => {
    const result = comparePolicies(official, statements(
      { Effect: 'Allow', NotAction: ['shield:*'], Resource: '*' },
      { Effect: 'Deny', Action: 'elasticloadbalancing:DescribeListenerAttributes', Resource: '*' },
      { Effect: 'Deny', Action: 'ec2:DescribeVpcs', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    ));
    expect(result.missing).toEqual(['elasticloadbalancing:DescribeListenerAttributes',
      'shield:CreateProtection', 'shield:DeleteProtection', 'shield:DescribeProtection', 'shield:GetSubscriptionState']);
  });

  test('condition keys match whatever their case', () => {
    const upper = POLICIES_V3_5_0.aws.Statement.map((s) => JSON.parse(JSON.stringify(s).replace(/aws:(Request|Resource)Tag/g, 'AWS:$1TAG')));
    expect(comparePolicies(official, statements(...upper))).toEqual({ missing: [], extra: [], differing: [] });
  });

  test('a condition the official statement does not have makes the grant narrower', () => {
    const [first] = POLICIES_V3_5_0.aws.Statement.filter((s) => [s.Action].flat().includes('ec2:DescribeVpcs'));
    const rest = POLICIES_V3_5_0.aws.Statement.filter((s) => s !== first);
    const result = comparePolicies(official, statements(...rest,
      { ...first, Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }));
    expect(result.differing).toHaveLength(1);
    expect(result.differing[0].narrower).toContain('ec2:DescribeVpcs');
  });
});

describe('normalize', () => {
  test('a statement with Action and NotAction is refused, not read as granting everything', () => {
    expect(() => statements({ Effect: 'Allow', Action: 'ec2:DescribeVpcs', NotAction: 'iam:*', Resource: '*' }))
      .toThrow(new PolicyFormatError('Statement 0 has both Action and NotAction, which IAM refuses; keep one of them'));
  });

  test.each([
    [null, 'the policy document must be a JSON object with a Statement'],
    [{ Version: '2012-10-17' }, 'the policy document has no Statement'],
    [{ Statement: [{ Effect: 'allow', Action: 'x:Y', Resource: '*' }] }, 'Statement 0 has Effect "allow"; IAM takes Allow or Deny'],
    [{ Statement: [{ Effect: 'Allow', Action: [1], Resource: '*' }] }, 'Statement 0 Action must be a string or a list of strings'],
    [{ Statement: [{ Effect: 'Allow', Action: 'ec2:DescribeVpcs' }] }, 'Statement 0 has no Resource'],
  ])('rejects %j', (document, message) => {
    expect(() => normalize(document)).toThrow(new PolicyFormatError(message));
  });

  test('a single statement object is a list of one; NotResource grants on no resource the official policy names', () => {
    expect(normalize({ Statement: { Effect: 'Allow', Action: 'ec2:DescribeVpcs', NotResource: 'arn:aws:s3:::x' } })).toEqual([
      { index: 0, sid: undefined, effect: 'Allow', actions: ['ec2:DescribeVpcs'], not: false, resources: [], condition: {} },
    ]);
  });
});
