import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/**
 * Runs `cdk synth -c <setting>` into a scratch directory; resolves with the exit code and stderr. Without the
 * CloudFormation validator (the lab-app tests run it) and asset staging, which these checks do not read.
 */
function synthWith(setting: string): Promise<{ status: number | null; stderr: string; out: string }> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-lb-lab-'));
  return new Promise((resolve) => {
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--no-staging', '-c', setting, '-o', out], {
      cwd: ROOT, env: { ...process.env, CDK_VALIDATION: 'false' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('close', (status) => {
      const report = path.join(out, 'validation-report.json');
      const text = fs.existsSync(report) ? fs.readFileSync(report, 'utf8') : '';
      fs.rmSync(out, { recursive: true, force: true });
      resolve({ status, stderr, out: text });
    });
  });
}

const CASES: readonly [string, string][] = [
  ['nodeCount=0', "eks-lb-lab: LabCluster/Cluster: 'nodeCount' must be a whole number between 1 and 450; " +
    'got 0. Use 2 nodes (one per zone) for the experiment.'],
  ['allowedCidr=203.0.113.7', "eks-lb-lab: Context 'allowedCidr' must be IPv4 CIDR blocks with zero host bits, separated by " +
    "commas; got '203.0.113.7'. Pass -c allowedCidr=203.0.113.7/32 (your address) or 0.0.0.0/0."],
];

describe('cdk synth of bin/app.ts', () => {
  // Both runs at once: each is mostly the CLI and node starting up.
  let results: { status: number | null; stderr: string; out: string }[];
  let nag: { status: number | null; stderr: string; out: string };
  beforeAll(async () => {
    [nag, ...results] = await Promise.all([synthWith('nag=true'), ...CASES.map(([setting]) => synthWith(setting))]);
  }, 180_000);

  test('-c nag=true runs cdk-nag AwsSolutions; every finding is acknowledged, so synth succeeds', () => {
    expect(nag.status).toBe(0);
    const report = JSON.parse(nag.out) as { pluginReports: { pluginName: string; violations: unknown[]; suppressedViolations?: unknown[] }[] };
    const awsSolutions = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions')!;
    expect(awsSolutions.violations).toEqual([]);
    expect(awsSolutions.suppressedViolations!.length).toBeGreaterThan(0);
  });

  test.each(CASES.map(([setting, message], i) => [setting, message, i] as const))(
    '-c %s prints the one message naming it, no stack trace, and fails', (_setting, message, i) => {
      const lines = results[i].stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
      expect(results[i].status).toBe(1);
      expect(lines[0]).toBe(message);
      expect(lines.slice(1)).toEqual([expect.stringMatching(/Subprocess exited with error 1/)]);
    });
});
