import { ExpectedPath } from '../path-model';
import type { ProbeCheck } from '../probe/measure';
import { RowObservation } from './emulation';
import { nodePortService } from './emulation';
import { EmulationPlan, RowPlan, podsOfRow } from './plan';

/** Routed hops from the load balancer to the pod, by SYN count: sender's TTL minus the TTL arriving at the pod. */
export function routedHops(observation: RowObservation): Record<number, number> {
  const hops: Record<number, number> = {};
  for (const pod of observation.podTtl) {
    for (const [ttl, count] of Object.entries(pod.synsByTtl)) {
      const n = observation.initialTtl - Number(ttl);
      hops[n] = (hops[n] ?? 0) + count;
    }
  }
  return hops;
}

/** Text of a hop histogram: `1 hop ×12, 2 hops ×3`. */
export function hopsText(hops: Readonly<Record<number, number>>): string {
  const parts = Object.entries(hops).sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([n, count]) => `${n} hop${n === '1' ? '' : 's'} ×${count}`);
  return parts.length === 0 ? 'no connections seen' : parts.join(', ');
}

/**
 * What only the emulation can see, against the model: which targets pass the health check, and how many routers
 * the connections to the pod crossed (the pod's node; one more when kube-proxy sent it on to another node).
 */
export function emulationChecks(expected: ExpectedPath, observation: RowObservation, plan: EmulationPlan, row: RowPlan): ProbeCheck[] {
  const pods = podsOfRow(plan, row);
  const svc = nodePortService(row, pods);
  const withLocal = new Set(pods.map((p) => p.node.name));
  const expectedHealthy = row.targets.filter((t) => {
    switch (expected.targetGroup.healthyTargets) {
      case 'ready-pods':
      case 'every-node':
        return true;
      case 'nodes-with-local-endpoints':
        return svc !== undefined && withLocal.has(t.name);
    }
  }).map((t) => t.name).sort();
  const healthy = observation.targetHealth.filter((t) => t.state === 'healthy').map((t) => t.name).sort();
  const unhealthy = observation.targetHealth.filter((t) => t.state !== 'healthy').map((t) => `${t.name} (${t.reason ?? t.state})`);

  const hops = routedHops(observation);
  // An ALB ends the connection, so its packets start at the ALB; an NLB routes the client's packets, one hop more.
  const first = row.loadBalancer === 'NLB' ? 2 : 1;
  const allowed = expected.crossNode ? [first, first + 1] : [first];
  const seen = Object.keys(hops).map(Number);
  return [
    {
      name: 'healthy targets',
      expected: `${expectedHealthy.length}/${row.targets.length}`,
      measured: `${healthy.length}/${row.targets.length}${unhealthy.length > 0 ? `; unhealthy: ${unhealthy.join(', ')}` : ''}`,
      agree: JSON.stringify(healthy) === JSON.stringify(expectedHealthy),
    },
    {
      name: 'routed hops to the pod',
      expected: allowed.join(' or '),
      measured: hopsText(hops),
      agree: seen.length > 0 && seen.every((n) => allowed.includes(n)),
    },
  ];
}
