// Types only: the Kubernetes client loads with the actions, not with the toolkit.
import type { DisruptionActions, WorkloadRef } from './kube';
import { checkLoadTarget, startLoad } from './load';
import { summarizeDisruption } from './summarize';
import { DisruptionEvent, DisruptionExpectation, DisruptionSummary, ShutdownVariant } from './types';

/** One deployed path to disrupt. */
export interface DisruptionTarget {
  /** The catalogue's path id. */
  readonly path: string;
  readonly url: string;
  readonly variant: ShutdownVariant;
  /** The Deployment whose pods serve the path. */
  readonly workload: WorkloadRef;
  /** What the model expects of each event. @default - none: measured only */
  readonly expectation?: (event: DisruptionEvent) => DisruptionExpectation;
}

/** How to load a path while it is disrupted. */
export interface DisruptionLoadOptions {
  readonly ratePerSecond: number;
  /** The window in milliseconds: the least time the load runs. */
  readonly windowMs: number;
  /** Per-request deadline in milliseconds. @default 5000 */
  readonly timeoutMs?: number;
  /** Reuse connections. @default false */
  readonly keepAlive?: boolean;
  /** Called as the window moves on, for progress lines. @default - silent */
  readonly onStep?: (line: string) => void;
}

/**
 * How long the load runs undisturbed before the disruption, and at least after it ends: a fifth of the window,
 * 5 s at most.
 */
export function settleMs(windowMs: number): number {
  return Math.min(5000, Math.round(windowMs / 5));
}

/**
 * Loads the path's URL at a steady rate and, {@link settleMs} into the window, disrupts it: `rollout` restarts the
 * Deployment and waits for the rollout; `drain` drains the node running most of its pods and uncordons it;
 * `load-only` leaves the change to the user. The window runs on until {@link settleMs} after the disruption ended.
 * The URL must answer like the echo server before anything is disrupted.
 */
export async function measureDisruption(target: DisruptionTarget, event: DisruptionEvent, actions: DisruptionActions | undefined,
  options: DisruptionLoadOptions): Promise<DisruptionSummary> {
  if (event !== 'load-only' && !actions) throw new Error(`a ${event} needs the cluster's Kubernetes actions`);
  const timeoutMs = options.timeoutMs ?? 5000;
  await checkLoadTarget(target.path, target.url, timeoutMs);
  const step = options.onStep ?? (() => undefined);
  const load = startLoad({ url: target.url, ratePerSecond: options.ratePerSecond, windowMs: options.windowMs, timeoutMs, keepAlive: options.keepAlive });
  const settle = settleMs(options.windowMs);
  const notes: string[] = [];
  let eventAtMs: number | undefined;
  let eventEndMs: number | undefined;
  try {
    if (event !== 'load-only') {
      await sleep(settle - load.elapsedMs());
      load.hold();
      eventAtMs = load.elapsedMs();
      if (event === 'rollout') {
        step(`${target.path}: rollout restart of deployment ${target.workload.namespace}/${target.workload.name}`);
        await actions!.restart(target.workload);
        await actions!.waitForRollout(target.workload);
        notes.push(`rollout restart of deployment ${target.workload.namespace}/${target.workload.name}: ` +
          `rolled out ${seconds(load.elapsedMs() - eventAtMs)} after the restart`);
      } else {
        const node = await actions!.busiestNode(target.workload);
        step(`${target.path}: draining node ${node}`);
        const drained = await actions!.drain(node, target.workload);
        notes.push(`drained node ${node}: ${drained.evicted.length} pod${drained.evicted.length === 1 ? '' : 's'} evicted` +
          `${drained.budgetRefusals > 0 ? ` (${drained.budgetRefusals} eviction${drained.budgetRefusals === 1 ? '' : 's'} held by a PodDisruptionBudget first)` : ''}, ` +
          `the deployment whole again ${seconds(load.elapsedMs() - eventAtMs)} after the drain began, ` +
          `${drained.wasCordoned ? 'the node left cordoned as it was' : 'the node uncordoned'}`);
      }
      eventEndMs = load.elapsedMs();
      load.extendTo(eventEndMs + settle);
    }
  } catch (error) {
    load.stop();
    await load.done;
    throw error;
  }
  const samples = await load.done;
  return summarizeDisruption({
    path: target.path, variant: target.variant, event, samples, eventAtMs, eventEndMs, windowMs: load.windowMs(),
    expectation: target.expectation?.(event), notes,
  });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
