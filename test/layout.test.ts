import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './paths';

/** Every TypeScript file under `dir`, relative to the root. */
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The project files a file imports (static, type-only, `import()` and `require()`), relative to the root. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:from|import|require)\s*\(?\s*'(\.{1,2}\/[^']*|\.{1,2})'/g)].map((m) => m[1]);
  return specs.flatMap((spec) => {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '');
    const found = [`${base}.ts`, `${base}/index.ts`, base].find((c) => fs.existsSync(path.join(ROOT, c)) && fs.statSync(path.join(ROOT, c)).isFile());
    return found ? [found] : [];
  });
}

const SOURCE = ['lib', 'lab-stacks', 'bin'].flatMap(sources);
const GRAPH = new Map(SOURCE.map((f) => [f, importsOf(f)]));

/** The import cycles among `files`, each as the files in it (Tarjan's strongly connected components). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const seen = new Map<string, { index: number; low: number }>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    seen.set(v, { index, low: index });
    index++;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!seen.has(w)) {
        visit(w);
        seen.get(v)!.low = Math.min(seen.get(v)!.low, seen.get(w)!.low);
      } else if (stack.includes(w)) {
        seen.get(v)!.low = Math.min(seen.get(v)!.low, seen.get(w)!.index);
      }
    }
    if (seen.get(v)!.low === seen.get(v)!.index) {
      const component: string[] = [];
      let w: string;
      do { w = stack.pop()!; component.push(w); } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!seen.has(v)) visit(v);
  return found;
}

describe('where things live', () => {
  test('the source has no import cycles, type-only imports included', () => {
    expect(cycles(GRAPH)).toEqual([]);
  });

  test('a private/ folder is imported only from under its parent folder', () => {
    const offences = [...GRAPH].flatMap(([file, deps]) => deps.filter((dep) => {
      const at = dep.lastIndexOf('/private/');
      return at >= 0 && !file.startsWith(`${dep.slice(0, at)}/`);
    }).map((dep) => `${file} -> ${dep}`));
    expect(offences).toEqual([]);
  });

  test('constructs import neither the toolkit nor the app; the toolkit does not import the app or the CLI', () => {
    const offences = [...GRAPH].flatMap(([file, deps]) => deps.filter((dep) =>
      (file.startsWith('lib/') && !file.startsWith('lib/experiment/') && dep.startsWith('lib/experiment/'))
      || (file.startsWith('lib/') && (dep.startsWith('lab-stacks/') || dep.startsWith('bin/')))
      || (file.startsWith('lab-stacks/') && dep.startsWith('bin/'))).map((dep) => `${file} -> ${dep}`));
    expect(offences).toEqual([]);
  });

  test('every test file is named after a source file and sits where the source does', () => {
    const tests = sources('test').filter((f) => f.endsWith('.test.ts'));
    const orphans = tests.filter((t) => {
      const source = t.replace(/^test\//, '').replace(/\.test\.ts$/, '.ts');
      return !fs.existsSync(path.join(ROOT, source)) && !CROSS_CUTTING.includes(t);
    });
    expect(orphans).toEqual([]);
  });

  test('the cycle finder finds a cycle', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
  });
});

/** Tests of the whole rather than of one file. */
const CROSS_CUTTING = [
  'test/bad-inputs.test.ts', 'test/layout.test.ts', 'test/package.test.ts', 'test/setup/setup.test.ts', 'test/bin/cdk-diff.test.ts', 'test/bin/hostile-inputs.test.ts',
  'test/lib/cluster/cleanup-handler.test.ts', 'test/lib/controller/load-balancer-controller-chart.test.ts',
];
