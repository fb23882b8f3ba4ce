import { missingForLocal } from '../../bin/local/preflight';

const host = { platform: 'linux', uid: 0, path: process.env.PATH ?? '', canUnshare: () => undefined };

describe('missingForLocal', () => {
  test('not root: says so and how to run it', () => {
    expect(missingForLocal({ ...host, uid: 1000 })).toBe(
      'needs root to create network namespaces and iptables rules; run it as `sudo npx eks-lb-lab local`.');
  });

  test('missing tools: names them and the apt-get line', () => {
    expect(missingForLocal({ ...host, path: '/nonexistent' })).toBe('needs unshare, ip, iptables, iptables-restore, iptables-save, ' +
      'not found on PATH; install with `apt-get install util-linux iproute2 iptables nftables conntrack`.');
  });

  test('not Linux, or namespaces refused', () => {
    expect(missingForLocal({ ...host, platform: 'darwin' })).toMatch(/^needs Linux network namespaces; this is darwin/);
    expect(missingForLocal({ ...host, path: '/usr/sbin:/usr/bin:/sbin:/bin', canUnshare: () => 'unshare: unshare failed: Operation not permitted' }))
      .toMatch(/^cannot create network namespaces here \(unshare: unshare failed: Operation not permitted\)/);
  });
});
