import {
  disruptionReport, renderDisruptionJson, renderDisruptionMarkdown, renderDisruptionText, timelineBar,
} from '../../../../lib/experiment/disruption/report';
import { summarizeDisruption } from '../../../../lib/experiment/disruption/summarize';
import { RequestSample } from '../../../../lib/experiment/disruption/types';

const ok = (startMs: number, pod: string): RequestSample => ({ startMs, ok: true, status: 200, pod });
const naive = summarizeDisruption({
  path: 'ip', variant: 'naive', event: 'rollout', eventAtMs: 1200, windowMs: 4000,
  samples: [ok(100, 'echo-a'), ok(1100, 'echo-a'), { startMs: 1500, ok: false, failure: 'http-502', status: 502 },
    { startMs: 2200, ok: false, failure: 'reset' }, { startMs: 2300, ok: false, failure: 'reset' }, ok(3500, 'echo-b')],
  expectation: { event: 'rollout', errors: 'none', reasons: ['the model says none'] },
});
const graceful = summarizeDisruption({
  path: 'instance', variant: 'graceful', event: 'rollout', eventAtMs: 0, windowMs: 2000,
  samples: [ok(10, 'echo-c'), ok(1500, 'echo-d')],
  expectation: { event: 'rollout', errors: 'some', reasons: ['conntrack keeps connections to the old pod'] },
});
const measuredOnly = summarizeDisruption({ path: 'nlb-ip', variant: 'graceful', event: 'load-only', samples: [ok(0, 'echo-e')] });

describe('the disruption report', () => {
  test('agrees unless a summary contradicts its expectation', () => {
    expect(disruptionReport([graceful, measuredOnly]).agree).toBe(true);
    expect(disruptionReport([naive, graceful]).agree).toBe(false);
  });

  test('the timeline: a character a second and a caret under the second the disruption began', () => {
    expect(timelineBar(naive)).toEqual(['.xX.', ' ^ 1.2 s']);
    expect(timelineBar(measuredOnly)).toEqual(['.', undefined]);
    const quiet = summarizeDisruption({ path: 'ip', variant: 'naive', event: 'load-only', samples: [ok(0, 'a'), ok(2500, 'a')], windowMs: 4000 });
    expect(timelineBar(quiet)).toEqual(['.-.-', undefined]);
  });

  test('text: the table by kind, then per path the timeline, the failed seconds, the pods and the model', () => {
    const text = renderDisruptionText(disruptionReport([naive, graceful, measuredOnly]));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^path\s+variant\s+event\s+requests\s+ok\s+502\s+503\s+504\s+HTTP other\s+reset\s+refused\s+timeout\s+model$/);
    expect(lines[1]).toMatch(/^ip\s+naive\s+rollout\s+6\s+3\s+1\s+0\s+0\s+0\s+2\s+0\s+0\s+none\s+CONTRADICTS$/);
    expect(lines[2]).toMatch(/^instance\s+graceful\s+rollout\s+2\s+2\s+(0\s+){7}some\s+agrees$/);
    expect(lines[3]).toMatch(/^nlb-ip\s+graceful\s+load-only\s+1\s+1\s+(0\s+){7}-\s+measured only$/);
    expect(text).toContain('  timeline  |.xX.|\n              ^ 1.2 s\n');
    expect(text).toContain('  failures  3 (1 502, 2 reset) in seconds 1 (1), 2 (2)\n');
    expect(text).toContain('  pods      before: echo-a\n            after:  echo-b\n');
    expect(text).toContain('  model     no request may fail:\n            - the model says none\n');
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/contradict the model/);
    expect(renderDisruptionText(disruptionReport([measuredOnly]))).toMatch(/No model to compare with: measured only.\n$/);
  });

  test('JSON carries every count; markdown the table, the timeline and the failed seconds', () => {
    const report = disruptionReport([naive, graceful]);
    expect(JSON.parse(renderDisruptionJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
    const md = renderDisruptionMarkdown(report);
    expect(md).toContain('| ip | naive | rollout | 6 | 3 | 1 | 0 | 0 | 0 | 2 | 0 | 0 | none | **contradicts** |');
    expect(md).toContain('## ip (naive, rollout)\n\n```text\n|.xX.|\n  ^ 1.2 s\n```\n\n| second | answered | failed |\n|---:|---:|---:|\n| 1 | 1 | 1 |\n| 2 | 0 | 2 |\n');
    expect(md).toContain('## instance (graceful, rollout)\n\n```text\n|..|\n ^ 0.0 s\n```\n\nNo request failed.\n');
    expect(md).toContain('- conntrack keeps connections to the old pod');
  });
});
