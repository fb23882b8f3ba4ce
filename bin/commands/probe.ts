import * as path from 'path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LabValidationError } from '../../lib';
import {
  ExpectedPath, INTER_ZONE_PRICE_PER_GB, LabStackPath, LabSubnet, PeerHints, ProbeTarget, parseIpv4Cidr, parseIpv6Cidr, probePaths, readLabStacks, readLabSubnets,
  renderReportJson, renderReportMarkdown, renderReportText, stackRegion,
} from '../../lib/experiment';
import { LAB_PATHS, LabPath, PATH_SETTING_KEYS, PATH_STACKS, PathSettings, expectedPath, labPath } from '../../lab-stacks/catalogue';
import { checkOutputPath, writeOutputFile } from '../write-output';
import { MAX_CONCURRENCY, MAX_RATE, MAX_REQUESTS, MAX_WINDOW_SECONDS, parseOptions, wholeNumber, zonePrice } from '../options';
import { DisruptionTarget, measureDisruption } from '../../lib/experiment/disruption/measure';
import { expectDisruption } from '../../lib/experiment/disruption/model';
import { disruptionReport, renderDisruptionJson, renderDisruptionMarkdown, renderDisruptionText } from '../../lib/experiment/disruption/report';
import { DisruptionEvent, DisruptionSummary, ShutdownVariant } from '../../lib/experiment/disruption/types';
import { LAB_DEFAULTS, REGION } from '../../lab-stacks/settings';
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

Rollouts and drains (see the README, "Rollouts and drains"): per path, a steady load for a window and, a fifth
of the way in (5 s at most), a disruption; the load runs on as long after it ends. Exit 1 when requests failed
where the model expects none.
  --rollout                       restart the path's Deployment (as \`kubectl rollout restart\`) and wait for it
  --drain                         drain the node running most of the path's pods (cordon, evictions that respect
                                  PodDisruptionBudgets, uncordon); with --rollout, a second window per path
  --load-only                     the load alone, for a rollout or drain you start yourself
  --rate <n>                      requests per second (default 20)
  --window <s>                    seconds of load at least (default 60)
  --kubeconfig <file>             kubeconfig for --rollout and --drain (default: KUBECONFIG, else ~/.kube/config)
  --context <name>                kubeconfig context (default: its current context)
  --timeout and --keep-alive apply to the load as to the probe.
Zones (see the README, "Zones and what crossing them costs"):
  --subnet <zone>=<cidr>          a subnet and its availability zone (repeatable; default: the LabCluster stack's
                                  LabSubnets output when reading stacks, none with --url)
  --zone-price <usd>              inter-zone data transfer, US dollars per GB in each direction (default
                                  ${INTER_ZONE_PRICE_PER_GB}: AWS EC2 pricing, data transfer across zones in most regions)

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
  const events = disruptionEvents(options);
  if (events.length > 0) return probeDisruptions(events, options, io);
  for (const flag of DISRUPTION_ONLY) {
    if (options[flag] !== undefined) throw new CliError(`--${flag} applies to --rollout, --drain or --load-only; add one, or leave --${flag} out.`);
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
  const givenSubnets = options.subnet.map(subnetFlag);
  const price = zonePrice(options['zone-price'], INTER_ZONE_PRICE_PER_GB);
  const requests = wholeNumber('--requests', options.requests, 200, MAX_REQUESTS);
  const concurrency = wholeNumber('--concurrency', options.concurrency, 8, MAX_CONCURRENCY);
  const timeoutMs = wholeNumber('--timeout', options.timeout, 5000, 600_000);
  // Every flag is checked before the first AWS call or request.
  const { targets, subnets } = await probeTargets(options, io);
  const showProgress = !options['no-progress'] && !options.json && io.stderr === processIo.stderr && process.stderr.isTTY === true;
  let report;
  try {
    report = await probePaths(targets, {
      requests, concurrency, timeoutMs,
      keepAlive: options['keep-alive'],
      hints: { ...hints, subnets: givenSubnets.length > 0 ? givenSubnets : subnets }, interZonePricePerGb: price,
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
    'rollout': { type: 'boolean', default: false },
    'drain': { type: 'boolean', default: false },
    'load-only': { type: 'boolean', default: false },
    'rate': { type: 'string' },
    'window': { type: 'string' },
    'kubeconfig': { type: 'string' },
    'context': { type: 'string' },
    'subnet': { type: 'string', multiple: true, default: [] },
    'zone-price': { type: 'string' },
    'json': { type: 'boolean', default: false },
    'markdown': { type: 'string' },
    'no-progress': { type: 'boolean', default: false },
  }).values;
}

/** A path to probe, and how its pods stop (the `shutdown` setting it was deployed with). */
type LabTarget = ProbeTarget & { readonly expected: ExpectedPath; readonly shutdown: ShutdownVariant };

/** Where to send: the URLs given, else the paths the stacks recorded; the two at once would leave one unused. */
async function probeTargets(options: { url: string[]; stack: string[]; region?: string }, io: CliIo): Promise<{ targets: LabTarget[]; subnets: LabSubnet[] }> {
  if (options.url.length === 0) return stackTargets(options, io);
  const unused = options.stack.length > 0 ? '--stack' : options.region !== undefined ? '--region' : undefined;
  if (unused) throw new CliError(`--url sends to the URLs given and reads no stack, so ${unused} would be ignored; give one or the other.`);
  return { targets: urlTargets(options.url), subnets: [] };
}

function urlTargets(specs: readonly string[]): LabTarget[] {
  const seen = new Set<string>();
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    const [mode, url] = eq > 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : ['', spec];
    const path = labPath(mode);
    if (!path) {
      throw new CliError(`--url takes mode=URL with mode one of ${LAB_PATHS.map((p) => p.id).join(', ')}; got '${spec}'.`);
    }
    if (seen.has(mode)) throw new CliError(`--url ${mode}= is given twice; each mode takes one URL, got '${spec}' again.`);
    seen.add(mode);
    if (!/^https?:\/\/[^/]/.test(url)) throw new CliError(`--url ${mode}= needs an http:// or https:// URL; got '${url}'.`);
    try {
      new URL(url);
    } catch {
      throw new CliError(`--url ${mode}= needs a URL a client can open (host, and a port from 1 to 65535); got '${url}'.`);
    }
    return { mode, url, expected: expectedFor(mode, path, LAB_DEFAULTS), shutdown: LAB_DEFAULTS.shutdown };
  });
}

/** The cluster stack, whose LabSubnets output places addresses in zones. */
const CLUSTER_STACK = 'LabCluster';

async function stackTargets(options: { stack: string[]; region?: string }, io: CliIo): Promise<{ targets: LabTarget[]; subnets: LabSubnet[] }> {
  const region = stackRegion(options.region, io.env, io.cwd);
  // A region only shaped wrong (an AWS_REGION of 'mars') would otherwise end in a DNS failure of the SDK's.
  if (!REGION.test(region)) {
    const from = options.region !== undefined ? '--region' : io.env.AWS_REGION === region ? 'AWS_REGION'
      : io.env.AWS_DEFAULT_REGION === region ? 'AWS_DEFAULT_REGION' : "cdk.json's context 'region'";
    throw new CliError(`${from} must be an AWS region such as eu-west-1; got '${region}'. Pass --region with the lab stacks' region.`);
  }
  const named = options.stack.length > 0;
  const client = new CloudFormationClient({ region });
  try {
    const deployed = await readLabStacks(client, named ? options.stack : PATH_STACKS, region, !named);
    const targets = deployed.map((d) => ({ mode: d.path, url: d.url, expected: deployedExpectation(d), shutdown: recordedSettings(d.settings).shutdown }));
    return { targets, subnets: await readLabSubnets(client, CLUSTER_STACK, region) };
  } finally {
    client.destroy();
  }
}

type ProbeOptionValues = ReturnType<typeof parse>;

/** Flags of the disruption mode only. */
const DISRUPTION_ONLY = ['rate', 'window', 'kubeconfig', 'context'] as const;
/** Flags of the classic probe only. */
const PROBE_ONLY = ['requests', 'concurrency', 'client-ip'] as const;
const PROBE_ONLY_LISTS = ['node-address', 'node-cidr', 'lb-address', 'lb-cidr'] as const;

/** The disruptions asked for, in run order; none for the classic probe. */
function disruptionEvents(options: ProbeOptionValues): DisruptionEvent[] {
  if (options['load-only'] && (options.rollout || options.drain)) {
    throw new CliError(`--load-only runs the load without a disruption; got it with --${options.rollout ? 'rollout' : 'drain'}. Use one or the other.`);
  }
  if (options['load-only']) return ['load-only'];
  return [...(options.rollout ? ['rollout' as const] : []), ...(options.drain ? ['drain' as const] : [])];
}

/** `probe --rollout | --drain | --load-only`: each path under a steady load while it is disrupted, beside the model. */
async function probeDisruptions(events: readonly DisruptionEvent[], options: ProbeOptionValues, io: CliIo): Promise<number> {
  const mode = `--${events[0] === 'load-only' ? 'load-only' : events[0]}`;
  for (const flag of PROBE_ONLY) {
    if (options[flag] !== undefined) throw new CliError(`--${flag} applies to the probe without ${mode}; the load is --rate requests a second for --window seconds.`);
  }
  for (const flag of PROBE_ONLY_LISTS) {
    if (options[flag].length > 0) throw new CliError(`--${flag} applies to the probe without ${mode}; the disruption report does not classify TCP peers.`);
  }
  const ratePerSecond = wholeNumber('--rate', options.rate, 20, MAX_RATE);
  const windowSeconds = wholeNumber('--window', options.window, 60, MAX_WINDOW_SECONDS);
  if (ratePerSecond * windowSeconds > MAX_REQUESTS) {
    throw new CliError(`--rate × --window must be at most ${MAX_REQUESTS.toLocaleString('en-US')} requests a path; got ${ratePerSecond} × ${windowSeconds}. ` +
      'Lower the rate or shorten the window.');
  }
  const timeoutMs = wholeNumber('--timeout', options.timeout, 5000, 600_000);
  const disrupts = events.some((e) => e !== 'load-only');
  if (!disrupts) {
    for (const flag of ['kubeconfig', 'context'] as const) {
      if (options[flag] !== undefined) throw new CliError(`--${flag} applies to --rollout and --drain; --load-only does not talk to the cluster.`);
    }
  }
  // Loaded only here: the Kubernetes client takes a second to load, and the probe without a disruption needs none.
  const kubeConfig = disrupts
    ? (require('./doctor') as typeof import('./doctor')).selectedKubeConfig(options.kubeconfig, options.context, io) : undefined;
  const { targets } = await probeTargets(options, io);
  const actions = kubeConfig && new (require('../../lib/experiment/disruption/kube') as typeof import('../../lib/experiment/disruption/kube'))
    .DisruptionActions(kubeConfig, { timeoutMs: Math.max(600_000, windowSeconds * 1000) });
  const step = options['no-progress'] ? undefined : (line: string) => io.stderr(`${line}\n`);
  const summaries: DisruptionSummary[] = [];
  for (const t of targets) {
    const target: DisruptionTarget = {
      path: t.mode, url: t.url, variant: t.shutdown,
      workload: { namespace: t.expected.workload.namespace, name: t.expected.workload.name },
      expectation: (event) => expectDisruption(t.expected, event),
    };
    for (const event of events) {
      step?.(`${t.mode}: ${ratePerSecond} requests a second to ${t.url} for ${windowSeconds} s${event === 'load-only' ? '' : `, a ${event} in the window`}`);
      summaries.push(await measureDisruption(target, event, actions, {
        ratePerSecond, windowMs: windowSeconds * 1000, timeoutMs, keepAlive: options['keep-alive'], onStep: step,
      }));
    }
  }
  const report = disruptionReport(summaries);
  io.stdout(options.json ? renderDisruptionJson(report) : renderDisruptionText(report));
  if (options.markdown !== undefined) {
    writeOutputFile(options.markdown, path.resolve(io.cwd, options.markdown), renderDisruptionMarkdown(report));
    if (!options.json) io.stdout(`wrote ${options.markdown}\n`);
  }
  return report.agree ? EXIT_OK : EXIT_FINDING;
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

function subnetFlag(value: string): LabSubnet {
  const eq = value.indexOf('=');
  const [zone, cidr] = eq > 0 ? [value.slice(0, eq), value.slice(eq + 1)] : ['', value];
  if (zone === '' || !parseIpv4Cidr(cidr)) {
    throw new CliError(`--subnet takes zone=cidr, an availability zone and an IPv4 block with zero host bits such as ` +
      `us-east-1a=10.0.128.0/18; got '${value}'.`);
  }
  return { zone, cidr };
}

function progressBar(io: CliIo) {
  return ({ mode, done, total }: { mode: string; done: number; total: number }) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    io.stderr(`\r${mode.padEnd(14)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  };
}

export default probe;
