import { describePath } from '../../lib/path-model';
import type { LocalReport } from './run';
import { ModeResult, classesText } from '../probe/measure';
import { hopsText, routedHops } from './checks';
import { RowObservation } from './emulation';

function table(rows: readonly (readonly string[])[], indent = '  '): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => indent + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')).join('\n') + '\n';
}

function counts(m: Readonly<Record<string, number>>): string {
  return Object.entries(m).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
}

function modeTitle(mode: ModeResult): string {
  return `${mode.mode}${mode.expected ? ` (${describePath(mode.expected)})` : ''}`;
}

function healthText(o: RowObservation): string {
  return o.targetHealth.map((t) => `${t.name}:${t.port} ${t.state}${t.reason ? ` (${t.reason})` : ''}`).join(', ');
}

/** The report in the terminal: per mode the model's expectation beside the measurement, then what the emulation saw. */
export function renderLocalReport(r: LocalReport): string {
  const out: string[] = [];
  out.push(`eks-lb-lab local: client ${r.emulation.client}; nodes ${r.emulation.nodes.map((n) => `${n.name} ${n.address}`).join(', ')}\n`);
  r.report.modes.forEach((mode, i) => {
    const o = r.emulation.modes[i];
    const m = mode.measured;
    out.push(`\n${modeTitle(mode)}  ${mode.url} → load balancer ${o.loadBalancer.vpcAddress}  ${mode.agree ? 'matches the model' : 'DIFFERS from the model'}\n`);
    out.push(table([['check', 'expected', 'measured', ''], ...mode.checks.map((c) => [c.name, c.expected, c.measured, c.agree ? 'ok' : 'DIFFERS'])]));
    out.push(table([
      ['pods', counts(m.pods)],
      ['nodes', counts(m.nodes)],
      ['TCP peers', `${counts(m.peers)} (${classesText(m.peerClasses)})`],
      ['latency', `p50 ${m.latencyMs.p50} ms, p90 ${m.latencyMs.p90} ms, p99 ${m.latencyMs.p99} ms`],
      ['target health', healthText(o)],
      ...(o.healthCheckNodePort ? [['healthCheckNodePort', o.healthCheckNodePort.map((h) => `${h.node}:${h.port} HTTP ${h.status} localEndpoints=${h.localEndpoints}`).join(', ')]] : []),
      ['SYN TTL at pods', o.podTtl.map((p) => `${p.pod} ${Object.entries(p.synsByTtl).map(([t, n]) => `ttl ${t} ×${n}`).join(' ') || '-'}`).join('; ')],
    ]));
  });
  out.push(`\n${r.report.agree ? 'Every mode matches the model.' : 'At least one mode differs from the model.'} ` +
    `Up ${r.seconds.up.toFixed(1)} s, probing ${r.seconds.probe.toFixed(1)} s.\n`);
  return out.join('');
}

/** The report as markdown, with a diagram of each measured path. */
export function renderLocalMarkdown(r: LocalReport): string {
  const out: string[] = ['# eks-lb-lab local\n'];
  r.report.modes.forEach((mode, i) => {
    const o = r.emulation.modes[i];
    out.push(`\n## ${modeTitle(mode)}: ${mode.agree ? 'matches the model' : 'differs from the model'}\n\n`);
    out.push('| check | expected | measured | |\n|---|---|---|---|\n');
    for (const c of mode.checks) out.push(`| ${c.name} | ${c.expected} | ${c.measured} | ${c.agree ? 'ok' : '**differs**'} |\n`);
    out.push(`\n${mermaid(mode, o)}`);
  });
  return out.join('');
}

function mermaid(mode: ModeResult, o: RowObservation): string {
  const lines = ['```mermaid', 'flowchart LR', `  C[client ${''}] --> LB[load balancer ${o.loadBalancer.vpcAddress}]`];
  const hops = routedHops(o);
  const peers = Object.keys(mode.measured.peers).join(', ');
  if (mode.expected?.targetType === 'ip') {
    lines.push(`  LB -->|src ${peers}| P[pod]`);
  } else {
    lines.push(`  LB --> N[node:NodePort<br/>kube-proxy]`, `  N -->|src ${peers}<br/>${hopsText(hops)}| P[pod]`);
  }
  return [...lines, '```', ''].join('\n');
}
