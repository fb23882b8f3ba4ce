/**
 * The package as users get it: `npm pack` of a copy of the sources (its `prepack` builds dist/), its contents, and
 * the tarball installed into a CDK app of its own with other aws-cdk-lib and constructs versions than this project's,
 * where the README's construct example and the app's own VPC, role and instance type type-check and synthesize.
 * Needs the npm registry (or npm's cache) for the app's packages.
 */
import { execFile } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import { promisify } from 'util';
import { ROOT } from './paths';
import { tempDir } from './temp';

const exec = promisify(execFile);
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** The app's versions: the oldest each peer range admits (cdk8s: the oldest the registry serves). */
const APP_VERSIONS: Record<string, string> = {
  'aws-cdk-lib': '2.269.0',
  'constructs': '10.5.0',
  'cdk8s': '2.68.12',
  'cdk8s-plus-29': '2.6.0',
};

/** Children get this process's node first on PATH and none of the `npm_*` variables of the `npm test` around us. */
function childEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return {
    ...env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    NO_UPDATE_NOTIFIER: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false',
  };
}

async function run(cmd: string, args: readonly string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec(cmd, args, { cwd, env: childEnv(), maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`.slice(0, 6000));
  }
}

/** Whether `version` lies in a caret range `^x.y.z` (major above 0). */
function inCaretRange(version: string, range: string): boolean {
  const [v, floor] = [version, range.replace(/^\^/, '')].map((s) => s.split('.').map(Number));
  return range.startsWith('^') && v[0] === floor[0] && (v[1] > floor[1] || (v[1] === floor[1] && v[2] >= floor[2]));
}

/** Every file under `dir`, relative to it, with `/`. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return filesUnder(path.join(dir, e.name)).map((f) => `${e.name}/${f}`);
    return [e.name];
  });
}

/** The folders of every installed copy of `name` under `modules`, nested copies included. */
function copiesOf(modules: string, name: string): string[] {
  const folders = (dir: string) => fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  const packagesIn = (dir: string) => folders(dir).flatMap((e) =>
    (e.name.startsWith('@') ? folders(path.join(dir, e.name)).map((s) => `${e.name}/${s.name}`) : [e.name]));
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const pkg of packagesIn(dir)) {
      if (pkg === name) found.push(path.join(dir, pkg));
      const nested = path.join(dir, pkg, 'node_modules');
      if (fs.existsSync(nested)) visit(nested);
    }
  };
  visit(modules);
  return found;
}

/**
 * Where the scratch app's installed packages are kept between runs. The app's own packages are the same every time
 * (pinned above), and extracting them is most of this file's time; only the packed eks-lb-lab is new in each run.
 * The first run on a machine (and every run after `npm ci`, which empties node_modules) installs from nothing.
 */
const INSTALL_CACHE = path.join(ROOT, 'node_modules', '.cache', 'eks-lb-lab-package-test');

/** `npm install` in `app`, starting from the packages a previous run installed for the same versions, if any. */
async function installWithCache(app: string): Promise<void> {
  const manifest = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
  const { 'eks-lb-lab': _ours, ...theirs } = manifest.dependencies;
  const key = createHash('sha256').update(JSON.stringify({ theirs, dev: manifest.devDependencies })).digest('hex').slice(0, 16);
  const cached = path.join(INSTALL_CACHE, key);
  // Hard links: a copy in a second, and npm replaces rather than rewrites the files it changes.
  const linkCopy = (from: string, to: string) => run('cp', ['-al', from, to], app).then(() => true, () => false);
  if (fs.existsSync(path.join(cached, 'node_modules'))) await linkCopy(path.join(cached, 'node_modules'), path.join(app, 'node_modules'));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'], app);
  if (fs.existsSync(cached)) return;
  const staging = `${cached}.${process.pid}`;
  fs.mkdirSync(staging, { recursive: true });
  try {
    // Another run that got there first wins; its copy is as good.
    if (await linkCopy(path.join(app, 'node_modules'), path.join(staging, 'node_modules'))) fs.renameSync(staging, cached);
  } catch {
    // A cache is a shortcut: without it the next run installs from nothing.
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

interface Packed {
  readonly tarball: string;
  readonly files: readonly string[];
  readonly unpackedSize: number;
  /** The tarball extracted. */
  readonly root: string;
  readonly manifest: Record<string, any>;
}

let packed: Packed;

beforeAll(async () => {
  // A copy, so packing neither rebuilds this checkout's dist/ nor depends on what it holds.
  const stage = tempDir('eks-lb-lab-stage-');
  for (const entry of ['package.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json', 'lib', 'bin', 'lab-stacks']) {
    fs.cpSync(path.join(ROOT, entry), path.join(stage, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
  const out = tempDir('eks-lb-lab-tarball-');
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', out], stage);
  const [report] = JSON.parse(stdout);
  const root = tempDir('eks-lb-lab-unpacked-');
  const tarball = path.join(out, report.filename);
  await run('tar', ['-xzf', tarball, '-C', root], root);
  packed = {
    tarball,
    files: report.files.map((f: { path: string }) => f.path).sort(),
    unpackedSize: report.unpackedSize,
    root: path.join(root, 'package'),
    manifest: JSON.parse(fs.readFileSync(path.join(root, 'package', 'package.json'), 'utf8')),
  };
}, 120_000);

describe('the tarball', () => {
  test('holds the constructs, the toolkit, the CLI and what they load, with the licence', () => {
    expect(packed.files).toEqual(expect.arrayContaining([
      'LICENSE', 'README.md', 'package.json',
      'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/experiment/index.js', 'dist/lib/experiment/index.d.ts',
      'dist/bin/cli.js', 'dist/bin/commands/policy.js', 'dist/bin/commands/probe.js', 'dist/bin/commands/manifests.js',
      'dist/bin/commands/local.js', 'dist/bin/commands/local-run.js', 'dist/lib/experiment/local/agent.js',
      'dist/lab-stacks/catalogue.js', 'dist/lab-stacks/settings.js',
      'dist/lib/cluster/cleanup-handler/index.js',
      'dist/lib/cluster/private/eks-ami/instance-info.jsonl', 'dist/lib/cluster/private/eks-ami/LICENSE',
      'dist/lib/private/policies/v3.5.0/iam_policy.json', 'dist/lib/private/policies/v2.4.7/iam_policy.json',
    ]));
    const vendored = filesUnder(path.join(ROOT, 'lib/private/policies')).map((f) => `dist/lib/private/policies/${f}`);
    expect(packed.files.filter((f) => f.startsWith('dist/lib/private/policies/'))).toEqual(vendored.sort());
    const crdsChart = filesUnder(path.join(ROOT, 'lib/cluster/gateway-api-crds-chart')).map((f) => `dist/lib/cluster/gateway-api-crds-chart/${f}`);
    expect(crdsChart).toContain('dist/lib/cluster/gateway-api-crds-chart/templates/gateway.networking.k8s.io_httproutes.yaml');
    expect(packed.files.filter((f) => f.startsWith('dist/lib/cluster/gateway-api-crds-chart/'))).toEqual(crdsChart.sort());
    const licence = fs.readFileSync(path.join(packed.root, 'LICENSE'), 'utf8');
    expect(licence).toMatch(/^\s+Apache License\s+Version 2\.0, January 2004/);
    expect(licence).toContain('END OF TERMS AND CONDITIONS');
    expect(packed.manifest.license).toBe('Apache-2.0');
  });

  test('leaves out the lab app\'s entry points, tests, source maps and the types of what is not API', () => {
    const unwanted = packed.files.filter((f) => f === 'dist/bin/app.js' || f === 'dist/bin/manifests.js' || f.endsWith('.map')
      || f.startsWith('dist/test/') || (f.endsWith('.ts') && !f.endsWith('.d.ts'))
      || (f.endsWith('.d.ts') && (!f.startsWith('dist/lib/') || f.startsWith('dist/lib/cluster/cleanup-handler/')))
      || !/^(LICENSE|README\.md|package\.json|dist\/.*)$/.test(f));
    expect(unwanted).toEqual([]);
  });

  test('every relative require of the packed JavaScript finds a packed file', () => {
    const missing = packed.files.filter((f) => f.endsWith('.js')).flatMap((file) => {
      const text = fs.readFileSync(path.join(packed.root, file), 'utf8');
      return [...text.matchAll(/require\("(\.{1,2}\/[^"]*)"\)/g)].map((m) => m[1]).filter((spec) => {
        const base = path.posix.join(path.posix.dirname(file), spec);
        return ![base, `${base}.js`, `${base}/index.js`].some((c) => packed.files.includes(c));
      }).map((spec) => `${file}: ${spec}`);
    });
    expect(missing).toEqual([]);
  });

  test('every package the packed JavaScript requires is Node\'s own, a dependency or a peer', () => {
    const declared = new Set([...Object.keys(packed.manifest.dependencies), ...Object.keys(packed.manifest.peerDependencies)]);
    const undeclared = packed.files.filter((f) => f.endsWith('.js') && !f.startsWith('dist/lib/cluster/cleanup-handler/'))
      .flatMap((file) => {
        const text = fs.readFileSync(path.join(packed.root, file), 'utf8');
        return [...text.matchAll(/require\("([^."][^"]*)"\)/g)].map((m) => m[1].replace(/^node:/, ''))
          .map((spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2) : spec.split('/').slice(0, 1)).join('/'))
          .filter((name) => !builtinModules.includes(name) && !declared.has(name)).map((name) => `${file}: ${name}`);
      });
    expect(undeclared).toEqual([]);
  });

  test('the manifest: entry points, peers for what users share with the library, no install scripts', () => {
    const m = packed.manifest;
    expect(m.exports).toEqual({
      '.': { types: './dist/lib/index.d.ts', default: './dist/lib/index.js' },
      './experiment': { types: './dist/lib/experiment/index.d.ts', default: './dist/lib/experiment/index.js' },
      './package.json': './package.json',
    });
    expect(m.bin).toEqual({ 'eks-lb-lab': 'dist/bin/cli.js' });
    expect(fs.readFileSync(path.join(packed.root, 'dist/bin/cli.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect(Object.keys(m.scripts).filter((s) => /^(pre|post)?install$|^prepare$/.test(s))).toEqual([]);
    expect(m.peerDependencies).toEqual({
      '@aws-cdk/lambda-layer-kubectl-v29': '^2.0.0', 'aws-cdk-lib': '^2.269.0', 'cdk8s': '^2.68.11',
      'cdk8s-plus-29': '^2.6.0', 'constructs': '^10.5.0',
    });
    expect(m.peerDependenciesMeta).toEqual({ '@aws-cdk/lambda-layer-kubectl-v29': { optional: true } });
    for (const [name, range] of Object.entries<string>(m.peerDependencies)) {
      expect([name, m.dependencies[name]]).toEqual([name, undefined]);
      expect([name, inCaretRange(PKG.devDependencies[name], range)]).toEqual([name, true]);
    }
  });
});

describe('installed into a CDK app with other aws-cdk-lib and constructs versions', () => {
  let app: string;
  /** Why the app did not compile or synthesize, if it did not. */
  let appError: string | undefined;

  beforeAll(async () => {
    app = tempDir('eks-lb-lab-app-');
    const section = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split(/^## The constructs$/m)[1].split(/^## /m)[0];
    const example = /```ts\n([\s\S]*?)```/.exec(section)![1];
    const lines = example.split('\n');
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
      name: 'readme-app', version: '0.0.0', private: true,
      dependencies: { ...APP_VERSIONS, 'eks-lb-lab': `file:${packed.tarball}` },
      devDependencies: { '@types/node': PKG.devDependencies['@types/node'], 'typescript': PKG.devDependencies.typescript },
    }, null, 2));
    // As `cdk init app --language typescript` writes it (library types checked too), with Node's types named, as
    // TypeScript 6 and later include none by default.
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['es2022'], strict: true,
        noImplicitReturns: true, outDir: 'out', types: ['node'],
      },
      include: ['*.ts'],
    }, null, 2));
    fs.writeFileSync(path.join(app, 'app.ts'), [
      ...lines.filter((l) => l.startsWith('import ')),
      "import { App, Duration, Stack } from 'aws-cdk-lib';",
      "import * as ec2 from 'aws-cdk-lib/aws-ec2';",
      "import * as iam from 'aws-cdk-lib/aws-iam';",
      "import * as cdk8s from 'cdk8s';",
      "import * as kplus from 'cdk8s-plus-29';",
      "import { Construct } from 'constructs';",
      "import * as lab from 'eks-lb-lab';",
      "import * as experiment from 'eks-lb-lab/experiment';",
      '',
      'class ReadmeStack extends Stack {',
      '  constructor(scope: Construct, id: string) {',
      "    super(scope, id, { env: { region: 'us-east-1' } });",
      ...lines.filter((l) => !l.startsWith('import ')).map((l) => `    ${l}`),
      '  }',
      '}',
      '',
      'class OwnPartsStack extends Stack {',
      '  constructor(scope: Construct, id: string) {',
      "    super(scope, id, { env: { region: 'eu-west-1' } });",
      "    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2 });",
      "    const adminRole = new iam.Role(this, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });",
      "    const cluster = new lab.LabCluster(this, 'Cluster', { vpc, adminRole, nodeInstanceType: new ec2.InstanceType('t3.large') });",
      '    const controller = cluster.addLoadBalancerController({ timeout: Duration.minutes(15) });',
      "    const workload = new lab.IngressWorkload(this, 'Instance', {",
      "      cluster: cluster.cluster, controller, targetType: 'instance', inboundCidrs: ['203.0.113.7/32'], addressTimeout: Duration.minutes(10),",
      '    });',
      '    const chart: cdk8s.Chart = workload.chart;',
      '    const deployment: kplus.Deployment = workload.chart.deployment;',
      "    const paths: typeof experiment.expectedPaths = experiment.expectedPaths;",
      '    void [chart, deployment, paths];',
      '  }',
      '}',
      '',
      "const app = new App({ outdir: 'cdk.out', context: { '@aws-cdk/aws-eks:useNativeOidcProvider': true } });",
      "new ReadmeStack(app, 'Readme');",
      "new OwnPartsStack(app, 'OwnParts');",
      'app.synth();',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(app, 'v29.ts'), [
      "import { App, Stack } from 'aws-cdk-lib';",
      "import * as ec2 from 'aws-cdk-lib/aws-ec2';",
      "import * as eks from 'aws-cdk-lib/aws-eks-v2';",
      "import { LabCluster, LabValidationError } from 'eks-lb-lab';",
      '',
      "const stack = new Stack(new App(), 'Old', { env: { region: 'us-east-1' } });",
      'try {',
      "  new LabCluster(stack, 'Cluster', { vpc: new ec2.Vpc(stack, 'Vpc'), version: eks.KubernetesVersion.of('1.29') });",
      "  process.stdout.write('built\\n');",
      '} catch (error) {',
      "  process.stdout.write(`${error instanceof LabValidationError ? 'LabValidationError' : 'other'}: ${(error as Error).message}\\n`);",
      '}',
      '',
    ].join('\n'));
    await installWithCache(app);
    try {
      await run(path.join(app, 'node_modules', '.bin', 'tsc'), ['-p', '.'], app);
      await run(process.execPath, ['out/app.js'], app);
    } catch (error) {
      appError = (error as Error).message;
    }
  }, 240_000);

  test('the app holds one aws-cdk-lib and one constructs, its own', () => {
    const modules = path.join(app, 'node_modules');
    for (const name of ['aws-cdk-lib', 'constructs', 'cdk8s', 'cdk8s-plus-29']) {
      const copies = copiesOf(modules, name).map((dir) => `${path.relative(app, dir)}@${JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version}`);
      expect(copies).toEqual([`${path.join('node_modules', name)}@${APP_VERSIONS[name]}`]);
    }
    expect(copiesOf(modules, '@aws-cdk/lambda-layer-kubectl-v29')).toEqual([]);
    expect(APP_VERSIONS['aws-cdk-lib'].split('.')[1]).not.toBe(PKG.devDependencies['aws-cdk-lib'].split('.')[1]);
    expect(APP_VERSIONS.constructs).not.toBe(PKG.devDependencies.constructs);
    for (const [name, version] of Object.entries(APP_VERSIONS)) expect([name, inCaretRange(version, PKG.peerDependencies[name])]).toEqual([name, true]);
  });

  test('the README\'s example and the app\'s own Vpc, Role, InstanceType and Duration type-check and synthesize', () => {
    expect(appError).toBeUndefined();
    const template = (stack: string) => JSON.parse(fs.readFileSync(path.join(app, 'cdk.out', `${stack}.template.json`), 'utf8'));
    const types = (t: { Resources: Record<string, { Type: string; Properties?: any }> }) => Object.values(t.Resources);
    expect(types(template('Readme')).filter((r) => r.Type === 'AWS::EKS::Cluster')).toHaveLength(1);
    const own = types(template('OwnParts'));
    expect(own.filter((r) => r.Type === 'AWS::EKS::Nodegroup').map((r) => r.Properties.InstanceTypes)).toEqual([['t3.large']]);
    const handler = fs.readdirSync(path.join(app, 'cdk.out')).filter((d) => d.startsWith('asset.'))
      .filter((d) => fs.existsSync(path.join(app, 'cdk.out', d, 'index.js'))
        && fs.readFileSync(path.join(app, 'cdk.out', d, 'index.js'), 'utf8').includes("CLUSTER_TAG = 'elbv2.k8s.aws/cluster'"));
    expect(handler).toHaveLength(1);
    expect(fs.readdirSync(path.join(app, 'cdk.out', handler[0])).sort()).toEqual(['__entrypoint__.js', 'index.js']);
    // The Gateway API CRDs chart is staged from the installed package as one asset folder.
    const crdsChart = fs.readdirSync(path.join(app, 'cdk.out')).filter((d) => d.startsWith('asset.')
      && fs.existsSync(path.join(app, 'cdk.out', d, 'Chart.yaml'))
      && fs.readFileSync(path.join(app, 'cdk.out', d, 'Chart.yaml'), 'utf8').includes('name: gateway-api-crds'));
    expect(crdsChart).toHaveLength(1);
    expect(fs.readdirSync(path.join(app, 'cdk.out', crdsChart[0], 'templates'))).toHaveLength(11);
  });

  test('KubectlLayer.V1_29 without its optional package is one line naming it', async () => {
    const { stdout } = await run(process.execPath, ['out/v29.js'], app);
    expect(stdout).toBe("LabValidationError: Old/Cluster: 'kubectlLayer' kubectl 1.29 comes from @aws-cdk/lambda-layer-kubectl-v29, " +
      'an optional peer dependency that is not installed; got KubectlLayer.V1_29. Run npm install @aws-cdk/lambda-layer-kubectl-v29, ' +
      'or use Kubernetes 1.36 with KubectlLayer.V1_36.\n');
  });

  test('only the two entry points can be imported', async () => {
    const script = "try { require('eks-lb-lab/dist/lib/private/names'); console.log('imported') } catch (e) { console.log(e.code) }";
    expect((await run(process.execPath, ['-e', script], app)).stdout).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED\n');
    const version = "console.log(require('eks-lb-lab/package.json').version)";
    expect((await run(process.execPath, ['-e', version], app)).stdout).toBe(`${PKG.version}\n`);
  });

  test('the CLI runs from the installed package: every command loads', async () => {
    const cli = path.join(app, 'node_modules', '.bin', 'eks-lb-lab');
    expect((await run(cli, ['--help'], app)).stdout).toMatch(/^Usage: eks-lb-lab <command>/);
    for (const command of ['policy', 'probe', 'manifests', 'local']) {
      expect([command, (await run(cli, [command, '--help'], app)).stdout]).toEqual([command, expect.stringMatching(/eks-lb-lab/)]);
    }
    const policy = JSON.parse((await run(cli, ['policy', 'show', '--version', 'v3.5.0', '--partition', 'aws'], app)).stdout);
    expect(policy.Version).toBe('2012-10-17');
  });
});

describe('the constructs speak of their props', () => {
  test('no message under lib/, outside the toolkit, names a cdk context key of the lab app', () => {
    const sources = filesUnder(path.join(ROOT, 'lib')).filter((f) => f.endsWith('.ts') && !f.startsWith('experiment/'));
    const offences = sources.flatMap((file) => fs.readFileSync(path.join(ROOT, 'lib', file), 'utf8').split('\n')
      .map((line, i) => (/-c [A-Za-z]+=/.test(line) ? `lib/${file}:${i + 1}` : undefined)).filter((x) => x !== undefined));
    expect(offences).toEqual([]);
  });
});
