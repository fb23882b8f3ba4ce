const fs = require('fs');

/** Caches that tools keep in TMPDIR across runs by design; not something a test made. */
const CACHES = /^(tsx-\d+|node-compile-cache|jest_\w+)$/;

module.exports = async () => {
  const dir = process.env.EKS_LB_LAB_TEST_TMPDIR;
  if (!dir) return;
  const left = fs.readdirSync(dir).filter((name) => !CACHES.test(name));
  fs.rmSync(dir, { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(`tests left ${left.length} item(s) in TMPDIR: ${left.slice(0, 8).join(', ')}${left.length > 8 ? ', ...' : ''}; `
      + 'make them with tempDir() from test/temp.ts, which removes them after the file.');
  }
};
