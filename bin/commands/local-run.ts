import * as path from 'path';
import { App } from 'cdk8s';
import { writeOutputFile } from '../write-output';
import { CliError, CliIo, EXIT_FINDING, EXIT_OK, EXIT_USAGE } from '../cli-io';
import { LabPath, SHUTDOWN_VARIANTS, expectedPath, labPath } from '../../lab-stacks/catalogue';
import { DisruptionReport, disruptionReport, renderDisruptionMarkdown, renderDisruptionText } from '../../lib/experiment/disruption/report';
import { DisruptionSummary } from '../../lib/experiment/disruption/types';
import { DisruptionSubject, ROLLOUT_TIME_SCALE, SandboxPool, planRollout, runDisruption } from '../../lib/experiment/local/rollout';
import { LabSettings, SETTINGS, givenSettings, readLabSettings } from '../../lab-stacks/settings';
import { ExpectedPath } from '../../lib/experiment/path-model';
import { ModeResult, ProbeError, ProbeReport, ProbeSample, analyse, sampleTarget } from '../../lib/experiment/probe/measure';
import { echoHeaderValues } from '../../lib/experiment/echo-response';
import { AlbForwarded } from '../../lib/experiment/local/alb';
import { emulatedZones } from '../../lib/experiment/local/plan';
import { emulationChecks } from '../../lib/experiment/local/checks';
import { Emulation, RowObservation } from '../../lib/experiment/local/emulation';
import { runScript } from '../../lib/experiment/local/netns';
import { EmulationPlan, planEmulation } from '../../lib/experiment/local/plan';
import { renderReportMarkdown, renderReportText } from '../../lib/experiment/probe/report';
import { LocalReport, renderEmulationMarkdown, renderEmulationText } from '../../lib/experiment/local/report';

/** Parsed command line. */
export interface LocalOptions {
  /** Catalogue path ids, in run order. */
  readonly modes: readonly string[];
  /** Whether `--modes` or `--instance-local` chose them (else they are the defaults, which the settings narrow). */
  readonly modesGiven: boolean;
  readonly requests: number;
  readonly concurrency: number;
  readonly keepAlive: boolean;
  readonly context: Readonly<Record<string, string>>;
  readonly json: boolean;
  readonly markdown?: string;
  /** Inter-zone data transfer, US dollars per GB each way, for the cost estimate. */
  readonly zonePrice: number;
  readonly help: boolean;
  /** `--rollout` and `--drain`: the disruptions to run instead of the probe; none for the probe. */
  readonly events: readonly ('rollout' | 'drain')[];
  /** `--lag`: the controller stand-in's lag, in cluster seconds. */
  readonly controllerLagSeconds: number;
  /** `--rate`: requests per wall-clock second of the disruption's load. */
  readonly rate: number;
}


/**
 * The lab's settings from `-c`, and the expected path of each mode to run, built as `cdk deploy` with the same
 * settings would build it. A setting the emulation cannot follow is refused; a variant setting (traffic policy,
 * preservation) given with `-c` narrows the default modes to its variants, and must agree with modes named by
 * `--modes`.
 */
export function localPaths(options: LocalOptions, env: NodeJS.ProcessEnv): { settings: LabSettings; paths: { mode: string; path: ExpectedPath }[] } {
  const app = new App();
  for (const [k, v] of Object.entries(options.context)) app.node.setContext(k, v);
  const settings = readLabSettings(app.node, env);
  const given = givenSettings(app.node);
  for (const key of given) {
    const use = SETTINGS[key].local;
    if (typeof use === 'object') throw new CliError(`-c ${key}=${options.context[key]}: ${use.refused}; run without it.`);
  }
  const clash = (p: LabPath) => Object.entries(p.variant).find(([k, v]) => given.includes(k as keyof LabSettings) && settings[k as keyof LabSettings] !== v);
  const chosen = options.modes.map((id) => labPath(id)!);
  for (const p of options.modesGiven ? chosen : []) {
    const c = clash(p);
    if (c) {
      throw new CliError(`--modes ${p.id} runs ${c[0]} ${c[1]}, but -c ${c[0]}=${options.context[c[0]]} asks for the other ` +
        'variant; drop one of them.');
    }
  }
  if (settings.azCount < 2 || settings.azCount > 16) {
    throw new CliError(`-c azCount=${settings.azCount}: the lab's VPC spans 2 to 16 zones, and the emulation follows it; use 2.`);
  }
  const modes = options.modesGiven ? chosen : chosen.filter((p) => !clash(p));
  return { settings, paths: modes.map((p) => ({ mode: p.id, path: expectedPath(p, settings) })) };
}

/**
 * What `--rollout` and `--drain` disrupt: each mode in each shutdown variant (the one `-c shutdown` names, else both),
 * its expected path built as `cdk deploy` would build it with that variant.
 */
export function disruptionSubjects(options: LocalOptions, env: NodeJS.ProcessEnv): { settings: LabSettings; subjects: DisruptionSubject[] } {
  const { settings } = localPaths(options, env);
  const app = new App();
  for (const [k, v] of Object.entries(options.context)) app.node.setContext(k, v);
  const variants = givenSettings(app.node).includes('shutdown') ? [settings.shutdown] : SHUTDOWN_VARIANTS;
  const subjects = options.modes.flatMap((mode) => variants.map((variant) => ({
    mode, variant, path: expectedPath(labPath(mode)!, { ...settings, shutdown: variant }),
  })));
  return { settings, subjects };
}

/** Each sample with the interface and target the ALB stand-in logged under its trace id; NLB samples as they are. */
function withVia(samples: readonly ProbeSample[], forwarded: readonly AlbForwarded[]): ProbeSample[] {
  const byTrace = new Map(forwarded.map((f) => [f.traceId, f]));
  return samples.map((s) => {
    const f = s.echo ? byTrace.get(echoHeaderValues(s.echo, 'x-amzn-trace-id')[0] ?? '') : undefined;
    return f ? { ...s, via: { loadBalancer: f.loadBalancer, target: f.target } } : s;
  });
}

/** The run inside its own namespaces: build, probe each mode, report, tear down. */
export async function runInside(options: LocalOptions, io: CliIo): Promise<number> {
  const started = Date.now();
  // As PID 1 of its namespace this process ignores signals it does not handle; exiting takes every agent along.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
  process.stdin.on('end', () => process.exit(129)).on('error', () => process.exit(129)).resume();
  process.stdin.unref();
  await runScript('mkdir -p /run/netns && mount -t tmpfs -o size=1m tmpfs /run/netns');
  if (options.events.length > 0) return runDisruptionsInside(options, io, started);

  const { settings, paths } = localPaths(options, io.env);
  const plan: EmulationPlan = planEmulation(paths, {
    vpcCidr: settings.vpcCidr, nodeCount: settings.nodeCount, zones: emulatedZones(settings.region, settings.azCount),
  });

  let emulation: Emulation;
  try {
    emulation = await Emulation.up(plan);
  } catch (e) {
    throw new CliError(`could not build the namespaces: ${(e as Error).message.split('\n')[0]}`, EXIT_USAGE);
  }
  const up = Date.now();
  const modes: ModeResult[] = [];
  const observations: RowObservation[] = [];
  const hints = {
    clientIp: plan.client.address,
    nodeAddresses: Object.fromEntries(plan.nodes.map((n) => [n.name, n.address])),
    loadBalancerAddresses: plan.rows.flatMap((r) => r.interfaces.map((i) => i.address)),
    subnets: plan.subnets,
  };
  try {
    for (const row of plan.rows) {
      const expected = paths.find((p) => p.mode === row.mode)!.path;
      if (!options.json) io.stderr(`${row.mode}: ${options.requests} requests to ${row.publicAddress}\n`);
      const { measured, observation, forwarded } = await emulation.runRow(row, expected, (url) => sampleTarget({ mode: row.mode, url, expected }, {
        requests: options.requests, concurrency: options.concurrency, keepAlive: options.keepAlive,
      }));
      const target = { mode: row.mode, url: observation.url, expected };
      const result = analyse([{ target, samples: withVia(measured, forwarded) }], hints, options.zonePrice).modes[0];
      const checks = [...result.checks, ...emulationChecks(expected, observation, plan, row)];
      modes.push({ ...result, checks, agree: checks.every((c) => c.agree) });
      observations.push(observation);
    }
  } catch (e) {
    if (e instanceof ProbeError) throw new CliError(`the emulation did not answer: ${e.message}`, EXIT_FINDING);
    if (e instanceof Error && !(e instanceof CliError)) throw new CliError(`the emulation failed: ${e.message.split('\n')[0]}`, EXIT_FINDING);
    throw e;
  } finally {
    emulation.down();
  }
  const done = Date.now();

  const report: ProbeReport = { modes, clientIp: { address: plan.client.address, source: 'given' }, agree: modes.every((m) => m.agree) };
  const result: LocalReport = {
    ...report,
    emulation: {
      client: plan.client.address,
      nodes: plan.nodes.map((n) => ({ name: n.name, address: n.address, zone: n.zone })),
      pods: plan.pods.map((p) => ({ name: p.name, namespace: p.namespace, node: p.node.name, address: p.address })),
      modes: observations,
    },
    seconds: { up: (up - started) / 1000, probe: (done - up) / 1000, total: (done - started) / 1000 },
  };
  io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderReportText(report)}\n${renderEmulationText(result)}`);
  if (options.markdown) {
    writeOutputFile(options.markdown, path.resolve(io.cwd, options.markdown), `${renderReportMarkdown(report)}\n${renderEmulationMarkdown(result)}`);
  }
  return report.agree ? EXIT_OK : EXIT_FINDING;
}

/** What `--rollout --json` prints: the disruptions' report, the time scale, and the run's wall time. */
export interface LocalDisruptionReport extends DisruptionReport {
  /** Cluster seconds per wall-clock second. */
  readonly timeScale: number;
  readonly controllerLagSeconds: number;
  readonly ratePerSecond: number;
  readonly seconds: { readonly up: number; readonly disruptions: number; readonly total: number };
}

/** Each mode and variant disrupted in turn, on one set of namespaces. */
async function runDisruptionsInside(options: LocalOptions, io: CliIo, started: number): Promise<number> {
  const { settings, subjects } = disruptionSubjects(options, io.env);
  const plan = planRollout(subjects, { vpcCidr: settings.vpcCidr, nodeCount: settings.nodeCount });
  let emulation: Emulation;
  try {
    emulation = await Emulation.up(plan, { idlePods: true });
  } catch (e) {
    throw new CliError(`could not build the namespaces: ${(e as Error).message.split('\n')[0]}`, EXIT_USAGE);
  }
  const up = Date.now();
  const pool = new SandboxPool(plan);
  const summaries: DisruptionSummary[] = [];
  try {
    for (const event of options.events) {
      for (const subject of subjects) {
        if (!options.json) io.stderr(`${subject.mode} (${subject.variant}): ${event} under ${options.rate} requests/s\n`);
        summaries.push(await runDisruption(emulation, plan, pool, subject, { event, controllerLagSeconds: options.controllerLagSeconds, ratePerSecond: options.rate }));
      }
    }
  } catch (e) {
    if (e instanceof Error && !(e instanceof CliError)) throw new CliError(`the emulation failed: ${e.message.split('\n')[0]}`, EXIT_FINDING);
    throw e;
  } finally {
    emulation.down();
  }
  const done = Date.now();
  const report = disruptionReport(summaries);
  const result: LocalDisruptionReport = {
    ...report, timeScale: ROLLOUT_TIME_SCALE, controllerLagSeconds: options.controllerLagSeconds, ratePerSecond: options.rate,
    seconds: { up: (up - started) / 1000, disruptions: (done - up) / 1000, total: (done - started) / 1000 },
  };
  const note = `Emulated: timers ${ROLLOUT_TIME_SCALE} times faster than on a cluster, times in cluster seconds; ` +
    `controller lag ${options.controllerLagSeconds} s; ${options.rate} requests per wall second; ${result.seconds.total.toFixed(1)} s of wall time.\n`;
  io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderDisruptionText(report)}\n${note}`);
  if (options.markdown) {
    writeOutputFile(options.markdown, path.resolve(io.cwd, options.markdown), `${renderDisruptionMarkdown(report)}\n_${note.trim()}_\n`);
  }
  return report.agree ? EXIT_OK : EXIT_FINDING;
}
