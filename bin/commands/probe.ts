import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { App } from 'cdk8s';
import { ExpectedPath, ExternalTrafficPolicy, IngressWorkloadChart, TargetType, expectedPaths } from '../../lib';
import { parseIpv4Cidr } from '../../lib/private/validate';
import { labWorkloads } from '../../lab-stacks/lab-app';
import { CliError, CliIo, Command, EXIT_FINDING, EXIT_OK, processIo } from '../cli-io';
import { PeerHints, ProbeError, ProbeTarget, probePaths } from '../probe/measure';
import { renderReportJson, renderReportMarkdown, renderReportText } from '../probe/report';
import { LAB_STACKS, StackOutputsError, readLabStacks } from '../probe/stack-outputs';
import { LAB_DEFAULTS } from '../settings';

const HELP = `Usage: eks-lb-lab probe [options]

Sends requests to each lab mode, reads the echo responses and prints what the pods saw beside what the path
model expects. Exit 0 when they agree, 1 when they differ, 2 when the probe cannot run.

Where to send (default: the Url outputs of the deployed IpModeLab and InstanceModeLab stacks):
  --stack <name>                  a lab stack to read (repeatable)
  --url <mode>=<url>              a URL instead of stacks (repeatable); mode: ip, instance, instance-local
  --region <region>               stacks' region (default: AWS_REGION, cdk.json context 'region', us-east-1)
  --external-traffic-policy <p>   Cluster or Local, for an instance mode whose stack does not record it

How to send:
  --requests <n>                  requests per mode (default 200)
  --concurrency <n>               requests in flight per mode (default 8)
  --keep-alive                    reuse connections (default: a new connection per request)
  --timeout <ms>                  per-request timeout (default 5000)

Classifying the pod's TCP peer (see the README, "Run the experiment"):
  --client-ip <address>           your address as the load balancer sees it (default: inferred from X-Forwarded-For)
  --node-address <name=address>   a node's address (repeatable); EKS node names ip-a-b-c-d.* need none
  --node-cidr <cidr>              a block of node addresses (repeatable)
  --lb-address <address>          a load balancer address (repeatable)
  --lb-cidr <cidr>                a block of load balancer addresses (repeatable)

Output:
  --json                          the report as JSON on stdout
  --markdown <file>               also write the report as markdown with a mermaid diagram per path
  --no-progress                   no progress bar on stderr
`;

/** Mode names `--url` accepts, and the lab workload whose model each expects. */
const URL_MODES: Record<string, { readonly targetType: TargetType; readonly externalTrafficPolicy?: ExternalTrafficPolicy }> = {
  'ip': { targetType: 'ip' },
  'instance': { targetType: 'instance' },
  'instance-local': { targetType: 'instance', externalTrafficPolicy: 'Local' },
};

/** The path the lab's chart gives for one target type and traffic policy. */
export function labExpectedPath(targetType: TargetType, externalTrafficPolicy?: ExternalTrafficPolicy): ExpectedPath {
  const workload = labWorkloads(LAB_DEFAULTS)[targetType];
  const props = targetType === 'instance' && externalTrafficPolicy ? { ...workload, externalTrafficPolicy } : workload;
  return expectedPaths(new IngressWorkloadChart(new App(), 'Chart', props).toJson())[0];
}

export const probe: Command = async (args, io) => {
  const options = parse(args);
  if (options.help) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  const etpFlag = options['external-traffic-policy'];
  if (etpFlag !== undefined && etpFlag !== 'Cluster' && etpFlag !== 'Local') {
    throw new CliError(`--external-traffic-policy must be Cluster or Local; got '${etpFlag}'.`);
  }
  const hints: PeerHints = {
    clientIp: options['client-ip'] === undefined ? undefined : requireAddress('--client-ip', options['client-ip']),
    nodeAddresses: Object.fromEntries(options['node-address'].map((v) => {
      const eq = v.indexOf('=');
      if (eq <= 0) throw new CliError(`--node-address takes name=address; got '${v}'.`);
      return [v.slice(0, eq), requireAddress('--node-address', v.slice(eq + 1))];
    })),
    nodeCidrs: options['node-cidr'].map((c) => requireCidr('--node-cidr', c)),
    loadBalancerAddresses: options['lb-address'].map((a) => requireAddress('--lb-address', a)),
    loadBalancerCidrs: options['lb-cidr'].map((c) => requireCidr('--lb-cidr', c)),
  };
  const requests = positive('--requests', options.requests, 200);
  const concurrency = positive('--concurrency', options.concurrency, 8);
  const timeoutMs = positive('--timeout', options.timeout, 5000);
  // Every flag is checked before the first AWS call or request.
  const targets = options.url.length > 0 ? urlTargets(options.url, etpFlag) : await stackTargets(options, io, etpFlag);
  const showProgress = !options['no-progress'] && !options.json && io.stderr === processIo.stderr && process.stderr.isTTY === true;
  let report;
  try {
    report = await probePaths(targets, {
      requests, concurrency, timeoutMs,
      keepAlive: options['keep-alive'],
      hints,
      onProgress: showProgress ? progressBar(io) : undefined,
    });
  } catch (error) {
    if (error instanceof ProbeError) throw new CliError(error.message);
    throw error;
  } finally {
    if (showProgress) io.stderr('\r\x1b[K');
  }
  io.stdout(options.json ? renderReportJson(report) : renderReportText(report));
  if (options.markdown !== undefined) {
    const file = path.resolve(io.cwd, options.markdown);
    fs.writeFileSync(file, renderReportMarkdown(report));
    if (!options.json) io.stdout(`wrote ${options.markdown}\n`);
  }
  return report.agree ? EXIT_OK : EXIT_FINDING;
};

function parse(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: false,
      options: {
        'help': { type: 'boolean', short: 'h', default: false },
        'stack': { type: 'string', multiple: true, default: [] },
        'url': { type: 'string', multiple: true, default: [] },
        'region': { type: 'string' },
        'external-traffic-policy': { type: 'string' },
        'requests': { type: 'string' },
        'concurrency': { type: 'string' },
        'keep-alive': { type: 'boolean', default: false },
        'timeout': { type: 'string' },
        'client-ip': { type: 'string' },
        'node-address': { type: 'string', multiple: true, default: [] },
        'node-cidr': { type: 'string', multiple: true, default: [] },
        'lb-address': { type: 'string', multiple: true, default: [] },
        'lb-cidr': { type: 'string', multiple: true, default: [] },
        'json': { type: 'boolean', default: false },
        'markdown': { type: 'string' },
        'no-progress': { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new CliError(`${(error as Error).message.split('\n')[0]} Run 'eks-lb-lab probe --help' for the options.`);
  }
}

function urlTargets(specs: readonly string[], etp: ExternalTrafficPolicy | undefined): ProbeTarget[] {
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    const [mode, url] = eq > 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : ['', spec];
    const known = URL_MODES[mode];
    if (!known) {
      throw new CliError(`--url takes mode=URL with mode one of ${Object.keys(URL_MODES).join(', ')}; got '${spec}'.`);
    }
    if (!/^https?:\/\/[^/]/.test(url)) throw new CliError(`--url ${mode}= needs an http:// or https:// URL; got '${url}'.`);
    return { mode, url, expected: labExpectedPath(known.targetType, known.externalTrafficPolicy ?? etp) };
  });
}

async function stackTargets(options: { stack: string[]; region?: string }, io: CliIo,
  etp: ExternalTrafficPolicy | undefined): Promise<ProbeTarget[]> {
  const region = options.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? contextRegion(io.cwd) ?? 'us-east-1';
  const named = options.stack.length > 0;
  const client = new CloudFormationClient({ region });
  try {
    const stacks = await readLabStacks(client, named ? options.stack : LAB_STACKS, region, !named);
    return stacks.map((s) => {
      const policy = s.externalTrafficPolicy ?? etp;
      return { mode: s.targetType, url: s.url, expected: labExpectedPath(s.targetType, policy) };
    });
  } catch (error) {
    if (error instanceof StackOutputsError) throw new CliError(error.message);
    throw error;
  } finally {
    client.destroy();
  }
}

function contextRegion(cwd: string): string | undefined {
  try {
    const region = JSON.parse(fs.readFileSync(path.join(cwd, 'cdk.json'), 'utf8'))?.context?.region;
    return typeof region === 'string' ? region : undefined;
  } catch {
    return undefined;
  }
}

function positive(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new CliError(`${flag} must be a whole number of at least 1; got '${value}'.`);
  return Number(value);
}

function requireAddress(flag: string, value: string): string {
  if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(value) || value.split('.').some((o) => Number(o) > 255)) {
    throw new CliError(`${flag} takes an IPv4 address such as 203.0.113.7; got '${value}'.`);
  }
  return value;
}

function requireCidr(flag: string, value: string): string {
  if (!parseIpv4Cidr(value)) {
    throw new CliError(`${flag} takes an IPv4 CIDR block with zero host bits such as 10.0.128.0/17; got '${value}'.`);
  }
  return value;
}

function progressBar(io: CliIo) {
  return ({ mode, done, total }: { mode: string; done: number; total: number }) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    io.stderr(`\r${mode.padEnd(14)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  };
}

export default probe;
