import { IConstruct } from 'constructs';
import { LabValidationError } from '../../errors';
import { NODE_PORT_RANGE } from '../echo-pod';
import { show } from '../../private/validate';

/** What each cluster's workloads have taken (a NodePort, a namespace), with the path of the construct that took it. */
const CLAIMS = new WeakMap<object, Map<string, string>>();

/**
 * Records that `scope` takes `value` of a cluster-wide kind (`nodePort`, `namespace`) on `cluster`, and throws when
 * another construct took it first: two Services cannot share a NodePort, and two workloads sharing a namespace would
 * delete each other's objects on teardown.
 */
export function claimOnCluster(scope: IConstruct, cluster: object, prop: string, value: string | number, fix: string): void {
  const claims = CLAIMS.get(cluster) ?? new Map<string, string>();
  CLAIMS.set(cluster, claims);
  const key = `${prop}=${value}`;
  const holder = claims.get(key);
  if (holder !== undefined && holder !== scope.node.path) {
    throw new LabValidationError(scope, prop, `is already used on this cluster by ${holder}; got ${show(value)}. ${fix}`);
  }
  claims.set(key, scope.node.path);
}

/**
 * Claims a workload's namespace and, when its Service opens one, its NodePort on `cluster`: what every workload
 * construct that applies a chart to a cluster takes.
 */
export function claimWorkload(scope: IConstruct, cluster: object, chart: { readonly namespaceName: string; readonly nodePort?: number }): void {
  claimOnCluster(scope, cluster, 'namespace', chart.namespaceName,
    'Give each workload its own namespace: teardown deletes the namespace with everything in it.');
  if (chart.nodePort !== undefined) {
    claimOnCluster(scope, cluster, 'nodePort', chart.nodePort,
      `Give each NodePort Service its own port from ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}, or leave 'nodePort' unset.`);
  }
}
