import { failedRequests, summarizeDisruption } from '../../../../lib/experiment/disruption/summarize';
import { DisruptionExpectation, RequestSample } from '../../../../lib/experiment/disruption/types';

const ok = (startMs: number, pod: string): RequestSample => ({ startMs, ok: true, status: 200, pod });
const fail = (startMs: number, failure: RequestSample['failure'], status?: number): RequestSample =>
  ({ startMs, ok: false, failure, ...(status ? { status } : {}) });

// Two old pods until 1.5 s, 502s and resets while they go, a new pod from 2.5 s.
const SAMPLES: RequestSample[] = [
  ok(2600, 'echo-new'), ok(100, 'echo-a'), ok(600, 'echo-b'), ok(1200, 'echo-a'), fail(1600, 'http-502', 502), fail(1700, 'http-502', 502),
  fail(1800, 'reset'), fail(2100, 'timeout'), ok(2900, 'echo-new'),
];
const none: DisruptionExpectation = { event: 'rollout', errors: 'none', reasons: ['readiness gates hold the old pods until their targets drain'] };
const some: DisruptionExpectation = { event: 'rollout', errors: 'some', reasons: ['the controller deregisters seconds after the endpoints change'] };

describe('summarizeDisruption', () => {
  test('counts by kind, one row a second, pods before the event and in the last second', () => {
    const s = summarizeDisruption({ path: 'ip', variant: 'naive', event: 'rollout', samples: SAMPLES, eventAtMs: 1500, windowMs: 4000 });
    expect([s.requests, s.successes, failedRequests(s)]).toEqual([9, 5, 4]);
    expect(s.failures).toEqual({ 'http-502': 2, 'http-503': 0, 'http-504': 0, 'http-other': 0, 'reset': 1, 'refused': 0, 'timeout': 1 });
    expect(s.timeline).toEqual([
      { second: 0, ok: 2, failed: 0 }, { second: 1, ok: 1, failed: 3 }, { second: 2, ok: 2, failed: 1 }, { second: 3, ok: 0, failed: 0 }]);
    expect([s.podsBefore, s.eventAtMs]).toEqual([['echo-a', 'echo-b'], 1500]);
    // The window ran to 4 s; its last second had no request.
    expect(s.podsAfter).toEqual([]);
    expect(s).not.toHaveProperty('agrees');
  });

  test('without a window the timeline ends at the last request; without an event, pods before are the first second\'s', () => {
    const s = summarizeDisruption({ path: 'ip', variant: 'naive', event: 'load-only', samples: SAMPLES });
    expect(s.timeline.map((t) => t.second)).toEqual([0, 1, 2]);
    expect([s.podsBefore, s.podsAfter]).toEqual([['echo-a', 'echo-b'], ['echo-new']]);
    expect(s).not.toHaveProperty('eventAtMs');
  });

  test('with an end time, pods after are those that answered from it on', () => {
    const s = summarizeDisruption({ path: 'ip', variant: 'naive', event: 'rollout', samples: SAMPLES, eventAtMs: 1500, eventEndMs: 2500, windowMs: 4000 });
    expect([s.podsBefore, s.podsAfter, s.eventEndMs]).toEqual([['echo-a', 'echo-b'], ['echo-new'], 2500]);
  });

  test('`none` agrees only with no failure; `some` means may fail and agrees with any count', () => {
    const clean = SAMPLES.filter((x) => x.ok);
    const agrees = (samples: RequestSample[], expectation: DisruptionExpectation) =>
      summarizeDisruption({ path: 'ip', variant: 'graceful', event: 'rollout', samples, expectation }).agrees;
    expect([agrees(clean, none), agrees(SAMPLES, none), agrees(clean, some), agrees(SAMPLES, some)]).toEqual([true, false, true, true]);
  });

  test('a failure without a kind counts as HTTP other; an empty window is all zeros', () => {
    expect(summarizeDisruption({ path: 'x', variant: 'naive', event: 'drain', samples: [{ startMs: 0, ok: false }] }).failures['http-other']).toBe(1);
    const empty = summarizeDisruption({ path: 'x', variant: 'naive', event: 'drain', samples: [], windowMs: 2000, expectation: none });
    expect([empty.requests, empty.timeline.length, empty.agrees]).toEqual([0, 2, true]);
  });
});
