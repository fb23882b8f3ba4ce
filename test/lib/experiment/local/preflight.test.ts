import * as fs from 'fs';
import * as path from 'path';
import { PreflightHost, missingForLocal, thisHost } from '../../../../lib/experiment/local/preflight';
import { tempDir } from '../../../temp';

const host: PreflightHost = { platform: 'linux', uid: 0, hasTool: () => true, canUnshare: () => undefined };

describe('missingForLocal', () => {
  test('a Linux root host with every tool and namespaces allowed: nothing missing', () => {
    expect(missingForLocal(host)).toBeUndefined();
  });

  test('not root: says so and how to run it', () => {
    expect(missingForLocal({ ...host, uid: 1000 })).toBe(
      'needs root to create network namespaces and iptables rules; run it as `sudo npx eks-lb-lab local`.');
  });

  test('missing tools: names them and the apt-get line', () => {
    expect(missingForLocal({ ...host, hasTool: () => false })).toBe('needs unshare, ip, iptables, iptables-restore, iptables-save, ' +
      'not found on PATH; install with `apt-get install util-linux iproute2 iptables nftables conntrack`.');
    expect(missingForLocal({ ...host, hasTool: (t) => !t.startsWith('iptables') })).toBe('needs iptables, iptables-restore, ' +
      'iptables-save, not found on PATH; install with `apt-get install iptables nftables conntrack`.');
  });

  test('not Linux, or namespaces refused', () => {
    expect(missingForLocal({ ...host, platform: 'darwin' })).toMatch(/^needs Linux network namespaces; this is darwin/);
    expect(missingForLocal({ ...host, canUnshare: () => 'unshare: unshare failed: Operation not permitted' }))
      .toBe('cannot create network namespaces here (unshare: unshare failed: Operation not permitted); ' +
        'run it on a Linux host, a VM or a privileged container.');
  });
});

describe('thisHost', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('preflight-');
    fs.writeFileSync(path.join(dir, 'ip'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'iptables'), 'not executable\n', { mode: 0o644 });
    fs.mkdirSync(path.join(dir, 'unshare'));
  });

  test('a tool counts when an executable file of that name is in a PATH folder', () => {
    const found = thisHost({ PATH: `/nonexistent::${dir}` });
    expect(['ip', 'iptables', 'unshare', 'iptables-save'].map((t) => [t, found.hasTool(t)]))
      .toEqual([['ip', true], ['iptables', false], ['unshare', false], ['iptables-save', false]]);
    expect(thisHost({}).hasTool('ip')).toBe(false);
  });
});
