import * as k8s from '@kubernetes/client-node';
import { UserError } from '../../errors';

/** A Kubernetes action of the disruption could not be done or did not finish; one line for the user. */
export class DisruptionActionError extends UserError {}

/** The annotation `kubectl rollout restart` sets on the pod template; a new value makes a new ReplicaSet. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/** How long to wait, and how often to look. */
export interface WaitOptions {
  /** Time between reads of the API. @default 250 */
  readonly pollMs?: number;
  /** How long the action may take before it is given up. @default 600000 */
  readonly timeoutMs?: number;
  /** Time between tries of an eviction a PodDisruptionBudget refused (429), as `kubectl drain` waits. @default 5000 */
  readonly evictionRetryMs?: number;
}

/** The Deployment behind a lab path. */
export interface WorkloadRef {
  readonly namespace: string;
  readonly name: string;
}

/** What a drain did. */
export interface DrainResult {
  readonly node: string;
  /** `<namespace>/<name>` of each evicted pod, in eviction order. */
  readonly evicted: readonly string[];
  /** Evictions a PodDisruptionBudget refused (429) before it let them through. */
  readonly budgetRefusals: number;
  /** The node was cordoned before the drain, so it is left cordoned. */
  readonly wasCordoned: boolean;
}

/**
 * The Kubernetes side of a disruption, through the user's kubeconfig: `rollout restart` of a path's Deployment,
 * waiting for the rollout, and a node drain (cordon, evictions, uncordon).
 */
export class DisruptionActions {
  private readonly apps: k8s.AppsV1Api;
  private readonly core: k8s.CoreV1Api;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly evictionRetryMs: number;

  constructor(private readonly kc: k8s.KubeConfig, options: WaitOptions = {}) {
    this.apps = kc.makeApiClient(k8s.AppsV1Api);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.pollMs = options.pollMs ?? 250;
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.evictionRetryMs = options.evictionRetryMs ?? 5000;
  }

  /**
   * `kubectl rollout restart deployment/<name>`: a strategic merge patch of the pod template's
   * {@link RESTARTED_AT_ANNOTATION} with the time (RFC 3339, seconds), so the Deployment rolls its pods by its own
   * surge and unavailability rules.
   */
  async restart(workload: WorkloadRef, at: Date = new Date()): Promise<void> {
    const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: at.toISOString().replace(/\.\d{3}Z$/, 'Z') } } } } };
    await this.call(`rollout restart of deployment ${ref(workload)}`, () => this.apps.patchNamespacedDeployment(
      { name: workload.name, namespace: workload.namespace, body }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)));
  }

  /**
   * Waits until the Deployment has rolled out as `kubectl rollout status` decides (its controller has seen the
   * latest spec; every replica updated and available; no old replica left) and none of its pods is still
   * terminating, since a pod in its preStop or grace period may still be a target.
   */
  async waitForRollout(workload: WorkloadRef): Promise<void> {
    const what = `the rollout of deployment ${ref(workload)}`;
    await this.until(what, async () => {
      const d = await this.call(`reading deployment ${ref(workload)}`, () => this.apps.readNamespacedDeployment(workload));
      const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
      if (progressing?.reason === 'ProgressDeadlineExceeded') {
        throw new DisruptionActionError(`${what} exceeded its progress deadline: ${progressing.message ?? 'no message'}; ` +
          `see \`kubectl -n ${workload.namespace} describe deployment ${workload.name}\`.`);
      }
      if (!rolledOut(d)) return false;
      const pods = await this.podsOf(workload, d);
      return pods.every((p) => !p.metadata?.deletionTimestamp);
    });
  }

  /** The Deployment's pods, by its selector. */
  async podsOf(workload: WorkloadRef, deployment?: k8s.V1Deployment): Promise<k8s.V1Pod[]> {
    const d = deployment ?? await this.call(`reading deployment ${ref(workload)}`, () => this.apps.readNamespacedDeployment(workload));
    const labelSelector = selectorText(d.spec?.selector);
    const list = await this.call(`listing the pods of deployment ${ref(workload)}`,
      () => this.core.listNamespacedPod({ namespace: workload.namespace, labelSelector }));
    return list.items;
  }

  /** The node that runs most of the Deployment's running pods (by name on a tie). */
  async busiestNode(workload: WorkloadRef): Promise<string> {
    const counts = new Map<string, number>();
    for (const p of await this.podsOf(workload)) {
      const node = p.spec?.nodeName;
      if (node && p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp) counts.set(node, (counts.get(node) ?? 0) + 1);
    }
    const best = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    if (!best) throw new DisruptionActionError(`deployment ${ref(workload)} has no running pod on any node to drain.`);
    return best[0];
  }

  /**
   * `kubectl drain <node> --ignore-daemonsets --delete-emptydir-data`, then waits for the Deployment to be whole
   * again elsewhere, then uncordons (unless the node was cordoned before). Evictions go through the Eviction API, so
   * PodDisruptionBudgets hold: a 429 is tried again every `evictionRetryMs` until the timeout. DaemonSet and mirror
   * pods stay, finished ones are left alone; a pod that no controller owns stops the drain before the node is cordoned, as kubectl refuses it
   * without `--force`.
   */
  async drain(node: string, workload: WorkloadRef): Promise<DrainResult> {
    const listed = await this.call(`listing the pods on node ${node}`,
      () => this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }));
    const pods = listed.items.filter((p) => !p.metadata?.deletionTimestamp && !isDaemonSetPod(p) && !isMirrorPod(p)
      && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const unmanaged = pods.filter((p) => !(p.metadata?.ownerReferences ?? []).some((o) => o.controller));
    if (unmanaged.length > 0) {
      throw new DisruptionActionError(`node ${node} runs pods no controller owns (${unmanaged.map(podRef).join(', ')}); ` +
        'an eviction would lose them, so the drain stops before cordoning. Move them, or drain another node.');
    }
    const before = await this.call(`reading node ${node}`, () => this.core.readNode({ name: node }));
    const wasCordoned = before.spec?.unschedulable === true;
    if (!wasCordoned) await this.cordon(node, true);
    try {
      const evicted: string[] = [];
      let budgetRefusals = 0;
      for (const p of pods) {
        budgetRefusals += await this.evict(p);
        evicted.push(podRef(p));
      }
      await this.until(`the evicted pods of node ${node} to go`, async () => {
        const gone = await Promise.all(pods.map((p) => this.isGone(p)));
        return gone.every((g) => g);
      });
      await this.waitForRollout(workload);
      return { node, evicted, budgetRefusals, wasCordoned };
    } finally {
      if (!wasCordoned) await this.cordon(node, false);
    }
  }

  /** `kubectl cordon` (true) or `uncordon` (false). */
  async cordon(node: string, unschedulable: boolean): Promise<void> {
    await this.call(`${unschedulable ? 'cordoning' : 'uncordoning'} node ${node}`, () => this.core.patchNode(
      { name: node, body: { spec: { unschedulable } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)));
  }

  /** Evicts one pod; the number of times a disruption budget refused it first. */
  private async evict(pod: k8s.V1Pod): Promise<number> {
    const name = pod.metadata!.name!;
    const namespace = pod.metadata!.namespace!;
    const body: k8s.V1Eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } };
    const started = Date.now();
    for (let refusals = 0; ; refusals++) {
      try {
        await this.core.createNamespacedPodEviction({ name, namespace, body });
        return refusals;
      } catch (error) {
        const code = apiCode(error);
        if (code === 404) return refusals;
        if (code !== 429) throw this.failure(`evicting pod ${namespace}/${name}`, error);
        if (Date.now() - started + this.evictionRetryMs > this.timeoutMs) {
          throw new DisruptionActionError(`evicting pod ${namespace}/${name}: a PodDisruptionBudget refused it for ` +
            `${Math.round((Date.now() - started) / 1000)} s (429); the node is uncordoned. Check \`kubectl get pdb -A\`.`);
        }
        await sleep(this.evictionRetryMs);
      }
    }
  }

  /** The pod no longer exists, or a pod of the same name with another uid replaced it. */
  private async isGone(pod: k8s.V1Pod): Promise<boolean> {
    try {
      const now = await this.core.readNamespacedPod({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace! });
      return now.metadata?.uid !== pod.metadata?.uid;
    } catch (error) {
      if (apiCode(error) === 404) return true;
      throw this.failure(`reading pod ${podRef(pod)}`, error);
    }
  }

  private async until(what: string, done: () => Promise<boolean>): Promise<void> {
    const started = Date.now();
    while (!(await done())) {
      if (Date.now() - started >= this.timeoutMs) {
        throw new DisruptionActionError(`gave up waiting for ${what} after ${Math.round(this.timeoutMs / 1000)} s.`);
      }
      await sleep(this.pollMs);
    }
  }

  private async call<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  private failure(what: string, error: unknown): Error {
    if (error instanceof DisruptionActionError) return error;
    const code = apiCode(error);
    if (code === undefined) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      const server = this.kc.getCurrentCluster()?.server ?? '<no server>';
      return new DisruptionActionError(`${what}: cannot reach the Kubernetes API at ${server}: ${String(e.cause?.message ?? e.cause?.code ?? e.message).split('\n')[0]}.`);
    }
    const message = apiMessage(error);
    return new DisruptionActionError(`${what}: the API server answered ${code}${code === 403 ? ' (forbidden to the kubeconfig\'s user)' : ''}` +
      `${message ? `: ${message}` : ''}.`);
  }
}

/** `kubectl rollout status`'s test of a finished rollout. */
export function rolledOut(d: k8s.V1Deployment): boolean {
  const s = d.status ?? {};
  const wanted = d.spec?.replicas ?? 1;
  if ((d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0)) return false;
  const updated = s.updatedReplicas ?? 0;
  return updated >= wanted && (s.replicas ?? 0) <= updated && (s.availableReplicas ?? 0) >= updated;
}

/** A label selector in the API's query syntax. */
export function selectorText(selector: k8s.V1LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (selector?.matchExpressions ?? []).map((e) => {
    const values = `(${(e.values ?? []).join(',')})`;
    switch (e.operator) {
      case 'In': return `${e.key} in ${values}`;
      case 'NotIn': return `${e.key} notin ${values}`;
      case 'Exists': return e.key;
      default: return `!${e.key}`;
    }
  });
  return [...labels, ...expressions].join(',');
}

function isDaemonSetPod(p: k8s.V1Pod): boolean {
  return (p.metadata?.ownerReferences ?? []).some((o) => o.controller && o.kind === 'DaemonSet');
}

function isMirrorPod(p: k8s.V1Pod): boolean {
  return p.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined;
}

function apiCode(error: unknown): number | undefined {
  return error instanceof k8s.ApiException ? error.code : undefined;
}

function apiMessage(error: unknown): string | undefined {
  const body = (error as k8s.ApiException<unknown>).body;
  try {
    const parsed = typeof body === 'string' ? JSON.parse(body) : body;
    return typeof parsed?.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}

function ref(w: WorkloadRef): string {
  return `${w.namespace}/${w.name}`;
}

function podRef(p: k8s.V1Pod): string {
  return `${p.metadata?.namespace}/${p.metadata?.name}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
