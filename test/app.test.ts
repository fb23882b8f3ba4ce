import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

describe('cdk synth of bin/app.ts', () => {
  test('a bad context value prints the one message naming it, no stack trace, and fails', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-lb-lab-'));
    const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '-c', 'nodeCount=0', '-o', out], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000,
    });
    fs.rmSync(out, { recursive: true, force: true });
    const lines = result.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
    expect(result.status).toBe(1);
    expect(lines[0]).toBe("eks-lb-lab: LabCluster/Cluster: 'nodeCount' must be a whole number between 1 and 450; " +
      'got 0. Use 2 nodes (one per zone) for the experiment.');
    expect(lines.slice(1)).toEqual([expect.stringMatching(/Subprocess exited with error 1/)]);
  });
});
