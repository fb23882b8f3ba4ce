import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';

/** The programs the emulation runs and the Debian package of each. */
export const REQUIRED_TOOLS: Readonly<Record<string, string>> = {
  'unshare': 'util-linux',
  'ip': 'iproute2',
  'iptables': 'iptables',
  'iptables-restore': 'iptables',
  'iptables-save': 'iptables',
};

/** What the checks look at; tests pass their own. */
export interface PreflightHost {
  readonly platform: string;
  readonly uid?: number;
  /** Whether a program of this name can be run here (on PATH, executable). */
  readonly hasTool: (name: string) => boolean;
  /** Runs `unshare` to see whether this host lets us create namespaces. */
  readonly canUnshare: () => string | undefined;
}

export const thisHost = (env: NodeJS.ProcessEnv): PreflightHost => ({
  platform: process.platform,
  uid: process.getuid?.(),
  hasTool: (name) => (env.PATH ?? '').split(':').some((dir) => dir !== '' && isExecutable(path.join(dir, name))),
  canUnshare: () => {
    const r = spawnSync('unshare', ['--net', '--mount', '--pid', '--fork', 'true'], { encoding: 'utf8' });
    return r.status === 0 ? undefined : (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
  },
});

/**
 * Why the emulation cannot run here, as one line naming what is missing and how to get it; undefined when it can.
 */
export function missingForLocal(host: PreflightHost): string | undefined {
  if (host.platform !== 'linux') {
    return `needs Linux network namespaces; this is ${host.platform}. Run it on a Linux host or VM.`;
  }
  if (host.uid !== 0) {
    return 'needs root to create network namespaces and iptables rules; run it as `sudo npx eks-lb-lab local`.';
  }
  const missing = Object.keys(REQUIRED_TOOLS).filter((tool) => !host.hasTool(tool));
  if (missing.length > 0) {
    const packages = [...new Set([...missing.map((t) => REQUIRED_TOOLS[t]), ...(missing.some((t) => t.startsWith('iptables')) ? ['nftables', 'conntrack'] : [])])];
    return `needs ${missing.join(', ')}, not found on PATH; install with \`apt-get install ${packages.join(' ')}\`.`;
  }
  const refused = host.canUnshare();
  if (refused !== undefined) {
    return `cannot create network namespaces here (${refused}); run it on a Linux host, a VM or a privileged container.`;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
