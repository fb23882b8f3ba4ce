import {
  DisruptionEvent, DisruptionExpectation, DisruptionSummary, FAILURE_KINDS, FailureKind, RequestSample, ShutdownVariant, TimelineSecond,
} from './types';

/** What {@link summarizeDisruption} reads. */
export interface DisruptionInput {
  /** The catalogue's path id. */
  readonly path: string;
  readonly variant: ShutdownVariant;
  readonly event: DisruptionEvent;
  /** Every request of the window, in any order. */
  readonly samples: readonly RequestSample[];
  /** When the disruption began, in milliseconds from the start of the window. @default - none: the load alone */
  readonly eventAtMs?: number;
  /** When the disruption had ended, in milliseconds from the start of the window. @default - unknown */
  readonly eventEndMs?: number;
  /** How long the load ran, so that trailing seconds without requests show. @default - up to the last request's second */
  readonly windowMs?: number;
  /** The model's expectation. @default - none: measured only */
  readonly expectation?: DisruptionExpectation;
  /** What the disruption did, one line each. @default - none */
  readonly notes?: readonly string[];
}

/**
 * Counts a window's requests: successes, failures by kind, one row per second, the pods before and after.
 *
 * Pods before are those that answered before `eventAtMs` (without an event time: in the window's first second);
 * pods after are those that answered from `eventEndMs` on (without an end time: in the window's last second).
 *
 * Against the expectation: `none` agrees only with no failed request; `some` means requests *may* fail, so it agrees
 * with any count, zero included — a rollout that happened to cost nothing does not contradict a model that says it
 * can cost something.
 */
export function summarizeDisruption(input: DisruptionInput): DisruptionSummary {
  const samples = [...input.samples].sort((a, b) => a.startMs - b.startMs);
  const failures = Object.fromEntries(FAILURE_KINDS.map((k) => [k, 0])) as Record<FailureKind, number>;
  for (const s of samples) if (!s.ok) failures[s.failure ?? 'http-other'] += 1;
  const failed = samples.filter((s) => !s.ok).length;

  const lastSampleSecond = samples.length === 0 ? -1 : secondOf(samples[samples.length - 1].startMs);
  const windowSeconds = input.windowMs === undefined ? 0 : Math.ceil(input.windowMs / 1000);
  const seconds = Math.max(lastSampleSecond + 1, windowSeconds);
  const timeline: TimelineSecond[] = Array.from({ length: seconds }, (_, second) => ({ second, ok: 0, failed: 0 }));
  for (const s of samples) {
    const row = timeline[secondOf(s.startMs)] as { ok: number; failed: number };
    if (s.ok) row.ok += 1;
    else row.failed += 1;
  }

  const before = input.eventAtMs ?? 1000;
  const podsBefore = pods(samples.filter((s) => s.startMs < before));
  const after = input.eventEndMs;
  const podsAfter = pods(samples.filter((s) => (after === undefined ? secondOf(s.startMs) === seconds - 1 : s.startMs >= after)));
  const expectation = input.expectation;
  return {
    path: input.path,
    variant: input.variant,
    event: input.event,
    requests: samples.length,
    successes: samples.length - failed,
    failures,
    timeline,
    ...(input.eventAtMs === undefined ? {} : { eventAtMs: input.eventAtMs }),
    ...(input.eventEndMs === undefined ? {} : { eventEndMs: input.eventEndMs }),
    podsBefore,
    podsAfter,
    ...(expectation ? { expectation, agrees: expectation.errors === 'none' ? failed === 0 : true } : {}),
    ...(input.notes && input.notes.length > 0 ? { notes: input.notes } : {}),
  };
}

/** The requests that failed, all kinds together. */
export function failedRequests(summary: DisruptionSummary): number {
  return summary.requests - summary.successes;
}

function secondOf(ms: number): number {
  return Math.max(0, Math.floor(ms / 1000));
}

function pods(samples: readonly RequestSample[]): string[] {
  return [...new Set(samples.filter((s) => s.ok && s.pod !== undefined).map((s) => s.pod!))].sort();
}
