// Deploy-time model over cdk.out: how long `npm run deploy` (every stack, in parallel) and `cdk deploy` one
// stack at a time take, and the same for destroy, against one stack with aws-cdk-lib's AlbController
// (test/bench/baseline-app.ts, synthesized into a temporary folder). The per-type durations are estimates
// (lib/experiment/deploy-model.ts); the model is deterministic, so its figures compare dependency graphs.
// Usage: npm run bench:deploy [-- <cdk.out folder>]
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DeployOperation, RunEstimate, STACK_OVERHEAD_SECONDS, StackInput, assemblyStacks, estimateRun, formatDuration,
} from '../../lib/experiment/deploy-model';

const ROOT = path.resolve(__dirname, '..', '..');

function readAssembly(dir: string): StackInput[] {
  const manifest = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifest)) {
    process.stderr.write(`bench:deploy: no ${path.relative(ROOT, manifest)}; run npm run synth first.\n`);
    process.exit(2);
  }
  return assemblyStacks(JSON.parse(fs.readFileSync(manifest, 'utf8')),
    (file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
}

/** The concurrency `npm run deploy` passes to the CDK CLI. */
function recommendedConcurrency(): number {
  const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
  const match = /--concurrency[ =](\d+)/.exec(scripts.deploy ?? '');
  return match ? Number(match[1]) : 1;
}

function peerStacks(): StackInput[] {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-deploy-'));
  try {
    // The App synthesizes on exit when CDK_OUTDIR is set, as under `cdk synth`.
    execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/bench/baseline-app.ts')],
      { cwd: ROOT, env: { ...process.env, CDK_OUTDIR: out }, stdio: 'pipe' });
    return readAssembly(out);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function report(label: string, run: RunEstimate): string {
  const lines = [`${label.padEnd(58)} ${formatDuration(run.seconds)}`];
  for (const s of run.criticalPath) {
    const waited = s.after ? ` after ${s.after.stack}${s.after.reason === 'slot' ? ' (a free slot)' : ''}` : '';
    lines.push(`    ${s.stack.padEnd(22)} ${clock(s.start)} → ${clock(s.end)}${waited}`);
    for (const step of s.path.filter((p) => p.end - p.start >= 30)) {
      const at = s.start + STACK_OVERHEAD_SECONDS;
      lines.push(`      ${clock(at + step.start)} → ${clock(at + step.end)}  ${step.type} ${step.name}`);
    }
  }
  return lines.join('\n');
}

function clock(seconds: number): string {
  return `${String(Math.floor(seconds / 60)).padStart(2)}:${String(Math.round(seconds % 60)).padStart(2, '0')}`;
}

const labDir = path.resolve(process.argv[2] ?? path.join(ROOT, 'cdk.out'));
const lab = readAssembly(labDir);
const peer = peerStacks();
const concurrency = recommendedConcurrency();
const upstream = (name: string): StackInput[] => {
  const want = new Set<string>();
  const add = (n: string) => { if (want.has(n)) return; want.add(n); lab.find((s) => s.name === n)?.dependencies.forEach(add); };
  add(name);
  return lab.filter((s) => want.has(s.name));
};

console.log(`deploy-time model over ${path.relative(process.cwd(), labDir) || '.'} (${lab.length} stacks); ` +
  `estimated durations, not measurements; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
for (const operation of ['create', 'delete'] as DeployOperation[]) {
  const verb = operation === 'create' ? 'deploy' : 'destroy';
  console.log(`\n${verb}:`);
  console.log(report(`cdk ${verb} --all --concurrency ${concurrency} (npm run ${verb})`, estimateRun(lab, operation, concurrency)));
  console.log(report(`cdk ${verb} --all (one stack at a time)`, estimateRun(lab, operation, 1)));
  if (operation === 'create') console.log(report('cdk deploy IpModeLab (and what it needs)', estimateRun(upstream('IpModeLab'), operation, concurrency)));
  console.log(report(`peer: one stack with aws-cdk-lib's AlbController`, estimateRun(peer, operation, 1)));
}
