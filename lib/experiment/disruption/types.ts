/**
 * What a disruption (a Deployment's rollout or a node's drain) costs the requests that cross it: the shared
 * vocabulary of the model, the probe on AWS and the offline emulation, so that all three report one table.
 */

/** What happens to the path's pods while the load runs; `load-only` when the user starts the change. */
export type DisruptionEvent = 'rollout' | 'drain' | 'load-only';

/**
 * How the lab shuts its echo pods down: `graceful` is the production practice (readiness gates for ip targets,
 * a preStop delay covering the deregistration lag, a grace period covering the preStop, a short deregistration
 * delay); `naive` keeps Kubernetes' and AWS's defaults.
 */
export type ShutdownVariant = 'graceful' | 'naive';

/** Why a request failed, as the client saw it. */
export type FailureKind = 'http-502' | 'http-503' | 'http-504' | 'http-other' | 'reset' | 'refused' | 'timeout';

/** Every failure kind, in report order. */
export const FAILURE_KINDS: readonly FailureKind[] = ['http-502', 'http-503', 'http-504', 'http-other', 'reset', 'refused', 'timeout'];

/** One request of the steady load. */
export interface RequestSample {
  /** When the request started, in milliseconds from the start of the window. */
  readonly startMs: number;
  /** Whether the request got a 2xx answer from an echo pod. */
  readonly ok: boolean;
  /** Why it failed, when it did. */
  readonly failure?: FailureKind;
  /** The HTTP status, when an answer came. */
  readonly status?: number;
  /** The pod that answered (its name from the echo body), when one did. */
  readonly pod?: string;
}

/** What the model expects a disruption to cost on one path and variant. */
export interface DisruptionExpectation {
  readonly event: DisruptionEvent;
  /** `none`: no request may fail; `some`: failures are expected (the reasons say why). */
  readonly errors: 'none' | 'some';
  /** One sentence per mechanism that decides it, citing the behaviour it rests on. */
  readonly reasons: readonly string[];
}

/** One second of the window. */
export interface TimelineSecond {
  readonly second: number;
  readonly ok: number;
  readonly failed: number;
}

/** The measured cost of one disruption on one path. */
export interface DisruptionSummary {
  /** The catalogue's path id. */
  readonly path: string;
  readonly variant: ShutdownVariant;
  readonly event: DisruptionEvent;
  readonly requests: number;
  readonly successes: number;
  readonly failures: Readonly<Record<FailureKind, number>>;
  /** Seconds of the window, from 0, in order; seconds without requests are included. */
  readonly timeline: readonly TimelineSecond[];
  /** When the disruption began, in milliseconds from the start of the window. */
  readonly eventAtMs?: number;
  /** When the disruption had ended (the rollout done, the drained node's pods back), where that is known. */
  readonly eventEndMs?: number;
  /**
   * The pods that answered before the disruption began, and those that answered after it ended (without an end time:
   * in the window's last second).
   */
  readonly podsBefore: readonly string[];
  readonly podsAfter: readonly string[];
  readonly expectation?: DisruptionExpectation;
  /** Whether the measurement agrees with the expectation (`undefined` without one). */
  readonly agrees?: boolean;
  /** What the disruption did, one line each (e.g. the node drained and the pods evicted). */
  readonly notes?: readonly string[];
}
