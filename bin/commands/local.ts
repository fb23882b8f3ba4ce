import * as path from 'path';
import { spawn } from 'child_process';
import { CliError, CliIo, Command, EXIT_FINDING, EXIT_OK, EXIT_USAGE } from '../cli-io';
import { LocalOptions, localPaths } from './local-run';
import { nodeCommand } from '../../lib/experiment/local/netns';
import { missingForLocal, thisHost } from '../../lib/experiment/local/preflight';
import { LAB_PATHS, isGatewayPath, isNlbPath } from '../../lab-stacks/catalogue';
import { DEFAULT_CONTROLLER_LAG_SECONDS, ROLLOUT_TIME_SCALE } from '../../lib/experiment/local/rollout';

/** The paths the emulation builds: the ALB rows by default, the NLB rows with --nlb, the Gateway API rows with --gateway. */
export const LOCAL_MODES: readonly string[] = LAB_PATHS.filter((p) => p.emulated).map((p) => p.id);
export const ALB_MODES: readonly string[] = LAB_PATHS.filter((p) => p.emulated && !isNlbPath(p) && !isGatewayPath(p)).map((p) => p.id);
export const NLB_MODES: readonly string[] = LAB_PATHS.filter((p) => p.emulated && isNlbPath(p) && !isGatewayPath(p)).map((p) => p.id);
export const GATEWAY_MODES: readonly string[] = LAB_PATHS.filter((p) => p.emulated && isGatewayPath(p)).map((p) => p.id);
/** The modes `--rollout` and `--drain` disrupt: the ALB paths with each target type. */
export const ROLLOUT_MODES: readonly string[] = ['ip', 'instance'];
/** Requests per wall-clock second of the load during a rollout or drain. */
export const DEFAULT_ROLLOUT_RATE = 150;
import { checkOutputPath } from '../write-output';
import { MAX_CONCURRENCY, MAX_REQUESTS, contextPairs, parseOptions, wholeNumber, zonePrice } from '../options';
import { INTER_ZONE_PRICE_PER_GB } from '../../lib/experiment/probe/zones';

/** Set in the re-executed process inside the run's own namespaces. */
const INSIDE = 'EKS_LB_LAB_LOCAL_NAMESPACES';

const USAGE = `Usage: eks-lb-lab local [options]

Builds the lab's data paths in Linux network namespaces on this host (no AWS), from the same cdk8s charts:
a client, an ALB stand-in with an interface in each zone, two nodes in two zones on a bridge standing in for
the VPC, echo pods wired like the VPC CNI and kube-proxy's NodePort rules. Probes each mode, places every
address in a zone and compares with the path model. Needs root.

Options:
  --modes <list>       modes to run, comma-separated, from: ${LOCAL_MODES.join(', ')}
                       (default: ${ALB_MODES.join(', ')})
  --nlb                also run the NLB modes (an L4 stand-in: ${NLB_MODES.join(', ')})
  --gateway            also run the Gateway API modes (the same stand-ins: ${GATEWAY_MODES.join(', ')})
  --instance-local     run only ALB instance mode with externalTrafficPolicy Local
  --requests <n>       requests per mode (default 200)
  --concurrency <n>    requests in flight per mode (default 8)
  --keep-alive         reuse the client's connections to the load balancer
  -c <key>=<value>     a lab setting, as for cdk deploy: the paths follow it (externalTrafficPolicy and
                       nlbPreserveClientIp choose the variants run by default; replicas, nodePort, nodeCount,
                       vpcCidr, azCount, crossZoneLoadBalancing shape them); one the emulation cannot follow is refused
  --zone-price <usd>   inter-zone data transfer, US dollars per GB each way, for the cost estimate
                       (default ${INTER_ZONE_PRICE_PER_GB}: AWS EC2 pricing, data transfer across zones in most regions)
  --json               print the report as JSON
  --markdown <file>    also write the report as markdown

Rollouts and drains (instead of the probe; modes ${ROLLOUT_MODES.join(' and ')}, both -c shutdown variants unless one is given):
  --rollout            restart each mode's Deployment under a steady load, as kubectl rollout restart does
  --drain              drain a node under the load (cordon, evict its pods, uncordon); with --rollout, both
  --lag <seconds>      the controller stand-in's delay from an endpoint change to the target group's
                       (de)registration, in cluster seconds (default ${DEFAULT_CONTROLLER_LAG_SECONDS})
  --rate <n>           requests per second of wall time (default ${DEFAULT_ROLLOUT_RATE})
  Timers run ${ROLLOUT_TIME_SCALE} times faster than on a cluster; the report gives cluster seconds.
Exit status: 0 when every mode matches the model, 1 when one does not, 2 when it cannot run.
`;


export function parseLocalArgs(args: readonly string[]): LocalOptions {
  const { values } = parseOptions('local', args, {
    'help': { type: 'boolean', short: 'h', default: false },
    'json': { type: 'boolean', default: false },
    'keep-alive': { type: 'boolean', default: false },
    'instance-local': { type: 'boolean', default: false },
    'nlb': { type: 'boolean', default: false },
    'gateway': { type: 'boolean', default: false },
    'markdown': { type: 'string' },
    'requests': { type: 'string' },
    'concurrency': { type: 'string' },
    'zone-price': { type: 'string' },
    'modes': { type: 'string' },
    'context': { type: 'string', short: 'c', multiple: true, default: [] },
    'rollout': { type: 'boolean', default: false },
    'drain': { type: 'boolean', default: false },
    'lag': { type: 'string' },
    'rate': { type: 'string' },
  });
  const disrupt = values.rollout || values.drain;
  if (!disrupt) {
    const stray = (['lag', 'rate'] as const).find((k) => values[k] !== undefined);
    if (stray) throw new CliError(`--${stray} applies only with --rollout or --drain; got '${values[stray]}'. Add --rollout, or remove --${stray}.`);
  } else {
    const stray = (['requests', 'concurrency', 'keep-alive', 'instance-local', 'nlb'] as const).find((k) => values[k] !== undefined && values[k] !== false);
    if (stray) throw new CliError(`--${stray} is an option of the probe, which --rollout and --drain replace with a steady load; remove --${stray}.`);
  }
  let modes: string[] = [...ALB_MODES];
  let modesGiven = false;
  if (values.modes !== undefined) {
    const list = values.modes.split(',').map((m) => m.trim());
    const unknown = list.filter((m) => !LOCAL_MODES.includes(m));
    if (unknown.length > 0 || list.length === 0) {
      throw new CliError(`--modes takes ${LOCAL_MODES.join(', ')}; got '${unknown.join(',')}'.`);
    }
    modes = LOCAL_MODES.filter((m) => list.includes(m));
    modesGiven = true;
  } else if (values['instance-local']) {
    modes = ['instance-local'];
    modesGiven = true;
  }
  if (values.nlb) modes = LOCAL_MODES.filter((m) => modes.includes(m) || NLB_MODES.includes(m));
  if (values.gateway) modes = LOCAL_MODES.filter((m) => modes.includes(m) || GATEWAY_MODES.includes(m));
  if (disrupt) {
    const other = modes.filter((m) => !ROLLOUT_MODES.includes(m));
    if (modesGiven && other.length > 0) {
      throw new CliError(`--rollout and --drain disrupt ${ROLLOUT_MODES.join(' and ')}; got --modes ${other.join(',')}. Use --modes ${ROLLOUT_MODES.join(',')} or fewer.`);
    }
    if (!modesGiven) modes = [...ROLLOUT_MODES];
  }
  return {
    modes, modesGiven,
    requests: wholeNumber('--requests', values.requests, 200, MAX_REQUESTS),
    concurrency: wholeNumber('--concurrency', values.concurrency, 8, MAX_CONCURRENCY),
    keepAlive: values['keep-alive'], context: contextPairs('-c', values.context), json: values.json, markdown: values.markdown,
    zonePrice: zonePrice(values['zone-price'], INTER_ZONE_PRICE_PER_GB),
    help: values.help,
    events: [...(values.rollout ? ['rollout' as const] : []), ...(values.drain ? ['drain' as const] : [])],
    controllerLagSeconds: wholeNumber('--lag', values.lag, DEFAULT_CONTROLLER_LAG_SECONDS, 300),
    rate: wholeNumber('--rate', values.rate, DEFAULT_ROLLOUT_RATE, 5000),
  };
}

export const local: Command = async (args, io) => {
  const options = parseLocalArgs(args);
  if (options.help) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  // Before minutes of work: a --markdown file that cannot be written is refused now.
  if (options.markdown !== undefined) checkOutputPath(options.markdown, path.resolve(io.cwd, options.markdown));
  if (io.env[INSIDE] === '1' && process.pid === 1) {
    return (require('./local-run') as typeof import('./local-run')).runInside(options, io);
  }
  // Bad settings and modes are one line here, before any privilege is needed.
  localPaths(options, io.env);
  const missing = missingForLocal(thisHost(io.env));
  if (missing) throw new CliError(missing, EXIT_USAGE);
  return reexecInNamespaces(args, io);
};

export default local;

/**
 * Runs this command again in fresh network, mount and PID namespaces: every namespace and process the run makes
 * lives under it, and goes when it ends, however it ends.
 */
function reexecInNamespaces(args: readonly string[], io: CliIo): Promise<number> {
  const cli = nodeCommand(path.join(__dirname, '..', 'cli'));
  const child = spawn('unshare', ['--net', '--mount', '--pid', '--fork', '--kill-child', '--propagation', 'private', '--', ...cli, 'local', ...args], {
    // stdin stays open and unused: when this process dies, however, the run sees it close and stops.
    cwd: io.cwd, env: { ...io.env, [INSIDE]: '1' }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdout.setEncoding('utf8').on('data', (t: string) => io.stdout(t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => io.stderr(t));
  // Ctrl-C reaches the inner process too; it tears down and exits, and this one follows.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  return new Promise((resolve) => child.on('close', (code, signal) => {
    process.off('SIGINT', ignore);
    resolve(code ?? (signal ? 128 + 2 : EXIT_FINDING));
  }));
}
