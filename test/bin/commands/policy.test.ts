import * as fs from 'fs';
import * as path from 'path';
import { GetPolicyCommand, GetPolicyVersionCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../../bin/cli';
import { COMMERCIAL_POLICIES, POLICIES_V3_5_0 } from '../../../lib/private/official-policy';
import { tempDir } from '../../temp';
import { ROOT } from '../../paths';

const POLICIES = path.join(ROOT, 'lib', 'private', 'policies');
const iam = mockClient(IAMClient);
let dir: string;

beforeAll(() => { dir = tempDir('eks-lb-lab-policy-'); });
beforeEach(() => iam.reset());

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['policy', ...args], { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd: dir });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

function write(name: string, content: unknown): string {
  fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return name;
}

function actions(document: { Statement: readonly Record<string, unknown>[] }): Set<string> {
  return new Set(document.Statement.flatMap((s) => [s.Action].flat() as string[]));
}

/** The `  - <action>` lines of one section of the report. */
function listed(stdout: string, section: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith(section));
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('  - ')) break;
    items.push(line.slice(4).split(' — ')[0]);
  }
  return items;
}

describe('eks-lb-lab policy diff <file>', () => {
  test.each(Object.keys(COMMERCIAL_POLICIES))('the %s file against v3.5.0 lists exactly the actions it lacks', async (tag) => {
    const { code, stdout, stderr } = await run('diff', path.join(POLICIES, tag, 'iam_policy.json'));
    const lacking = [...actions(POLICIES_V3_5_0.aws)].filter((a) => !actions(COMMERCIAL_POLICIES[tag]).has(a)).sort();
    expect(listed(stdout, 'Missing actions')).toEqual(lacking);
    expect(stdout).toContain('Statements granted otherwise: none');
    expect(stdout).toContain('Extra actions: none');
    expect([code, stderr]).toEqual([lacking.length > 0 ? 1 : 0, '']);
  });

  test('v2.8.3 lacks the listener attribute, capacity, IPAM, rule priority and route table actions, each explained', async () => {
    const { code, stdout } = await run('diff', path.join(POLICIES, 'v2.8.3', 'iam_policy.json'), '--version', 'v3.5.0', '--partition', 'aws');
    expect(code).toBe(1);
    expect(listed(stdout, 'Missing actions')).toEqual([
      'ec2:DescribeIpamPools', 'ec2:DescribeRouteTables', 'ec2:GetSecurityGroupsForVpc',
      'elasticloadbalancing:DescribeCapacityReservation', 'elasticloadbalancing:DescribeListenerAttributes',
      'elasticloadbalancing:ModifyCapacityReservation', 'elasticloadbalancing:ModifyIpPools',
      'elasticloadbalancing:ModifyListenerAttributes', 'elasticloadbalancing:SetRulePriorities',
    ]);
    expect(stdout).toMatch(/elasticloadbalancing:DescribeListenerAttributes — the controller reads listener attributes on every listener reconcile except for TLS listeners \(NLB TCP listeners from v2\.9\.0, ALB listeners from v2\.10\.1/);
    expect(stdout).toMatch(/elasticloadbalancing:ModifyListenerAttributes — listener-attributes annotations .* whose values differ from the listener's fail to apply; without such annotations the controller does not call it/);
    expect(stdout).toMatch(/elasticloadbalancing:DescribeCapacityReservation — minimum-load-balancer-capacity annotations fail/);
    expect(stdout).toMatch(/ec2:DescribeRouteTables — subnet discovery without kubernetes\.io\/role\/elb/);
    expect(stdout).toMatch(/ec2:GetSecurityGroupsForVpc — in the official policy since v2\.10\.0/);
    expect(stdout).toMatch(/Result: 9 missing action\(s\), 0 statement\(s\) granted more narrowly\.\n$/);
  });

  test('the v2.8.3 file is complete against --version v2.8.3; v2.4.7 lacks DescribeTrustStores (mTLS)', async () => {
    expect((await run('diff', path.join(POLICIES, 'v2.8.3', 'iam_policy.json'), '--version', '2.8.3')).code).toBe(0);
    const { code, stdout } = await run('diff', path.join(POLICIES, 'v2.4.7', 'iam_policy.json'), '--version', 'v2.8.3');
    expect(code).toBe(1);
    expect(listed(stdout, 'Missing actions')).toEqual(['elasticloadbalancing:DescribeTrustStores']);
    expect(stdout).toContain('mutual-authentication annotations that name a trust store by name (not by ARN) fail');
  });

  test('the official document with other whitespace and statement order: exit 0', async () => {
    const reordered = { ...POLICIES_V3_5_0.aws, Statement: [...POLICIES_V3_5_0.aws.Statement].reverse() };
    const file = write('reordered.json', `\n\n${JSON.stringify(reordered, undefined, '\t')}\n`);
    const { code, stdout } = await run('diff', file);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Result: grants everything the official policy grants\.\n$/);
  });

  test('AddTags without the create-time statement: the statement is reported with what breaks', async () => {
    const file = write('no-create-tagging.json', {
      Version: '2012-10-17',
      Statement: POLICIES_V3_5_0.aws.Statement.filter((s) => !JSON.stringify(s).includes('elasticloadbalancing:CreateAction')),
    });
    const { code, stdout } = await run('diff', file);
    expect(code).toBe(1);
    expect(stdout).toContain('Missing actions: none');
    expect(stdout).toContain('Statements granted otherwise (1):');
    expect(stdout).toContain('narrower for elasticloadbalancing:AddTags');
    expect(stdout).toContain('— creating load balancers and target groups fails');
  });

  test('wildcards cover what they match; extra actions are listed; wider grants alone exit 0', async () => {
    const file = write('wide.json', {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['ec2:*', 'elasticloadbalancing:*', 'iam:CreateServiceLinkedRole', 'iam:*ServerCertificate*', 'cognito-idp:DescribeUserPoolClient', 'acm:*', 'waf-regional:*', 'wafv2:*', 'shield:*', 's3:GetObject'], Resource: '*' },
      ],
    });
    const { code, stdout } = await run('diff', file);
    expect(listed(stdout, 'Missing actions')).toEqual([]);
    expect(listed(stdout, 'Extra actions')).toEqual(['s3:GetObject']);
    expect(stdout).toContain('wider for ');
    expect(code).toBe(0);
  });

  test('actions the official policy leaves out for optional features are reported as those features, not as drift', async () => {
    const file = write('with-features.json', {
      Version: '2012-10-17',
      Statement: [...POLICIES_V3_5_0.aws.Statement,
        { Effect: 'Allow', Action: ['wafv2:ListWebACLs', 'tag:GetResources', 'sts:AssumeRole', 'acm:RequestCertificate', 'globalaccelerator:*', 's3:GetObject'], Resource: '*' }],
    });
    const { code, stdout } = await run('diff', file);
    expect(code).toBe(0);
    expect(listed(stdout, 'Optional features')).toEqual(['acm:RequestCertificate', 'globalaccelerator:*', 'sts:AssumeRole', 'tag:GetResources', 'wafv2:ListWebACLs']);
    expect(stdout).toContain('  - wafv2:ListWebACLs — the alb.ingress.kubernetes.io/wafv2-acl-name annotation (web ACL looked up by name)\n');
    expect(stdout).toContain('  - sts:AssumeRole — target groups in other accounts (TargetGroupBinding iamRoleArnToAssume)');
    expect(stdout).toContain('  - tag:GetResources — the --enable-rgtapi controller flag');
    expect(listed(stdout, 'Extra actions')).toEqual(['s3:GetObject']);
  });

  test('the official aws-iso file against v3.5.0 in aws-iso lacks DescribeListenerAttributes, with why', async () => {
    for (const file of ['iam_policy_iso.json', 'iam_policy_isob.json', 'iam_policy_isoe.json', 'iam_policy_isof.json']) {
      const partition = { 'iam_policy_iso.json': 'aws-iso', 'iam_policy_isob.json': 'aws-iso-b', 'iam_policy_isoe.json': 'aws-iso-e', 'iam_policy_isof.json': 'aws-iso-f' }[file]!;
      const { code, stdout } = await run('diff', path.join(POLICIES, 'v3.5.0', file), '--partition', partition);
      expect(code).toBe(1);
      expect(listed(stdout, 'Missing actions')).toEqual(['elasticloadbalancing:DescribeListenerAttributes']);
      expect(stdout).toContain('from controller v3.2.2 listener reconciles read listener attributes in the isolated partitions too, '
        + "though the official aws-iso* policy files omit the action; the lab's policy adds it");
    }
  });

  test('an action pattern of many wildcards does not hang the comparison', async () => {
    const file = write('stars.json', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: `${'*'.repeat(40)}!`, Resource: `${'*'.repeat(40)}!` }] });
    const started = Date.now();
    const { code, stdout } = await run('diff', file);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(code).toBe(1);
    expect(listed(stdout, 'Extra actions')).toEqual([`${'*'.repeat(40)}!`]);
  });

  test('the output of `aws iam get-policy-version`, and --partition aws-cn against the China file', async () => {
    const cn = fs.readFileSync(path.join(POLICIES, 'v3.5.0', 'iam_policy_cn.json'), 'utf8');
    const wrapped = write('version.json', { PolicyVersion: { Document: JSON.parse(cn), VersionId: 'v3', IsDefaultVersion: true } });
    expect((await run('diff', wrapped, '--partition', 'aws-cn')).code).toBe(0);
    // The China file against the commercial one: same actions, other resources.
    const { code, stdout } = await run('diff', wrapped);
    expect(code).toBe(1);
    expect(stdout).toContain('Missing actions: none');
    expect(stdout).toMatch(/statement\(s\) granted more narrowly/);
  });

  test.each([
    [['diff', 'absent.json'], 'eks-lb-lab policy: cannot read absent.json: no such file (ENOENT).\n'],
    [['diff', '.'], 'eks-lb-lab policy: cannot read .: it is a directory, not a file (EISDIR).\n'],
    [['diff', 'a.json', '--partition', 'toString'], 'eks-lb-lab policy: --partition toString is not an AWS partition; use one of aws, aws-cn, aws-us-gov, aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f.\n'],
    [['diff', 'a.json', '--partition', '__proto__'], 'eks-lb-lab policy: --partition __proto__ is not an AWS partition; use one of aws, aws-cn, aws-us-gov, aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f.\n'],
    [['show', '--partition', 'hasOwnProperty'], 'eks-lb-lab policy: --partition hasOwnProperty is not an AWS partition; use one of aws, aws-cn, aws-us-gov, aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f.\n'],
    [['diff', '--policy-arn', 'arn:constructor:iam::123456789012:policy/P'], 'eks-lb-lab policy: --policy-arn names partition constructor, which is not an AWS partition; use one of aws, aws-cn, aws-us-gov, aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f.\n'],
    [['diff'], 'eks-lb-lab policy: diff takes one policy file, or --policy-arn <arn>; got no file.\n'],
    [['diff', 'a.json', '--version', 'v9.9.9'], 'eks-lb-lab policy: --version v9.9.9 is not a version with a known policy; use one of v2.4.7, v2.7.2, v2.8.3, v2.9.2, v2.10.0, v2.11.0, v2.12.0, v2.13.0, v3.5.0.\n'],
    [['diff', 'a.json', '--colour'], "eks-lb-lab policy: Unknown option '--colour'. Run `eks-lb-lab policy --help`.\n"],
    [['diff', 'a.json', 'b.json'], 'eks-lb-lab policy: diff takes one policy file, or --policy-arn <arn>; got a.json b.json.\n'],
    [['diff', 'a.json', '--policy-arn', 'arn:aws:iam::123456789012:policy/P'], 'eks-lb-lab policy: diff takes one policy file, or --policy-arn <arn>; got --policy-arn and a.json.\n'],
    [[], 'eks-lb-lab policy: missing subcommand; use diff or show.\n'],
    [['frobnicate'], "eks-lb-lab policy: unknown subcommand 'frobnicate'; use diff or show.\n"],
    [['show', '--version', 'v2.8.3', '--partition', 'aws-iso'], 'eks-lb-lab policy: --partition aws-iso has no official policy at v2.8.3; use one of aws, aws-cn, aws-us-gov, aws-eusc.\n'],
  ])('%j: one line on stderr, exit 2', async (args, message) => {
    const { code, stdout, stderr } = await run(...args);
    expect([code, stdout, stderr]).toEqual([2, '', message]);
  });

  test.each([
    ['not JSON', '{"Version": ', /^eks-lb-lab policy: bad\.json is not JSON: .+\.\n$/],
    ['no Statement', '{"Version": "2012-10-17"}', /^eks-lb-lab policy: bad\.json: the policy document has no Statement\.\n$/],
    ['a bad Effect', '{"Statement": [{"Effect": "Permit", "Action": "ec2:*", "Resource": "*"}]}', /^eks-lb-lab policy: bad\.json: Statement 0 has Effect "Permit"; IAM takes Allow or Deny\.\n$/],
    ['Action and NotAction in one statement', '{"Statement": [{"Effect": "Allow", "Action": "ec2:*", "NotAction": "iam:*", "Resource": "*"}]}',
      /^eks-lb-lab policy: bad\.json: Statement 0 has both Action and NotAction, which IAM refuses; keep one of them\.\n$/],
    ['Resource and NotResource in one statement', '{"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*", "NotResource": "arn:aws:s3:::x"}]}',
      /^eks-lb-lab policy: bad\.json: Statement 0 has both Resource and NotResource, which IAM refuses; keep one of them\.\n$/],
  ])('a file with %s: one line, exit 2', async (_what, content, message) => {
    const { code, stderr } = await run('diff', write('bad.json', content));
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe('eks-lb-lab policy diff --policy-arn', () => {
  const arn = 'arn:aws-cn:iam::123456789012:policy/AWSLoadBalancerControllerIAMPolicy';

  test('reads the default version from IAM, decodes it and compares it in the ARN\'s partition', async () => {
    const v283 = fs.readFileSync(path.join(POLICIES, 'v2.8.3', 'iam_policy.json'), 'utf8').replace(/arn:aws:/g, 'arn:aws-cn:');
    iam.on(GetPolicyCommand, { PolicyArn: arn }).resolves({ Policy: { Arn: arn, DefaultVersionId: 'v4' } });
    iam.on(GetPolicyVersionCommand, { PolicyArn: arn, VersionId: 'v4' })
      .resolves({ PolicyVersion: { VersionId: 'v4', Document: encodeURIComponent(v283) } });
    const { code, stdout } = await run('diff', '--policy-arn', arn);
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toBe(`${arn} (v4) against the official policy of controller v3.5.0 (aws-cn):`);
    expect(listed(stdout, 'Missing actions')).toContain('elasticloadbalancing:DescribeListenerAttributes');
    expect(stdout).toContain('Statements granted otherwise: none');
    expect(iam.commandCalls(GetPolicyVersionCommand)).toHaveLength(1);
    expect(await iam.call(0).thisValue.config.region()).toBe('cn-north-1');
  });

  test('an IAM error is one line, exit 2', async () => {
    iam.on(GetPolicyCommand).rejects(Object.assign(new Error('User is not authorized to perform: iam:GetPolicy'), { name: 'AccessDenied' }));
    const { code, stderr } = await run('diff', '--policy-arn', arn);
    expect([code, stderr]).toEqual([2, `eks-lb-lab policy: cannot read ${arn} from IAM: AccessDenied: User is not authorized to perform: iam:GetPolicy\n`]);
  });

  test('a partition without an official policy is refused before any call', async () => {
    const { code, stderr } = await run('diff', '--policy-arn', arn, '--version', 'v2.13.0', '--partition', 'aws-iso-b');
    expect([code, stderr]).toEqual([2, 'eks-lb-lab policy: --partition aws-iso-b has no official policy at v2.13.0; use one of aws, aws-cn, aws-us-gov, aws-eusc.\n']);
    expect(iam.calls()).toHaveLength(0);
  });

  test('a malformed ARN is refused before any call', async () => {
    const { code, stderr } = await run('diff', '--policy-arn', 'AWSLoadBalancerControllerIAMPolicy');
    expect([code, stderr]).toEqual([2, "eks-lb-lab policy: --policy-arn must be a managed policy ARN like arn:aws:iam::123456789012:policy/Name; got 'AWSLoadBalancerControllerIAMPolicy'.\n"]);
    expect(iam.calls()).toHaveLength(0);
  });
});

describe('eks-lb-lab policy show', () => {
  test('prints the official document of the version and partition', async () => {
    const { code, stdout } = await run('show');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(POLICIES_V3_5_0.aws);
    const cn = await run('show', '--version', 'v2.9.2', '--partition', 'aws-cn');
    expect(JSON.stringify(JSON.parse(cn.stdout))).toBe(JSON.stringify(COMMERCIAL_POLICIES['v2.9.2']).replace(/arn:aws:/g, 'arn:aws-cn:'));
  });

  test('--help and the top-level usage name the command', async () => {
    expect((await run('--help')).stdout).toMatch(/^Usage:\n {2}eks-lb-lab policy diff <file\.json>/);
    const out: string[] = [];
    await main(['--help'], { stdout: (t) => out.push(t), stderr: () => undefined, env: {}, cwd: dir });
    expect(out.join('')).toMatch(/\n {2}policy +compare a controller IAM policy/);
  });

  test.each(['constructor', 'toString', 'plicy'])('an unknown command %s is refused in one line, exit 2', async (name) => {
    const err: string[] = [];
    const code = await main([name], { stdout: () => undefined, stderr: (t) => err.push(t), env: {}, cwd: dir });
    expect([code, err.join('')]).toEqual([2, `eks-lb-lab: unknown command '${name}'; use one of: policy, probe, manifests, doctor, local.\n`]);
  });
});
