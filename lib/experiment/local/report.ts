import type { ProbeReport } from '../probe/measure';
import { hopsText, routedHops } from './checks';
import { RowObservation } from './emulation';

/** Everything the run found, as `--json` prints it: the probe's report plus what the emulation saw. */
export interface LocalReport extends ProbeReport {
  readonly emulation: {
    readonly client: string;
    readonly nodes: readonly { readonly name: string; readonly address: string; readonly zone: string }[];
    readonly pods: readonly { readonly name: string; readonly namespace: string; readonly node: string; readonly address: string }[];
    readonly modes: readonly RowObservation[];
  };
  readonly seconds: { readonly up: number; readonly probe: number; readonly total: number };
}

/** Facts only the emulation sees, per mode: target health, kube-proxy's health-check node port, hops by SYN TTL. */
function facts(o: RowObservation): string[][] {
  return [
    ['load balancer', `listener ${o.url}, source ${o.loadBalancer.vpcAddress}${o.loadBalancer.interfaces ? ` (${o.loadBalancer.interfaces.map((i) => `${i.zone} ${i.address}`).join(', ')})` : ''}`],
    ['target health', o.targetHealth.map((t) => `${t.name}:${t.port} ${t.state}${t.reason ? ` (${t.reason})` : ''}`).join(', ')],
    ...(o.healthCheckNodePort ? [['healthCheckNodePort', o.healthCheckNodePort
      .map((h) => `${h.node}:${h.port} HTTP ${h.status} localEndpoints=${h.localEndpoints ?? '?'}`).join(', ')]] : []),
    ['SYN TTL at pods', o.podTtl.map((p) => `${p.pod} ${Object.entries(p.synsByTtl).map(([t, n]) => `${t}×${n}`).join(' ') || 'none'}`).join('; ')],
    ['routed hops', `${hopsText(routedHops(o))} (connections, from TTL ${o.initialTtl})`],
  ];
}

function table(rows: readonly (readonly string[])[]): string[] {
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map((r) => `  ${r[0].padEnd(width)}  ${r[1]}`);
}

/** The emulation's own section, printed after the probe's report. */
export function renderEmulationText(r: LocalReport): string {
  const e = r.emulation;
  const out = ['In the emulation:',
    `  client ${e.client}; nodes ${e.nodes.map((n) => `${n.name} ${n.address} (${n.zone})`).join(', ')}`,
    `  pods ${e.pods.map((p) => `${p.namespace}/${p.name} ${p.address} on ${p.node}`).join(', ')}`, ''];
  for (const o of e.modes) out.push(o.mode, ...table(facts(o)), '');
  out.push(`Up in ${r.seconds.up.toFixed(1)} s, probed in ${r.seconds.probe.toFixed(1)} s.`);
  return `${out.join('\n')}\n`;
}

/** The same section in markdown. */
export function renderEmulationMarkdown(r: LocalReport): string {
  const out = ['## In the emulation', '', `Client \`${r.emulation.client}\`; nodes ${r.emulation.nodes.map((n) => `\`${n.name}\` ${n.address}`).join(', ')}.`, ''];
  for (const o of r.emulation.modes) {
    out.push(`### ${o.mode}`, '', '| | |', '|---|---|', ...facts(o).map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`), '');
  }
  return out.join('\n');
}
