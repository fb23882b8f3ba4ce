import * as path from 'path';
import { parseArgs } from 'util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { App } from 'cdk8s';
import {
  ExpectedPath, ExternalTrafficPolicy, IngressWorkloadChart, KubernetesObject, LabValidationError, NlbWorkloadChart,
  PathModelOptions, TargetGroupBindingChart, TargetType, expectedPaths,
} from '../../lib';
import { parseIpv4Cidr } from '../../lib/private/validate';
import { LabSettings, labNlbWorkloads, labTgbWorkload, labWorkloads } from '../../lab-stacks/lab-app';
import { checkOutputPath, writeOutputFile } from '../write-output';
import { CliError, CliIo, Command, EXIT_FINDING, EXIT_OK, processIo } from '../cli-io';
import { PeerHints, ProbeError, ProbeTarget, probePaths } from '../../lib/experiment/probe/measure';
import { renderReportJson, renderReportMarkdown, renderReportText } from '../../lib/experiment/probe/report';
import { LAB_STACKS, LabKind, StackOutputsError, readLabStacks, stackRegion } from '../../lib/experiment/probe/stack-outputs';
import { LAB_DEFAULTS } from '../../lab-stacks/settings';

const HELP = `Usage: eks-lb-lab probe [options]

Sends requests to each lab mode, reads the echo responses and prints what the pods saw beside what the path
model expects. Exit 0 when they agree, 1 when they differ, 2 when the probe cannot run.

Where to send (default: the URL outputs of the deployed lab stacks: IpModeLab, InstanceModeLab, NlbIpModeLab,
NlbInstanceModeLab and TgbLab):
  --stack <name>                  a lab stack to read (repeatable)
  --url <mode>=<url>              a URL instead of stacks (repeatable); mode: ip, instance, instance-local,
                                  nlb-ip, nlb-ip-preserve, nlb-instance, nlb-instance-local,
                                  tgb-ip, tgb-instance, tgb-instance-local
  --region <region>               stacks' region (default: AWS_REGION, cdk.json context 'region', us-east-1)
  --external-traffic-policy <p>   Cluster or Local, for an instance mode whose stack or mode does not record it

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

/** One path of a lab: which lab, and what of its deployment the model needs beyond the lab's defaults. */
export interface LabPath {
  readonly lab: LabKind;
  readonly targetType: TargetType;
  /** For instance targets. @default - the lab's setting */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
  /** NLB: `preserve_client_ip.enabled`. @default - the lab's setting for ip, on for instance */
  readonly preserveClientIp?: boolean;
  /** NLB: PROXY protocol v2. @default - the lab's setting */
  readonly proxyProtocol?: boolean;
}

/** Mode names `--url` accepts, and the lab path whose model each expects. */
const URL_MODES: Readonly<Record<string, LabPath>> = {
  'ip': { lab: 'alb', targetType: 'ip' },
  'instance': { lab: 'alb', targetType: 'instance' },
  'instance-local': { lab: 'alb', targetType: 'instance', externalTrafficPolicy: 'Local' },
  'nlb-ip': { lab: 'nlb', targetType: 'ip', preserveClientIp: false },
  'nlb-ip-preserve': { lab: 'nlb', targetType: 'ip', preserveClientIp: true },
  'nlb-instance': { lab: 'nlb', targetType: 'instance' },
  'nlb-instance-local': { lab: 'nlb', targetType: 'instance', externalTrafficPolicy: 'Local' },
  'tgb-ip': { lab: 'tgb', targetType: 'ip' },
  'tgb-instance': { lab: 'tgb', targetType: 'instance' },
  'tgb-instance-local': { lab: 'tgb', targetType: 'instance', externalTrafficPolicy: 'Local' },
};

/** The report's name for a lab path: `ip`, `nlb-instance`, `tgb-ip`. */
export function modeName(lab: LabKind, targetType: TargetType): string {
  return lab === 'alb' ? targetType : `${lab}-${targetType}`;
}

/**
 * The path the model expects for one lab path: the objects of that lab's chart, built with the app's settings mapping
 * (`labWorkloads`, `labNlbWorkloads`, `labTgbWorkload`) from `settings`, with the deployed values of `path` on top.
 */
export function labExpectedPath(path: LabPath, settings: Omit<LabSettings, 'region'> = LAB_DEFAULTS): ExpectedPath {
  const { targetType } = path;
  const etp = targetType === 'instance' ? path.externalTrafficPolicy : undefined;
  let objects: KubernetesObject[];
  let options: PathModelOptions = {};
  if (path.lab === 'alb') {
    const workload = labWorkloads(settings)[targetType];
    objects = new IngressWorkloadChart(new App(), 'Chart', etp ? { ...workload, externalTrafficPolicy: etp } : workload).toJson();
  } else if (path.lab === 'nlb') {
    const workload = labNlbWorkloads(settings)[targetType];
    objects = new NlbWorkloadChart(new App(), 'Chart', {
      ...workload,
      ...(etp ? { externalTrafficPolicy: etp } : {}),
      ...(path.preserveClientIp !== undefined ? { preserveClientIp: path.preserveClientIp } : {}),
      ...(path.proxyProtocol !== undefined ? { proxyProtocolV2: path.proxyProtocol } : {}),
    }).toJson();
  } else {
    const { inboundCidrs: _cidrs, ...workload } = labTgbWorkload(settings);
    // The model reads neither the ARNs nor the VPC or security group; the deployed ones live in TgbLab.
    const chart = new TargetGroupBindingChart(new App(), 'Chart', {
      ...workload,
      ...(etp ? { externalTrafficPolicy: etp } : {}),
      ipTargetGroupArn: 'ip-target-group', instanceTargetGroupArn: 'instance-target-group',
      vpcId: 'lab-vpc', loadBalancerSecurityGroupId: 'alb-security-group',
    });
    objects = chart.toJson();
    options = { targetGroupLoadBalancers: { [chart.bindings.ip.name]: 'ALB', [chart.bindings.instance.name]: 'ALB' } };
  }
  const found = expectedPaths(objects, options).find((p) => p.targetType === targetType);
  if (!found) throw new Error(`the ${path.lab} lab's chart has no ${targetType} path`);
  return found;
}

/** The expected path, with a deployed combination the chart rejects as one line for the user. */
function expectedFor(mode: string, path: LabPath): ExpectedPath {
  try {
    return labExpectedPath(path);
  } catch (error) {
    if (error instanceof LabValidationError) throw new CliError(`${mode}: ${error.message}`);
    throw error;
  }
}

export const probe: Command = async (args, io) => {
  const options = parse(args);
  if (options.help) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (options.markdown !== undefined) checkOutputPath(options.markdown, path.resolve(io.cwd, options.markdown));
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
    writeOutputFile(options.markdown, path.resolve(io.cwd, options.markdown), renderReportMarkdown(report));
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
    return { mode, url, expected: expectedFor(mode, { ...known, externalTrafficPolicy: known.externalTrafficPolicy ?? etp }) };
  });
}

async function stackTargets(options: { stack: string[]; region?: string }, io: CliIo,
  etp: ExternalTrafficPolicy | undefined): Promise<ProbeTarget[]> {
  const region = stackRegion(options.region, io.env, io.cwd);
  const named = options.stack.length > 0;
  const client = new CloudFormationClient({ region });
  try {
    const stacks = await readLabStacks(client, named ? options.stack : LAB_STACKS, region, !named);
    return stacks.map((s) => {
      const mode = modeName(s.lab, s.targetType);
      const path = { ...s, externalTrafficPolicy: s.externalTrafficPolicy ?? etp };
      return { mode, url: s.url, expected: expectedFor(mode, path) };
    });
  } catch (error) {
    if (error instanceof StackOutputsError) throw new CliError(error.message);
    throw error;
  } finally {
    client.destroy();
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
