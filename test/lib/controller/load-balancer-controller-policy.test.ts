import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LoadBalancerControllerPolicy, LoadBalancerControllerPolicyProps, LoadBalancerControllerVersion, PolicyJson } from '../../../lib';
import { COMMERCIAL_POLICIES, POLICIES_V3_5_0, withPartition } from '../../../lib/private/official-policy';
import { newApp, newStack, statementSet } from '../../fixtures';
import { tempDir } from '../../temp';

/** The project's App without the CloudFormation validator, which costs seconds and has nothing to say about one policy. */
function app(): App {
  return new App({ context: newApp().node.getAllContext(), builtinCloudFormationValidation: false, outdir: tempDir('cdk.out-') });
}

function build(region: string | null, props: LoadBalancerControllerPolicyProps = {}) {
  const stack: Stack = newStack(region, app());
  const policy = new LoadBalancerControllerPolicy(stack, 'Policy', props);
  return { stack, policy };
}

function document(stack: Stack) {
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument;
}

/** The v3.5.0 commercial policy without some actions. */
function without(...removed: string[]): PolicyJson {
  return {
    Version: '2012-10-17',
    Statement: POLICIES_V3_5_0.aws.Statement
      .map((s) => ({ ...s, Action: [s.Action].flat().filter((a) => !removed.includes(a as string)) }))
      .filter((s) => s.Action.length > 0),
  };
}

describe('LoadBalancerControllerPolicy', () => {
  test('defaults: the official v3.5.0 policy, statements as CloudFormation, no name, no roles', () => {
    const { stack, policy } = build('us-east-1');
    expect(statementSet(document(stack))).toEqual(statementSet(POLICIES_V3_5_0.aws));
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Description: 'AWSLoadBalancerControllerIAMPolicy of the AWS Load Balancer Controller',
      ManagedPolicyName: Match.absent(),
      Roles: Match.absent(),
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['elasticloadbalancing:DescribeListenerAttributes']) })]) },
    });
    expect(policy.version).toBe(LoadBalancerControllerVersion.V3_5_0);
    expect(policy.policyVersion).toBe(LoadBalancerControllerVersion.V3_5_0);
    expect(policy.node.defaultChild).toBe(policy.managedPolicy);
  });

  test('the version is not in any property CloudFormation replaces the policy for', () => {
    const props = (version: LoadBalancerControllerVersion) => {
      const { stack } = build('us-east-1', { version, managedPolicyName: 'Lbc' });
      const { PolicyDocument: _d, ...rest } = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))[0].Properties;
      return rest;
    };
    expect(props(LoadBalancerControllerVersion.V2_8_3)).toEqual(props(LoadBalancerControllerVersion.V3_5_0));
  });

  test('an older version gets the commercial file of its tag; name and roles pass through', () => {
    const stack = newStack('eu-west-1', app());
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    new LoadBalancerControllerPolicy(stack, 'Policy', {
      version: LoadBalancerControllerVersion.V2_8_3, managedPolicyName: 'AWSLoadBalancerControllerIAMPolicy', roles: [role],
    });
    expect(statementSet(document(stack))).toEqual(statementSet(COMMERCIAL_POLICIES['v2.8.3']));
    expect(JSON.stringify(document(stack))).not.toContain('DescribeListenerAttributes');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'AWSLoadBalancerControllerIAMPolicy',
      Roles: [{ Ref: Match.stringLikeRegexp('^Role') }],
    });
  });

  test.each([['cn-north-1', 'aws-cn'], ['us-gov-west-1', 'aws-us-gov']])(
    '%s at an older version: the commercial statements in %s', (region, partition) => {
      const { stack } = build(region, { version: LoadBalancerControllerVersion.V2_10_0 });
      expect(statementSet(document(stack))).toEqual(statementSet(withPartition(COMMERCIAL_POLICIES['v2.10.0'], partition)));
    });

  test.each([['us-iso-east-1', 'aws-iso'], ['us-isob-east-1', 'aws-iso-b'], ['eu-isoe-west-1', 'aws-iso-e'], ['us-isof-south-1', 'aws-iso-f']])(
    '%s at v3.5.0: the %s file, which omits five ELB actions, plus DescribeListenerAttributes the controller calls there', (region, partition) => {
      const { stack } = build(region);
      const statements = document(stack).Statement as Record<string, unknown>[];
      expect(statementSet({ ...document(stack), Statement: statements.slice(0, -1) })).toEqual(statementSet(POLICIES_V3_5_0[partition]));
      expect(statements[statements.length - 1]).toEqual({
        Sid: 'CalledBeyondTheOfficialPartitionFile', Effect: 'Allow', Action: 'elasticloadbalancing:DescribeListenerAttributes', Resource: '*',
      });
      expect(JSON.stringify(document(stack))).not.toContain('ModifyListenerAttributes');
    });

  test('commercial and other partitions get no addition: their files grant DescribeListenerAttributes', () => {
    for (const region of ['us-east-1', 'cn-north-1', 'us-gov-west-1']) {
      expect(JSON.stringify(document(build(region).stack))).not.toContain('CalledBeyondTheOfficialPartitionFile');
    }
  });

  test('an isolated region at an older version stops synthesis, naming the partitions the version has', () => {
    expect(() => build('us-iso-east-1', { version: LoadBalancerControllerVersion.V2_8_3 })).toThrow(
      "Test/Policy: 'version' v2.8.3 has no official IAM policy for partition aws-iso; got 'v2.8.3'. Use a version with " +
      "a policy for aws-iso (v3.5.0 has every partition; v2.8.3 has aws, aws-cn, aws-us-gov, aws-eusc), or pass the " +
      "policy: LoadBalancerControllerVersion.of('v2.8.3', '1.8.4', policyDocument).");
  });

  test('an environment-agnostic stack gets ${AWS::Partition} in every ARN', () => {
    const { stack } = build(null, { version: LoadBalancerControllerVersion.V2_4_7 });
    const text = JSON.stringify(document(stack));
    expect(text).not.toContain('arn:aws:');
    expect(text).toContain('{"Ref":"AWS::Partition"}');
  });

  test('a version without a known policy and no document stops synthesis, naming the known versions', () => {
    expect(() => build('us-east-1', { version: LoadBalancerControllerVersion.of('v2.14.0', '1.14.0') })).toThrow(
      "Test/Policy: 'version' v2.14.0 has no known IAM policy and none was supplied; got 'v2.14.0'. Use one of the known " +
      'versions (v2.4.7, v2.7.2, v2.8.3, v2.9.2, v2.10.0, v2.11.0, v2.12.0, v2.13.0, v3.5.0) or pass the policy: ' +
      "LoadBalancerControllerVersion.of('v2.14.0', '1.14.0', policyDocument).");
  });

  test('a version without a known policy takes the caller\'s document as it is, without warnings', () => {
    const custom = without('ec2:DescribeRouteTables');
    const { stack } = build('us-east-1', { version: LoadBalancerControllerVersion.of('v2.14.0', '1.14.0', custom) });
    expect(statementSet(document(stack))).toEqual(statementSet(custom));
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  describe('a caller\'s document for a known version', () => {
    const custom = without('elasticloadbalancing:DescribeListenerAttributes', 'elasticloadbalancing:ModifyListenerAttributes');
    const message = "Test/Policy: 'version' v3.5.0 carries a policy that does not grant 2 action(s) the official v3.5.0 " +
      'policy grants; got a document without elasticloadbalancing:DescribeListenerAttributes, ' +
      'elasticloadbalancing:ModifyListenerAttributes. Add them, or compare with `eks-lb-lab policy diff <file> --version v3.5.0`.';

    test('lacking actions: a warning listing them, and the document as given', () => {
      const { stack } = build('us-east-1', { version: LoadBalancerControllerVersion.of('v3.5.0', '3.5.0', custom) });
      Annotations.fromStack(stack).hasWarning('/Test/Policy', Match.stringLikeRegexp(
        'does not grant 2 action\\(s\\).*DescribeListenerAttributes, elasticloadbalancing:ModifyListenerAttributes'));
      expect(JSON.stringify(document(stack))).not.toContain('DescribeListenerAttributes');
    });

    test('lacking actions with strict: synthesis stops with the same message', () => {
      expect(() => build('us-east-1', { version: LoadBalancerControllerVersion.of('v3.5.0', '3.5.0', custom), strict: true }))
        .toThrow(message);
    });

    test('in an environment-agnostic stack, the official document with its ARNs in any partition: no warning', () => {
      for (const document of [POLICIES_V3_5_0.aws, POLICIES_V3_5_0['aws-cn']]) {
        const { stack } = build(null, { version: LoadBalancerControllerVersion.of('v3.5.0', '3.5.0', document), strict: true });
        Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
      }
    });

    test('granting more through wildcards: no warning', () => {
      const wide = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ec2:*', 'elasticloadbalancing:*', 'iam:*', 'cognito-idp:*', 'acm:*', 'waf-regional:*', 'wafv2:*', 'shield:*', 'tag:*'], Resource: '*' }] };
      const { stack } = build('us-east-1', { version: LoadBalancerControllerVersion.of('v2.13.0', '1.13.0', wide), strict: true });
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    });
  });

  describe('policyVersion: the official policy of another release', () => {
    const V2_8_3_LACKS = [
      'ec2:DescribeIpamPools', 'ec2:DescribeRouteTables', 'ec2:GetSecurityGroupsForVpc',
      'elasticloadbalancing:DescribeCapacityReservation', 'elasticloadbalancing:DescribeListenerAttributes',
      'elasticloadbalancing:ModifyCapacityReservation', 'elasticloadbalancing:ModifyIpPools',
      'elasticloadbalancing:ModifyListenerAttributes', 'elasticloadbalancing:SetRulePriorities',
    ];

    test('v2.8.3 under v3.5.0: the v2.8.3 document, and a warning naming each action it lacks with what it breaks', () => {
      const { stack, policy } = build('us-east-1', { policyVersion: LoadBalancerControllerVersion.V2_8_3 });
      expect(statementSet(document(stack))).toEqual(statementSet(COMMERCIAL_POLICIES['v2.8.3']));
      expect([policy.version, policy.policyVersion]).toEqual([LoadBalancerControllerVersion.V3_5_0, LoadBalancerControllerVersion.V2_8_3]);
      const warnings = Annotations.fromStack(stack).findWarning('/Test/Policy', Match.anyValue());
      expect(warnings).toHaveLength(1);
      const text = String(warnings[0].entry.data);
      expect(text).toMatch(/^'policyVersion' v2\.8\.3 gives controller v3\.5\.0 a policy that does not grant 9 action\(s\) the official v3\.5\.0 policy grants; got the official policy of v2\.8\.3, without /);
      expect([...text.matchAll(/((?:ec2|elasticloadbalancing):\w+) \(/g)].map((m) => m[1])).toEqual(V2_8_3_LACKS);
      expect(text).toContain('elasticloadbalancing:DescribeListenerAttributes (the controller reads listener attributes on every listener reconcile except for TLS listeners (NLB TCP listeners from v2.9.0, ALB listeners from v2.10.1, the isolated partitions from v3.2.2), so every Ingress and LoadBalancer Service fails to reconcile; in the official policy since v2.9.0)');
      expect(text).toMatch(/Leave out 'policyVersion' \(with the lab app: -c controllerPolicyVersion\) to give the role the v3\.5\.0 policy\. \[ack: eks-lb-lab:policy-lacks-actions\]$/);
    });

    test('with strict, synthesis stops with that message', () => {
      expect(() => build('us-east-1', { policyVersion: LoadBalancerControllerVersion.V2_8_3, strict: true }))
        .toThrow(/^Test\/Policy: 'policyVersion' v2\.8\.3 gives controller v3\.5\.0 a policy that does not grant 9 action\(s\)/);
    });

    test('the same release, or one whose policy grants as much: no warning', () => {
      for (const policyVersion of [LoadBalancerControllerVersion.V3_5_0, LoadBalancerControllerVersion.V2_13_0]) {
        const { stack } = build(null, { policyVersion, strict: true });
        Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
      }
      const { stack } = build('us-east-1', { version: LoadBalancerControllerVersion.V2_4_7, policyVersion: LoadBalancerControllerVersion.V3_5_0 });
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    });

    test('the managed policy keeps its logical id and properties, so putting the right policy back is an in-place update', () => {
      const resource = (policyVersion?: LoadBalancerControllerVersion) => {
        const { stack } = build('us-east-1', { policyVersion, managedPolicyName: 'Lbc' });
        const [[id, { Properties: { PolicyDocument: doc, ...rest } }]] = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
        return { id, rest, actions: new Set(statementSet(doc).flatMap((s) => JSON.parse(s).Action as string[])) };
      };
      const staged = resource(LoadBalancerControllerVersion.V2_8_3);
      const right = resource();
      expect([staged.id, staged.rest]).toEqual([right.id, right.rest]);
      expect([...right.actions].filter((a) => !staged.actions.has(a)).map((a) => JSON.parse(a)).sort()).toEqual(V2_8_3_LACKS);
    });

    test('an isolated partition, where v2.8.3 has no file, stops synthesis naming policyVersion', () => {
      expect(() => build('us-iso-east-1', { policyVersion: LoadBalancerControllerVersion.V2_8_3 })).toThrow(
        /^Test\/Policy: 'policyVersion' v2\.8\.3 has no official IAM policy for partition aws-iso; got 'v2\.8\.3'\./);
    });
  });

  test('a document over 6,144 characters compact stops synthesis, naming its size and the limit', () => {
    const padded = { Version: '2012-10-17', Statement: [...POLICIES_V3_5_0.aws.Statement, { Sid: 'x'.repeat(1000), Effect: 'Allow', Action: 'ec2:DescribeVpcs', Resource: '*' }] };
    expect(() => build('us-east-1', { version: LoadBalancerControllerVersion.of('v3.5.0', '3.5.0', padded) })).toThrow(
      "Test/Policy: 'version' v3.5.0 policy is 6267 characters as compact JSON, over the IAM limit of 6144 for a " +
      'customer-managed policy; got 6267. Shorten the document (merge statements, drop Sids) or split it into two policies.');
  });
});
