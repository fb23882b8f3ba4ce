import * as path from 'path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LabValidationError } from '../../lib';
import {
  ExpectedPath, LabStackPath, PeerHints, ProbeTarget, parseIpv4Cidr, parseIpv6Cidr, probePaths, readLabStacks,
  renderReportJson, renderReportMarkdown, renderReportText, stackRegion,
} from '../../lib/experiment';
import { LAB_PATHS, LabPath, PATH_SETTING_KEYS, PATH_STACKS, PathSettings, expectedPath, labPath } from '../../lab-stacks/catalogue';
import { checkOutputPath, writeOutputFile } from '../write-output';
import { MAX_CONCURRENCY, MAX_REQUESTS, parseOptions, wholeNumber } from '../options';
import { LAB_DEFAULTS } from '../../lab-stacks/settings';
import { CliError, CliIo, Command, EXIT_FINDING, EXIT_OK, processIo } from '../cli-io';

const HELP = `Usage: eks-lb-lab probe [options]

Sends requests to each lab mode, reads the echo responses and prints what the pods saw beside what the path
model expects. Exit 0 when they agree, 1 when they differ, 2 when the probe cannot run.

Where to send (default: the paths the deployed lab stacks recorded in their LabPaths output: IpModeLab,
InstanceModeLab, NlbIpModeLab, NlbInstanceModeLab and TgbLab); the model is built from the recorded settings:
  --stack <name>                  a lab stack to read (repeatable)
  --url <mode>=<url>              a URL instead of stacks (repeatable), with the lab's default settings; mode:
                                  ${LAB_PATHS.map((p) => p.id).join(', ').replace(/(.{1,70})(, |$)/g, '$1$2\n                                  ').trim()}
  --region <region>               stacks' region (default: AWS_REGION, cdk.json context 'region', us-east-1)

How to send:
  --requests <n>                  requests per mode (default 200)
  --concurrency <n>               requests in flight per mode (default 8)
  --keep-alive                    reuse connections (default: a new connection per request)
  --timeout <ms>                  per-request timeout (default 5000)

Classifying the pod's TCP peer (see the README, "Run the experiment"):
  --client-ip <address>           your address as the load balancer sees it (default: inferred from X-Forwarded-For);
                                  an NLB path that keeps the client's address compares the pod's TCP peer with it
  --node-address <name=address>   a node's address (repeatable); EKS node names ip-a-b-c-d.* need none
  --node-cidr <cidr>              a block of node addresses (repeatable)
  --lb-address <address>          a load balancer address (repeatable)
  --lb-cidr <cidr>                a block of load balancer addresses (repeatable)

Output:
  --json                          the report as JSON on stdout
  --markdown <file>               also write the report as markdown with a mermaid diagram per path
  --no-progress                   no progress bar on stderr
`;

/** The settings a deployed stack recorded, over the lab's defaults; only the keys a path's chart reads. */
function recordedSettings(recorded: Readonly<Record<string, unknown>>): PathSettings {
  const known = Object.fromEntries(PATH_SETTING_KEYS.filter((k) => k in recorded).map((k) => [k, recorded[k]]));
  return { ...LAB_DEFAULTS, ...known } as PathSettings;
}

/** The model's expectation for a catalogue path, with a combination the chart rejects as one line for the user. */
function expectedFor(mode: string, path: LabPath, settings: PathSettings): ExpectedPath {
  try {
    return expectedPath(path, settings);
  } catch (error) {
    if (error instanceof LabValidationError) throw new CliError(`${mode}: ${error.message}`);
    throw error;
  }
}

/**
 * The expectation for a deployed path, built from the settings its stack recorded; the stack's own reading of the
 * chart must agree with this build, or the stack came from another version of eks-lb-lab.
 */
function deployedExpectation(deployed: LabStackPath): ExpectedPath {
  const path = labPath(deployed.path);
  if (!path) {
    throw new CliError(`stack ${deployed.stackName} recorded a path '${deployed.path}' this version of eks-lb-lab does not know ` +
      `(it knows ${LAB_PATHS.map((p) => p.id).join(', ')}); probe with the version that deployed it, or redeploy.`);
  }
  const expected = expectedFor(deployed.path, path, recordedSettings(deployed.settings));
  const rebuilt = {
    namespace: expected.workload.namespace, replicas: expected.workload.replicas, listener: expected.listener,
    targetGroup: { port: expected.targetGroup.port, healthCheck: expected.targetGroup.healthCheck },
  };
  const recorded = { namespace: deployed.namespace, replicas: deployed.replicas, listener: deployed.listener, targetGroup: deployed.targetGroup };
  if (JSON.stringify(rebuilt) !== JSON.stringify(recorded)) {
    throw new CliError(`stack ${deployed.stackName} recorded ${deployed.path} as ${JSON.stringify(recorded)}, but this version of ` +
      `eks-lb-lab builds ${JSON.stringify(rebuilt)} from its settings; probe with the version that deployed it, or redeploy.`);
  }
  return expected;
}

export const probe: Command = async (args, io) => {
  const options = parse(args);
  if (options.help) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (options.markdown !== undefined) checkOutputPath(options.markdown, path.resolve(io.cwd, options.markdown));
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
  const requests = wholeNumber('--requests', options.requests, 200, MAX_REQUESTS);
  const concurrency = wholeNumber('--concurrency', options.concurrency, 8, MAX_CONCURRENCY);
  const timeoutMs = wholeNumber('--timeout', options.timeout, 5000, 600_000);
  // Every flag is checked before the first AWS call or request.
  const targets = options.url.length > 0 ? urlTargets(options.url) : await stackTargets(options, io);
  const showProgress = !options['no-progress'] && !options.json && io.stderr === processIo.stderr && process.stderr.isTTY === true;
  let report;
  try {
    report = await probePaths(targets, {
      requests, concurrency, timeoutMs,
      keepAlive: options['keep-alive'],
      hints,
      onProgress: showProgress ? progressBar(io) : undefined,
    });
  } finally {
    if (showProgress) io.stderr('\r\x1b[K');
  }
  io.stdout(options.json ? renderReportJson(report) : renderReportText(report));
  if (options.markdown !== undefined) {
    writeOutputFile(options.markdown, path.resolve(io.cwd, options.markdown), renderReportMarkdown(report));
    if (!options.json) io.stdout(`wrote ${options.markdown}\n`);
  }
  return report.agree ? EXIT_OK : EXIT_FINDING;
};

function parse(args: readonly string[]) {
  return parseOptions('probe', args, {
    'help': { type: 'boolean', short: 'h', default: false },
    'stack': { type: 'string', multiple: true, default: [] },
    'url': { type: 'string', multiple: true, default: [] },
    'region': { type: 'string' },
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
  }).values;
}

function urlTargets(specs: readonly string[]): ProbeTarget[] {
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    const [mode, url] = eq > 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : ['', spec];
    const path = labPath(mode);
    if (!path) {
      throw new CliError(`--url takes mode=URL with mode one of ${LAB_PATHS.map((p) => p.id).join(', ')}; got '${spec}'.`);
    }
    if (!/^https?:\/\/[^/]/.test(url)) throw new CliError(`--url ${mode}= needs an http:// or https:// URL; got '${url}'.`);
    try {
      new URL(url);
    } catch {
      throw new CliError(`--url ${mode}= needs a URL a client can open (host, and a port from 1 to 65535); got '${url}'.`);
    }
    return { mode, url, expected: expectedFor(mode, path, LAB_DEFAULTS) };
  });
}

async function stackTargets(options: { stack: string[]; region?: string }, io: CliIo): Promise<ProbeTarget[]> {
  const region = stackRegion(options.region, io.env, io.cwd);
  const named = options.stack.length > 0;
  const client = new CloudFormationClient({ region });
  try {
    const deployed = await readLabStacks(client, named ? options.stack : PATH_STACKS, region, !named);
    return deployed.map((d) => ({ mode: d.path, url: d.url, expected: deployedExpectation(d) }));
  } finally {
    client.destroy();
  }
}

function requireAddress(flag: string, value: string): string {
  if (!/^(\d{1,3})(\.\d{1,3}){3}$/.test(value) || value.split('.').some((o) => Number(o) > 255)) {
    throw new CliError(`${flag} takes an IPv4 address such as 203.0.113.7; got '${value}'.`);
  }
  return value;
}

function requireCidr(flag: string, value: string): string {
  if (!parseIpv4Cidr(value) && !parseIpv6Cidr(value)) {
    throw new CliError(`${flag} takes an IPv4 or IPv6 CIDR block with zero host bits such as 10.0.128.0/17 or 2600:1f18:aa00:1200::/56; got '${value}'.`);
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
