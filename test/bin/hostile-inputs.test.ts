/**
 * Every flag of every command, and every lab setting, with values a user could type by mistake or on purpose:
 * whatever the value, the answer is a clean run or one line and a non-zero exit, never a stack trace and never
 * the bug report. The flags are read from each command's --help, so a new flag is swept without a new row.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../bin/cli';
import { createLab } from '../../lab-stacks/lab-app';
import { readLabSettings, readNag, SETTINGS, settingsMessage } from '../../lab-stacks/settings';
import { newApp } from '../fixtures';
import { tempDir } from '../temp';

const HOSTILE = ['', ' ', '-1', '0', '1.5', '99999999999999999999', 'NaN', '__proto__', 'constructor', '\u0000',
  'x'.repeat(5000), '/nonexistent/folder/file', '.', 'a=b=c', 'ip=http://[::1', 'ip=http://127.0.0.1:99999',
  'constructor=http://127.0.0.1:1', '10.0.0.0/33', 'ünïcödé'];

// No AWS call leaves the process: each client answers as AWS does for a stack or cluster that is not there.
const notFound = Object.assign(new Error('Stack with id X does not exist'), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
mockClient(CloudFormationClient).onAnyCommand().rejects(notFound);
mockClient(EC2Client).onAnyCommand().rejects(notFound);
mockClient(EKSClient).onAnyCommand().rejects(notFound);
mockClient(IAMClient).onAnyCommand().rejects(notFound);

let dir: string;
beforeAll(() => {
  dir = tempDir('eks-lb-lab-hostile-');
  fs.writeFileSync(path.join(dir, 'kubeconfig'), 'not: [a kubeconfig');
});

async function run(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await main(args, { stdout: () => undefined, stderr: (t) => { stderr += t; }, env: { AWS_REGION: 'us-east-1' }, cwd: dir });
  return { code, stderr };
}

/** The value flags a command's --help lists (`  --flag <value>` lines, or `[--flag value]` in a usage line). */
async function valueFlags(command: readonly string[]): Promise<string[]> {
  let help = '';
  await main([...command, '--help'], { stdout: (t) => { help += t; }, stderr: () => undefined, env: {}, cwd: dir });
  const listed = [...help.matchAll(/^\s+(-c|--[a-z-]+) <[^>]+>/gm)].map((m) => m[1]);
  const usage = [...help.matchAll(/(--[a-z-]+) [<a-z0-9]/g)].map((m) => m[1]);
  return [...new Set([...listed, ...usage])];
}

/**
 * What each command needs beside the flag under test so that a value it accepts still ends before the network: the
 * probe sends to a closed loopback port, the doctor reads a kubeconfig that does not parse, local asks for a
 * setting the emulation refuses (it would otherwise build namespaces as root), manifests names everything.
 */
const COMPANIONS: Record<string, readonly string[]> = {
  probe: ['--url', 'ip=http://127.0.0.1:1/', '--requests', '1', '--no-progress', '--timeout', '200'],
  doctor: ['--kubeconfig', 'kubeconfig'],
  local: ['-c', 'sharedAlb=true'],
  'manifests tgb': ['--ip-target-group-arn', 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/a/0123456789abcdef',
    '--instance-target-group-arn', 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/b/fedcba9876543210',
    '--vpc-id', 'vpc-0123456789abcdef0', '--security-group-id', 'sg-0123456789abcdef0', '-o', 'out/tgb.yaml'],
  'policy diff': ['policy.json'],
  'policy show': [],
};

/** Drops the companion flag the flag under test replaces. */
function withCompanions(command: string, flag: string, value: string): string[] {
  const rest = [...COMPANIONS[command]];
  const at = rest.indexOf(flag);
  if (at >= 0) rest.splice(at, 2);
  return [...command.split(' '), flag, value, ...rest];
}

const clean = (stderr: string) => !/unexpected error|\n\s+at /.test(stderr) && stderr.split('\n').filter(Boolean).length <= 1;

describe('every flag with every hostile value', () => {
  beforeAll(() => fs.writeFileSync(path.join(dir, 'policy.json'), '{"Version":"2012-10-17","Statement":[]}'));

  test.each(Object.keys(COMPANIONS))('%s', async (command) => {
    const flags = await valueFlags(command.split(' '));
    expect(flags.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const flag of flags) {
      for (const value of HOSTILE) {
        const { code, stderr } = await run(withCompanions(command, flag, value));
        if (!clean(stderr) || (stderr !== '' && code === 0)) failures.push(`${flag} ${JSON.stringify(value.slice(0, 40))}: exit ${code} ${stderr.slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);

  test.each(['/nonexistent/folder/policy.json', '.', 'kubeconfig', '/dev/null', '/dev/zero'])('policy diff of the file %s', async (file) => {
    const { code, stderr } = await run(['policy', 'diff', file]);
    expect([code, clean(stderr)]).toEqual([2, true]);
  });

  test('doctor with the kubeconfig /dev/zero', async () => {
    const { code, stderr } = await run(['doctor', '--kubeconfig', '/dev/zero']);
    expect([code, stderr]).toEqual([2, 'eks-lb-lab doctor: cannot read /dev/zero: it holds more than 16 MiB, far more than any kubeconfig; give the kubeconfig itself.\n']);
  });
});

describe('every lab setting with every hostile value', () => {
  const synth = (key: string, value: string): string | undefined => {
    const app = newApp({ [key]: value });
    try {
      readNag(app.node);
      createLab(app, readLabSettings(app.node, {}));
      return undefined;
    } catch (error) {
      return settingsMessage(error) ?? `not a user error: ${(error as Error).stack}`;
    }
  };

  // The CLI-only forms (URLs, paths, key=value) add nothing here; each value the settings accept builds the whole lab.
  const values = ['', ' ', '-1', '0', '99999999999999999999', '__proto__', 'x'.repeat(300), '10.0.0.0/33', 'ünïcödé'];

  test.each(Object.keys(SETTINGS))('%s', (key) => {
    const failures = values.map((value) => [value, synth(key, value)] as const)
      .filter(([, message]) => message !== undefined && (message.includes('not a user error') || message.includes('\n') || !message.startsWith(`Context '`)))
      .map(([value, message]) => `${JSON.stringify(value.slice(0, 40))}: ${message!.slice(0, 400)}`);
    expect(failures).toEqual([]);
  });
});
