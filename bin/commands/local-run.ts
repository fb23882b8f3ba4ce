import * as path from 'path';
import { App } from 'cdk8s';
import { writeOutputFile } from '../write-output';
import { CliError, CliIo, EXIT_FINDING, EXIT_OK, EXIT_USAGE } from '../cli-io';
import type { LocalOptions } from './local';
import { ContextError, readLabSettings } from '../../lab-stacks/settings';
import { LabValidationError } from '../../lib/errors';
import { expectedPaths } from '../../lib/experiment/path-model';
import { ModeResult, ProbeError, ProbeReport, probePaths } from '../../lib/experiment/probe/measure';
import { emulationChecks } from '../../lib/experiment/local/checks';
import { Emulation, RowObservation } from '../../lib/experiment/local/emulation';
import { runScript } from '../../lib/experiment/local/netns';
import { EmulationPlan, LocalPlanError, localWorkloads, planEmulation } from '../../lib/experiment/local/plan';
import { renderReportMarkdown, renderReportText } from '../../lib/experiment/probe/report';
import { renderEmulationMarkdown, renderEmulationText } from '../../lib/experiment/local/report';

/** Everything the run found, as `--json` prints it: the probe's report plus what the emulation saw. */
export interface LocalReport extends ProbeReport {
  readonly emulation: {
    readonly client: string;
    readonly nodes: readonly { readonly name: string; readonly address: string }[];
    readonly pods: readonly { readonly name: string; readonly namespace: string; readonly node: string; readonly address: string }[];
    readonly modes: readonly RowObservation[];
  };
  readonly seconds: { readonly up: number; readonly probe: number; readonly total: number };
}

/** The run inside its own namespaces: build, probe each mode, report, tear down. */
export async function runInside(options: LocalOptions, io: CliIo): Promise<number> {
  const started = Date.now();
  // As PID 1 of its namespace this process ignores signals it does not handle; exiting takes every agent along.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
  process.stdin.on('end', () => process.exit(129)).on('error', () => process.exit(129)).resume();
  process.stdin.unref();
  await runScript('mkdir -p /run/netns && mount -t tmpfs -o size=1m tmpfs /run/netns');

  const app = new App();
  for (const [k, v] of Object.entries(options.context)) app.node.setContext(k, v);
  let plan: EmulationPlan;
  try {
    const settings = readLabSettings(app.node, io.env);
    plan = planEmulation(localWorkloads(settings, options.modes),
      { vpcCidr: settings.vpcCidr, nodeCount: settings.nodeCount });
  } catch (e) {
    if (e instanceof LabValidationError || e instanceof ContextError || e instanceof LocalPlanError) throw new CliError(e.message);
    throw e;
  }

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
    loadBalancerAddresses: plan.rows.map((r) => r.vpcAddress),
  };
  try {
    for (const row of plan.rows) {
      const expected = expectedPaths(row.workload.objects)[0];
      if (!options.json) io.stderr(`${row.mode}: ${options.requests} requests to ${row.publicAddress}\n`);
      const { measured, observation } = await emulation.runRow(row, expected, (url) => probePaths([{ mode: row.mode, url, expected }], {
        requests: options.requests, concurrency: options.concurrency, keepAlive: options.keepAlive, hints,
      }));
      const result = measured.modes[0];
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
      nodes: plan.nodes.map((n) => ({ name: n.name, address: n.address })),
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
