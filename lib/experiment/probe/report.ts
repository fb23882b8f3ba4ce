import { describePath } from '../path-model';
import { MeasuredPath, ModeResult, ProbeReport, classesText } from './measure';
import { hopText } from './zones';

/** The report for a terminal: per mode, what was measured, then the model's expectation beside each check. */
export function renderReportText(report: ProbeReport): string {
  const out: string[] = [];
  if (report.clientIp) {
    out.push(`caller's address: ${report.clientIp.address} (${report.clientIp.source === 'given' ? 'given' : 'inferred from X-Forwarded-For'})`, '');
  }
  for (const m of report.modes) {
    out.push(`${m.mode}${m.expected ? ` — ${describePath(m.expected)}` : ''}  ${m.url}`);
    out.push(...table([
      ['requests', `${m.measured.answered}/${m.measured.requests} answered`],
      ['pods', spread(m.measured.pods)],
      ['nodes', spread(m.measured.nodes)],
      ['TCP peers', spread(m.measured.peers)],
      ['latency', latency(m.measured)],
      ...zoneRows(m),
    ]).map((l) => `  ${l}`));
    if (m.checks.length > 0) {
      out.push(...table([
        ['check', 'model', 'measured', ''],
        ...m.checks.map((c) => [c.name, c.expected, c.measured, c.agree ? 'agrees' : 'DIFFERS']),
      ]).map((l) => `  ${l}`));
    } else {
      out.push('  no model for this mode: measured only');
    }
    out.push('');
  }
  const zones = zoneTable(report);
  if (zones.length > 0) out.push('Zones:', ...table([[...ZONE_TABLE_COLUMNS], ...zones]).map((l) => `  ${l}`), '');
  out.push(report.agree ? 'The measurements agree with the model.' : 'The measurements differ from the model (rows marked DIFFERS).');
  return `${out.join('\n')}\n`;
}

/** The report as JSON, for scripts. */
export function renderReportJson(report: ProbeReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The report as markdown: a table per mode and a mermaid diagram of each measured path. */
export function renderReportMarkdown(report: ProbeReport): string {
  const out: string[] = ['# eks-lb-lab probe', ''];
  if (report.clientIp) {
    out.push(`Caller's address: \`${report.clientIp.address}\` (${report.clientIp.source === 'given' ? 'given' : 'inferred from X-Forwarded-For'}).`, '');
  }
  for (const m of report.modes) {
    out.push(`## ${m.mode}${m.expected ? `: ${describePath(m.expected)}` : ''}`, '', `\`${m.url}\``, '');
    out.push('| measured | |', '|---|---|',
      `| requests | ${m.measured.answered}/${m.measured.requests} answered |`,
      `| pods | ${cell(spread(m.measured.pods))} |`,
      `| nodes | ${cell(spread(m.measured.nodes))} |`,
      `| TCP peers | ${cell(spread(m.measured.peers))} |`,
      `| latency | ${latency(m.measured)} |`, ...zoneRows(m).map(([k, v]) => `| ${k} | ${cell(v)} |`), '');
    if (m.checks.length > 0) {
      out.push('| check | model | measured | |', '|---|---|---|---|',
        ...m.checks.map((c) => `| ${cell(c.name)} | ${cell(c.expected)} | ${cell(c.measured)} | ${c.agree ? 'agrees' : '**differs**'} |`), '');
    }
    out.push('```mermaid', ...mermaid(m), '```', '');
  }
  const zones = zoneTableMarkdown(report);
  if (zones !== '') out.push('## Zones', '', zones);
  out.push(report.agree ? 'The measurements agree with the model.' : '**The measurements differ from the model.**', '');
  return out.join('\n');
}

/**
 * The zone rows of a mode, when zones were measured: where the pods were, how many requests a pod in the caller-facing
 * zone served, the hops that crossed zones, the sizes and the inter-zone transfer estimate.
 */
export function zoneRows(m: ModeResult): [string, string][] {
  const z = m.measured.zones;
  if (!z) return [];
  const caller = z.callerZone.observed === 0 ? 'not observable (the pod does not see the load balancer)'
    : `${z.callerZone.sameZone}/${z.callerZone.observed} served in it, ${z.callerZone.observed - z.callerZone.sameZone} in another zone`;
  const rows: [string, string][] = [
    ['pod zones', spread(z.podZones)],
    ["caller's zone", caller],
    ['zone crossings', `load balancer → target ${hopText(z.loadBalancerToTarget)}, node → pod ${hopText(z.nodeToPod, 'no node hop')}`],
    ['HTTP sizes', `request ${z.bytes.request} B, response ${z.bytes.response} B`],
  ];
  const c = m.zoneCost;
  if (c) {
    rows.push(['inter-zone cost', `${costText(c)} per million requests (${c.gbPerMillionRequests.toFixed(4)} GB across zones, ` +
      `$${c.pricePerGb}/GB each way${c.complete ? '' : '; a lower bound: a billed hop was not observable'})`]);
  }
  return rows;
}

function costText(c: NonNullable<ModeResult['zoneCost']>): string {
  return `${c.complete ? '' : '≥ '}$${c.perMillionRequests.toFixed(4)}`;
}

/** Column headings of {@link zoneTable}. */
export const ZONE_TABLE_COLUMNS = [
  'path', 'pods by zone', "served in the caller's zone", 'load balancer → target crossed', 'node → pod crossed', 'request / response',
  'inter-zone $ per million requests',
] as const;

/** One row per mode whose zones were measured, in the order of {@link ZONE_TABLE_COLUMNS}. */
export function zoneTable(report: ProbeReport): string[][] {
  return report.modes.flatMap((m) => {
    const z = m.measured.zones;
    if (!z) return [];
    return [[
      m.expected ? `${m.mode} (${describePath(m.expected)})` : m.mode,
      Object.entries(z.podZones).sort().map(([zone, n]) => `${zone} ${n}`).join(', ') || 'none',
      z.callerZone.observed === 0 ? 'not observable' : `${z.callerZone.sameZone}/${z.callerZone.observed}`,
      hopText(z.loadBalancerToTarget),
      hopText(z.nodeToPod, 'no node hop'),
      `${z.bytes.request} B / ${z.bytes.response} B`,
      m.zoneCost ? costText(m.zoneCost) : '',
    ]];
  });
}

/** The zone table as GitHub markdown; empty when no mode measured zones. */
export function zoneTableMarkdown(report: ProbeReport): string {
  const rows = zoneTable(report);
  if (rows.length === 0) return '';
  return [ZONE_TABLE_COLUMNS as readonly string[], ZONE_TABLE_COLUMNS.map(() => '---'), ...rows].map((r) => `| ${r.map(cell).join(' | ')} |`).join('\n') + '\n';
}

/** A flowchart of the path the mode took, labelled with what was measured on each hop. */
function mermaid(m: ModeResult): string[] {
  const lb = m.expected?.loadBalancer ?? 'load balancer';
  const peers = classesText(m.measured.peerClasses);
  const pods = `[${label(`pods: ${spread(m.measured.pods)}`)}]`;
  const lines = ['flowchart LR', `  client[${label('client')}] --> lb[${label(lb)}]`];
  if (m.expected?.targetType === 'instance') {
    const nodes = m.measured.crossNode.observed > 0
      ? `cross-node ${m.measured.crossNode.crossed}/${m.measured.crossNode.observed}` : 'cross-node not observable';
    const port = m.expected.targetGroup.port;
    const node = typeof port === 'number' ? `node:${port}` : 'node';
    lines.push(`  lb --> node[${label(`${node}, kube-proxy DNAT${m.expected.nodeSnat ? ' + SNAT' : ''}`)}]`);
    lines.push(`  node -->|${label(`pod saw: ${peers}; ${nodes}`)}| pod${pods}`);
  } else {
    lines.push(`  lb -->|${label(`pod saw: ${peers}`)}| pod${pods}`);
  }
  return lines;
}

/** A mermaid label in quotes, so that spaces, colons and parentheses need no escaping. */
function label(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function spread(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return 'none';
  const shown = entries.slice(0, 6).map(([k, n]) => `${k} ${n}`);
  return entries.length > 6 ? `${shown.join(', ')}, and ${entries.length - 6} more` : shown.join(', ');
}

function latency(m: MeasuredPath): string {
  return `p50 ${m.latencyMs.p50} ms, p90 ${m.latencyMs.p90} ms, p99 ${m.latencyMs.p99} ms`;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
}
