import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as cdkJson from '../../cdk.json';
import { runApp } from '../fixtures';
import { tempDir } from '../temp';
import { ROOT } from '../paths';


interface SynthResult { status: number | null; stderr: string; out: string; resourceTypes: string[] }

/**
 * Synthesizes with `-c <setting>` into a scratch directory, through `cdk synth` or (`direct`) by running the app as
 * cdk.json names it with the context the CLI would hand it; resolves with the exit code and stderr. Without the
 * CloudFormation validator (the lab-app tests run it) and asset staging, which these checks do not read.
 */
function synthWith(setting: string, how: 'cli' | 'direct' = 'cli'): Promise<SynthResult> {
  const out = tempDir('eks-lb-lab-');
  const env = { CDK_VALIDATION: 'false' };
  const eq = setting.indexOf('=');
  return new Promise((resolve) => {
    const child = how === 'cli'
      ? spawn(path.join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--no-staging', '-c', setting, '-o', out], { cwd: ROOT, env: { ...process.env, ...env } })
      : runApp(out, { [setting.slice(0, eq)]: setting.slice(eq + 1) }, env);
    let stderr = '';
    child.stderr!.on('data', (chunk) => { stderr += chunk; });
    child.on('close', (status) => {
      const report = path.join(out, 'validation-report.json');
      const text = fs.existsSync(report) ? fs.readFileSync(report, 'utf8') : '';
      const resourceTypes = [...new Set(fs.readdirSync(out).filter((f) => f.endsWith('.template.json')).flatMap((f) =>
        Object.values(JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')).Resources as Record<string, { Type: string }>)
          .map((r) => r.Type)))].sort();
      fs.rmSync(out, { recursive: true, force: true });
      resolve({ status, stderr, out: text, resourceTypes });
    });
  });
}

const CASES: readonly [string, string][] = [
  ['nodeCount=0', "eks-lb-lab: Context 'nodeCount' must be a whole number between 1 and 450; " +
    'got 0. Use 2 nodes (one per zone) for the experiment.'],
  ['allowedCidr=203.0.113.7', "eks-lb-lab: Context 'allowedCidr' must be IPv4 CIDR blocks, separated by " +
    "commas; got '203.0.113.7'. Pass -c allowedCidr=203.0.113.7/32 (your address) or 0.0.0.0/0."],
  ['allowedCIDR=203.0.113.7/32', "eks-lb-lab: Context 'allowedCIDR' is not a setting of the lab; got '203.0.113.7/32'. " +
    "Did you mean 'allowedCidr'? The settings are region, clusterName, kubernetesVersion, nodeInstanceType, nodeCount, vpcCidr, " +
    'azCount, natGateways, allowedCidr, image, replicas, externalTrafficPolicy, nodePort, shutdown, controllerVersion, controllerPolicyVersion, sharedAlb, ' +
    'nlbPreserveClientIp, nlbProxyProtocol, tgbNodePort, serviceMutatorWebhook, publicEndpointCidrs, controlPlaneLogging, serviceCidr, crossZoneLoadBalancing, ' +
    'controllerIdentity, ipFamily, nag, newRegion.'],
];

describe('cdk synth of bin/app.ts', () => {
  // All at once: each is mostly node starting up. The first bad input goes through the CLI, the others straight to
  // the app as cdk.json runs it (what they check is the app's one line, not the CLI's framing of it).
  let results: SynthResult[];
  let nag: SynthResult;
  let ipv6: SynthResult;
  beforeAll(async () => {
    [nag, ipv6, ...results] = await Promise.all([synthWith('nag=true'), synthWith('ipFamily=ipv6', 'direct'),
      ...CASES.map(([setting], i) => synthWith(setting, i === 0 ? 'cli' : 'direct'))]);
  }, 180_000);

  test('-c ipFamily=ipv6 synthesizes the IPv6 lab and says, in one line, which stacks it leaves out and why', () => {
    expect(ipv6.status).toBe(0);
    // The app's own line; the synth warnings that follow are aws-cdk-lib's report of the annotations.
    expect(ipv6.stderr.split('\n').filter((l) => l.startsWith('eks-lb-lab'))).toEqual(['eks-lb-lab: -c ipFamily=ipv6 leaves out InstanceModeLab, ' +
      'NlbInstanceModeLab, TgbLab, GatewayAlbLab and GatewayNlbLab: EKS load balances to IPv6 pods with ip targets only, not instance targets.']);
    expect(ipv6.resourceTypes).toEqual(expect.arrayContaining(['AWS::EC2::EgressOnlyInternetGateway', 'AWS::EC2::VPCCidrBlock']));
  });

  test('-c nag=true runs cdk-nag AwsSolutions; every finding is acknowledged, so synth succeeds', () => {
    expect(nag.status).toBe(0);
    const report = JSON.parse(nag.out) as { pluginReports: { pluginName: string; violations: unknown[]; suppressedViolations?: unknown[] }[] };
    const awsSolutions = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions')!;
    expect(awsSolutions.violations).toEqual([]);
    expect(awsSolutions.suppressedViolations!.length).toBeGreaterThan(0);
  });

  test('the templates carry no usage-reporting resource (versionReporting off in cdk.json)', () => {
    expect(nag.resourceTypes).toContain('AWS::EKS::Cluster');
    expect(nag.resourceTypes).not.toContain('AWS::CDK::Metadata');
  });

  test.each(CASES.map(([setting, message], i) => [setting, message, i] as const))(
    '-c %s prints the one message naming it, no stack trace, and fails', (_setting, message, i) => {
      const lines = results[i].stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
      expect(results[i].status).toBe(1);
      expect(lines[0]).toBe(message);
      // Through the CLI, its own line follows; run directly, the app's line is all.
      expect(lines.slice(1)).toEqual(i === 0 ? [expect.stringMatching(/Subprocess exited with error 1/)] : []);
    });
});

describe('no call home', () => {
  test('cdk.json turns off CLI telemetry, notices and version reporting', () => {
    expect([cdkJson.context['cli-telemetry'], cdkJson.notices, cdkJson.versionReporting]).toEqual([false, false, false]);
  });

  test('the CDK CLI itself reads telemetry as off from cdk.json alone', () => {
    const { CDK_DISABLE_CLI_TELEMETRY: _unset, ...env } = process.env;
    const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), ['cli-telemetry', '--status'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/^CLI Telemetry is disabled\./m);
  }, 60_000);

  test('the CLIs the tests start run with telemetry and the version check off', () => {
    expect([process.env.CDK_DISABLE_CLI_TELEMETRY, process.env.CDK_DISABLE_VERSION_CHECK]).toEqual(['true', '1']);
  });
});
