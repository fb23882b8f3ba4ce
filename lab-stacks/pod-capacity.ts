import { Annotations, Stack } from 'aws-cdk-lib';
import type { Chart } from 'cdk8s';
import type { LabCluster } from '../lib';
import { ContextError } from './settings';

/** The lab's add-ons that run a DaemonSet, a pod on every node: the VPC CNI's aws-node, kube-proxy, the Pod Identity agent. */
export const DAEMONSET_ADDONS = ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent'];

/** Deployment pods of the cluster stack: CoreDNS (the add-on's 2 replicas) and the controller (the chart's replicaCount, 2). */
export const SYSTEM_DEPLOYMENT_PODS = 4;

/** A lab stack and the chart its pods come from. */
export interface PodStack {
  readonly stack: Stack;
  readonly chart: Chart;
}

/** The Deployments of a chart, and their pods. */
export function deploymentPods(chart: Chart): { readonly deployments: number; readonly pods: number } {
  const deployments = chart.toJson().filter((o: { kind?: string }) => o.kind === 'Deployment');
  return { deployments: deployments.length, pods: deployments.reduce((sum: number, o: { spec?: { replicas?: number } }) => sum + (o.spec?.replicas ?? 1), 0) };
}

/**
 * Refuses a stack whose echo pods cannot all be scheduled beside the system pods (they would stay Pending, and the
 * load balancer's targets with them), and warns when the stacks together exceed the nodes, as `npm run deploy` puts
 * them all on one cluster. Nothing is checked for an instance type EKS's table lacks.
 */
export function checkPodCapacity(cluster: LabCluster, stacks: readonly PodStack[], instanceType: string): void {
  const perNode = cluster.maxPodsPerNode;
  if (perNode === undefined) return;
  const nodes = cluster.nodeCount;
  const system = nodes * DAEMONSET_ADDONS.filter((name) => Object.hasOwn(cluster.addons, name)).length + SYSTEM_DEPLOYMENT_PODS;
  const free = nodes * perNode - system;
  const room = `beside the ${system} system pods on ${nodes} ${instanceType} node${nodes === 1 ? '' : 's'}, which take ` +
    `${perNode} pods each under the VPC CNI's one address per pod (${nodes * perNode} in all)`;
  const fix = 'add nodes with -c nodeCount, or pick a larger -c nodeInstanceType';
  const counted = stacks.map(({ stack, chart }) => ({ stack, ...deploymentPods(chart) }));
  for (const { stack, pods, deployments } of counted) {
    if (pods <= free) continue;
    if (free < deployments) {
      throw new ContextError(`Context 'nodeInstanceType' is too small for the lab: ${nodes} ${instanceType} node` +
        `${nodes === 1 ? '' : 's'} take ${perNode} pods each under the VPC CNI's one address per pod (${nodes * perNode} in all), ` +
        `and the ${system} system pods leave no room for ${stack.stackName}'s echo pods; got '${instanceType}'. ` +
        `Pick a type with more pods per node, such as t3.medium (17), or add nodes with -c nodeCount.`);
    }
    throw new ContextError(`Context 'replicas' is too large for the nodes: ${stack.stackName}'s ${pods} echo pods do not fit ` +
      `${room}; got ${pods / deployments}. Use at most ${Math.floor(free / deployments)}, or ${fix}.`);
  }
  const total = counted.reduce((sum, { pods }) => sum + pods, 0);
  if (total > free) {
    Annotations.of(cluster).addWarningV2('eks-lb-lab:podCapacity', `The lab stacks' ${total} echo pods do not all fit ${room}: ` +
      `deploying every stack leaves ${total - free} Pending. Deploy fewer stacks, lower -c replicas, or ${fix}.`);
  }
}
