#!/usr/bin/env node
// The CDK app as cdk.json runs it. `npm ci` and `npm run build` compile the app into dist/; while that copy is
// current (every compiled file at least as new as its source, every file shipped as it is identical to it), plain
// Node runs dist/bin/app.js. After an edit, or with no build at all, tsx runs the TypeScript sources instead. Both
// synthesize the same templates; the compiled one skips compiling TypeScript on every synth.
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const SOURCE_DIRS = ['bin', 'lib', 'lab-stacks'];

/** Files under `dir`, relative to the root. */
function filesUnder(dir) {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(rel) : [rel];
  });
}

function mtime(file) {
  return fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs;
}

/** Whether dist/ holds the app as the sources would compile now. */
function compiledIsCurrent() {
  const sinceConfig = mtime(path.join(ROOT, 'tsconfig.json')) ?? Infinity;
  for (const rel of SOURCE_DIRS.flatMap(filesUnder)) {
    if (rel.endsWith('.d.ts') || rel === path.join('bin', 'cdk-app.js')) continue;
    const source = path.join(ROOT, rel);
    if (rel.endsWith('.ts') || rel.endsWith('.json')) {
      const compiled = mtime(path.join(DIST, rel.replace(/\.ts$/, '.js')));
      if (compiled === undefined || compiled < mtime(source) || compiled < sinceConfig) return false;
    } else {
      // Shipped as they are (the cleanup handler's folder is a Lambda asset): the same bytes, and nothing beside them,
      // or the asset's hash would differ from a synth of the sources.
      const copy = path.join(DIST, rel);
      if (!fs.existsSync(copy) || !fs.readFileSync(copy).equals(fs.readFileSync(source))) return false;
      const list = (dir) => fs.readdirSync(dir).sort().join('/');
      if (list(path.dirname(copy)) !== list(path.dirname(source))) return false;
    }
  }
  return true;
}

if (require.main === module) {
  if (compiledIsCurrent()) {
    // Node keeps the compiled code of aws-cdk-lib and the app between synths; compiling it again is a tenth of a second.
    require('module').enableCompileCache?.(path.join(ROOT, 'node_modules', '.cache', 'node-compile-cache'));
    require(path.join(DIST, 'bin', 'app.js'));
  } else {
    require('tsx/cjs/api').register();
    require(path.join(__dirname, 'app.ts'));
  }
}

module.exports = { compiledIsCurrent };
