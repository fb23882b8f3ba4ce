import { failedRequests } from './summarize';
import { DisruptionSummary, FAILURE_KINDS, FailureKind } from './types';

/** The disruptions of one run, and whether every measurement agrees with its expectation. */
export interface DisruptionReport {
  readonly summaries: readonly DisruptionSummary[];
  /** No summary contradicts its expectation (summaries without one do not count). */
  readonly agree: boolean;
}

/** Gathers summaries into a report. */
export function disruptionReport(summaries: readonly DisruptionSummary[]): DisruptionReport {
  return { summaries, agree: summaries.every((s) => s.agrees !== false) };
}

const KIND_HEADINGS: Readonly<Record<FailureKind, string>> = {
  'http-502': '502', 'http-503': '503', 'http-504': '504', 'http-other': 'HTTP other', 'reset': 'reset', 'refused': 'refused', 'timeout': 'timeout',
};

const LEGEND = 'one character a second: . all answered, x some failed, X all failed, - no request; ^ the disruption began';

/** The report for a terminal: one table of every path, then per path its timeline, its pods and the model's reasons. */
export function renderDisruptionText(report: DisruptionReport): string {
  const out: string[] = [];
  out.push(...table([
    ['path', 'variant', 'event', 'requests', 'ok', ...FAILURE_KINDS.map((k) => KIND_HEADINGS[k]), 'model', ''],
    ...report.summaries.map((s) => [s.path, s.variant, s.event, String(s.requests), String(s.successes),
      ...FAILURE_KINDS.map((k) => String(s.failures[k])), modelCell(s), verdict(s)]),
  ]), '');
  for (const s of report.summaries) {
    out.push(`${s.path} (${s.variant}, ${s.event})`);
    for (const n of s.notes ?? []) out.push(`  ${n}`);
    const [bar, mark] = timelineBar(s);
    out.push(`  timeline  |${bar}|`);
    if (mark) out.push(`             ${mark}`);
    out.push(`  failures  ${failureSeconds(s)}`);
    out.push(`  pods      before: ${list(s.podsBefore)}`, `            after:  ${list(s.podsAfter)}`);
    if (s.expectation) {
      out.push(`  model     ${s.expectation.errors === 'none' ? 'no request may fail' : 'requests may fail'}:`,
        ...s.expectation.reasons.map((r) => `            - ${r}`));
    }
    out.push('');
  }
  out.push(`(${LEGEND})`, '', conclusion(report));
  return `${out.join('\n')}\n`;
}

/** The report as JSON, for scripts. */
export function renderDisruptionJson(report: DisruptionReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The report as markdown: the table of every path, then per path its timeline, its failed seconds and the model's reasons. */
export function renderDisruptionMarkdown(report: DisruptionReport): string {
  const out: string[] = ['# eks-lb-lab: requests across a disruption', ''];
  out.push(`| path | variant | event | requests | ok | ${FAILURE_KINDS.map((k) => KIND_HEADINGS[k]).join(' | ')} | model | |`,
    `|---|---|---|---:|---:|${FAILURE_KINDS.map(() => '---:|').join('')}---|---|`,
    ...report.summaries.map((s) => `| ${s.path} | ${s.variant} | ${s.event} | ${s.requests} | ${s.successes} | ` +
      `${FAILURE_KINDS.map((k) => s.failures[k]).join(' | ')} | ${modelCell(s)} | ${s.agrees === false ? '**contradicts**' : verdict(s)} |`), '');
  for (const s of report.summaries) {
    const [bar, mark] = timelineBar(s);
    out.push(`## ${s.path} (${s.variant}, ${s.event})`, '');
    if (s.notes) out.push(...s.notes.map((n) => `- ${n}`), '');
    out.push('```text', `|${bar}|`, ...(mark ? [` ${mark}`] : []), '```', '');
    const failing = s.timeline.filter((t) => t.failed > 0);
    if (failing.length > 0) {
      out.push('| second | answered | failed |', '|---:|---:|---:|', ...failing.map((t) => `| ${t.second} | ${t.ok} | ${t.failed} |`), '');
    } else {
      out.push('No request failed.', '');
    }
    out.push(`Pods before: ${list(s.podsBefore, '`')}; after: ${list(s.podsAfter, '`')}.`, '');
    if (s.expectation) {
      out.push(`Model: ${s.expectation.errors === 'none' ? 'no request may fail' : 'requests may fail'}.`, '',
        ...s.expectation.reasons.map((r) => `- ${r}`), '');
    }
  }
  out.push(`_${LEGEND}._`, '', report.agree ? conclusion(report) : `**${conclusion(report)}**`, '');
  return out.join('\n');
}

/** The window as one character a second, and a line with `^` under the second the disruption began. */
export function timelineBar(s: DisruptionSummary): [string, string | undefined] {
  const bar = s.timeline.map((t) => (t.ok + t.failed === 0 ? '-' : t.failed === 0 ? '.' : t.ok === 0 ? 'X' : 'x')).join('');
  const at = s.eventAtMs === undefined ? undefined : Math.min(Math.floor(s.eventAtMs / 1000), Math.max(0, s.timeline.length - 1));
  return [bar, at === undefined ? undefined : `${' '.repeat(at)}^ ${(s.eventAtMs! / 1000).toFixed(1)} s`];
}

function failureSeconds(s: DisruptionSummary): string {
  const failing = s.timeline.filter((t) => t.failed > 0);
  if (failing.length === 0) return 'none';
  const kinds = FAILURE_KINDS.filter((k) => s.failures[k] > 0).map((k) => `${s.failures[k]} ${KIND_HEADINGS[k]}`).join(', ');
  return `${failedRequests(s)} (${kinds}) in second${failing.length > 1 ? 's' : ''} ${failing.map((t) => `${t.second} (${t.failed})`).join(', ')}`;
}

function modelCell(s: DisruptionSummary): string {
  return s.expectation ? (s.expectation.errors === 'none' ? 'none' : 'some') : '-';
}

function verdict(s: DisruptionSummary): string {
  return s.agrees === undefined ? 'measured only' : s.agrees ? 'agrees' : 'CONTRADICTS';
}

function conclusion(report: DisruptionReport): string {
  if (!report.summaries.some((s) => s.agrees !== undefined)) return 'No model to compare with: measured only.';
  return report.agree ? 'The measurements agree with the model.'
    : 'The measurements contradict the model (rows marked CONTRADICTS): requests failed where it expects none.';
}

function list(items: readonly string[], quote = ''): string {
  return items.length === 0 ? '(none)' : items.map((i) => `${quote}${i}${quote}`).join(', ');
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}
