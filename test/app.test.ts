import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

describe('cdk synth of bin/app.ts', () => {
  test.each([
    ['nodeCount=0', "eks-lb-lab: LabCluster/Cluster: 'nodeCount' must be a whole number between 1 and 450; " +
      'got 0. Use 2 nodes (one per zone) for the experiment.'],
    ['allowedCidr=203.0.113.7', "eks-lb-lab: Context 'allowedCidr' must be IPv4 CIDR blocks with zero host bits, separated by " +
      "commas; got '203.0.113.7'. Pass -c allowedCidr=203.0.113.7/32 (your address) or 0.0.0.0/0."],
  ])('-c %s prints the one message naming it, no stack trace, and fails', (setting, message) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-lb-lab-'));
    const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '-c', setting, '-o', out], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000,
    });
    fs.rmSync(out, { recursive: true, force: true });
    const lines = result.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
    expect(result.status).toBe(1);
    expect(lines[0]).toBe(message);
    expect(lines.slice(1)).toEqual([expect.stringMatching(/Subprocess exited with error 1/)]);
  });
});
