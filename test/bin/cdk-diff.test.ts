import { ChildProcess, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { createLab } from '../../lab-stacks/lab-app';
import { readLabSettings } from '../../lab-stacks/settings';
import { newApp, runApp } from '../fixtures';
import { ROOT } from '../paths';


describe('cdk diff between controller versions', () => {
  // CDK_VALIDATION=false skips the CloudFormation validator (most of synth time); the lab-app tests run it.
  const cdk = (args: string[]) => spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), args, {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CDK_VALIDATION: 'false' },
  });

  test('LabCluster at v2.8.3 against v3.5.0: the policy is updated in place and DescribeListenerAttributes is added', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-lb-lab-diff-'));
    try {
      // The old template straight from the app as cdk.json runs it: the CLI under test is the diff.
      const synth = await exited(runApp(path.join(out, 'old'), { controllerVersion: 'v2.8.3' }, { CDK_VALIDATION: 'false' }));
      expect(synth).toBe(0);
      const template = path.join(out, 'old', 'LabCluster.template.json');
      expect(fs.readFileSync(template, 'utf8')).not.toContain('DescribeListenerAttributes');

      const diff = cdk(['diff', '--template', template, 'LabCluster', '--no-staging', '-c', 'controllerVersion=v3.5.0',
        '-o', path.join(out, 'new')]);
      expect(diff.status).toBe(0);
      const text = `${diff.stdout}\n${diff.stderr}`;
      // The resource diff, action by action: the statements are CloudFormation, not one opaque string.
      expect(text).toMatch(/^\[~\] AWS::IAM::ManagedPolicy Cluster\/LoadBalancerController\/Policy\/Default ClusterLoadBalancerControllerPolicy40CB56B8$/m);
      expect(text).toMatch(/^\s+\[\+\]\s+"elasticloadbalancing:DescribeListenerAttributes",?$/m);
      expect(text).not.toMatch(/\[-\]\s+"elasticloadbalancing:DescribeListenerAttributes"/);
      // The IAM statement table lists it in an added statement.
      expect(statementTable(text).added).toContain('elasticloadbalancing:DescribeListenerAttributes');
      expect(statementTable(text).removed).not.toContain('elasticloadbalancing:DescribeListenerAttributes');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('cdk diff between controller identities', () => {
  const cdk = (args: string[]) => spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), args, {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CDK_VALIDATION: 'false' },
  });

  test('LabCluster from IRSA to EKS Pod Identity: the role\'s trust and the service account change in place, the policy stays, '
    + 'the association and the agent come, the OIDC provider goes', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-lb-lab-diff-'));
    try {
      // The IRSA template from the lab built in this process (a second app process would only repeat the first's work).
      const app = newApp({ [cxapi.PATH_METADATA_ENABLE_CONTEXT]: true, 'aws:cdk:disable-version-reporting': true });
      const old = path.join(out, 'LabCluster.template.json');
      fs.writeFileSync(old, JSON.stringify(Template.fromStack(createLab(app, readLabSettings(app.node, {})).cluster).toJSON()));
      const diff = cdk(['diff', '--template', old, 'LabCluster', '--no-staging',
        '-c', 'controllerIdentity=pod-identity', '-o', path.join(out, 'new')]);
      expect(diff.status).toBe(0);
      const text = `${diff.stdout}\n${diff.stderr}`;
      expect(resourceRows(text)).toEqual([
        '+ AWS::EKS::Addon Cluster/Addon-eks-pod-identity-agent',
        '+ AWS::EKS::PodIdentityAssociation Cluster/LoadBalancerController/ServiceAccount/PodIdentityAssociation',
        // IRSA's trust condition, and the custom-resource provider that rendered it, which nothing else uses.
        '- AWS::IAM::OIDCProvider Cluster/Resource/OidcProviderNative',
        '- AWS::IAM::Role AWSCDKCfnUtilsProviderCustomResourceProvider/Role',
        '- AWS::Lambda::Function AWSCDKCfnUtilsProviderCustomResourceProvider/Handler',
        '- Custom::AWSCDKCfnJson Cluster/LoadBalancerController/ServiceAccount/ConditionJson/Resource',
        '~ AWS::IAM::Role Cluster/LoadBalancerController/ServiceAccount/Role',
        '~ Custom::AWSCDK-EKS-HelmChart Cluster/LoadBalancerController/Resource/Resource',
        '~ Custom::AWSCDK-EKS-KubernetesResource Cluster/LoadBalancerController/ServiceAccount/manifest-ServiceAccountServiceAccountResource/Resource',
        // Its description names the identity; the role's ARN stays.
        '~ Output ControllerRoleArn',
      ]);
      // The trust moves from the OIDC provider to EKS Pod Identity; the managed policy is not touched.
      expect(text).toMatch(/^\s+\[-\]\s+"Action": "sts:AssumeRoleWithWebIdentity",$/m);
      expect(text).toMatch(/^\s+\[\+\]\s+"Service": "pods\.eks\.amazonaws\.com"$/m);
      expect(text).toMatch(/^\s+\[\+\]\s+"sts:TagSession"$/m);
      expect(text).not.toMatch(/AWS::IAM::ManagedPolicy/);
      // The service account loses its IRSA annotation; the chart's pods are annotated, so they roll.
      expect(text).toMatch(/\[-\].*eks\.amazonaws\.com\/role-arn/);
      expect(text).toMatch(/\[\+\].*"podAnnotations\\?":\{\\?"eks-lb-lab\/controller-identity/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});

/**
 * The resource rows of `cdk diff` as `<change> <type> <path>`, sorted, without rows whose only change is the
 * `aws:asset:path` metadata: with staging off every synth writes the custom-resource handlers to new temporary paths.
 */
function resourceRows(text: string): string[] {
  const blocks = text.split(/^(?=\[[-+~]\] )/m).filter((b) => /^\[[-+~]\] /.test(b));
  return blocks.filter((b) => !/^\[~\] \S+ \S+ \S+\n └─ \[~\] Metadata\n(     .*\n)*(?!\s*[├└])/.test(b) || /^ [├└]─ \[.\] (?!Metadata)/m.test(b))
    .map((b) => /^\[([-+~])\] (\S+) (\S+) /.exec(b)!).map((m) => `${m[1]} ${m[2]} ${m[3]}`).sort();
}

function exited(child: ChildProcess): Promise<number | null> {
  child.stderr!.resume();
  child.stdout!.resume();
  return new Promise((resolve) => child.on('close', resolve));
}

/** Actions of the added and removed rows of the "IAM Statement Changes" table of `cdk diff`. */
function statementTable(text: string): { added: string[]; removed: string[] } {
  const result = { added: [] as string[], removed: [] as string[] };
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const cells = line.split('│').map((c) => c.trim());
    if (cells.length < 5) continue;
    if (cells[1] === '+') current = result.added;
    else if (cells[1] === '-') current = result.removed;
    else if (cells[1] !== '') current = undefined;
    if (current && cells[4]) current.push(cells[4]);
  }
  return result;
}
