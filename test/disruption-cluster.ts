import { EchoStandIn } from './echo-stand-in';
import { HandledRequest, StandInHandler } from './kubernetes-stand-in';

/** One lab path of the simulated cluster: a Deployment of one pod whose echo server answers on the path's URL. */
export interface SimulatedPath {
  readonly namespace: string;
  readonly name: string;
  readonly echo: EchoStandIn;
  /**
   * How a pod is replaced: `gap` — the old pod exits at once and nothing answers for `gapMs` (the naive shutdown);
   * `seamless` — the new pod answers before the old one goes (what the graceful practice aims at).
   */
  readonly replace: 'gap' | 'seamless';
}

/** Timing of the simulated controllers, in milliseconds. */
export interface SimulationTiming {
  /** From the restart patch (or an eviction) to the old pod's exit. @default 150 */
  readonly switchAfterMs?: number;
  /** How long nothing answers on a `gap` path. @default 200 */
  readonly gapMs?: number;
  /** Evictions of each pod a PodDisruptionBudget refuses (429) before it lets one through. @default 0 */
  readonly budgetRefusals?: number;
}

interface PodState {
  name: string;
  namespace: string;
  uid: string;
  node: string;
  owner: 'ReplicaSet' | 'DaemonSet';
  labels: Record<string, string>;
  deleting: boolean;
  ready: boolean;
  /** The Deployment's generation the pod was made from. */
  generation: number;
}

interface DeploymentState {
  readonly path: SimulatedPath;
  generation: number;
  restartedAt?: string;
  pods: number;
}

/** A cluster behind the Kubernetes stand-in whose Deployments, pods and nodes move the echo servers as real ones would. */
export interface SimulatedCluster {
  readonly handler: StandInHandler;
  /** Every request but a GET, in order. */
  readonly writes: HandledRequest[];
  /** `unschedulable` of each node, now. */
  readonly cordoned: Record<string, boolean>;
  /** Waits for the echo servers' pending stops and restarts. */
  settle(): Promise<void>;
}

const NODES = ['ip-10-0-130-77.ec2.internal', 'ip-10-0-160-23.ec2.internal'];

/** Two nodes, a DaemonSet pod on each, one pod per path on the first node. */
export function simulatedCluster(paths: readonly SimulatedPath[], timing: SimulationTiming = {}): SimulatedCluster {
  const switchAfterMs = timing.switchAfterMs ?? 150;
  const gapMs = timing.gapMs ?? 200;
  const writes: HandledRequest[] = [];
  const cordoned: Record<string, boolean> = Object.fromEntries(NODES.map((n) => [n, false]));
  const pending: Promise<void>[] = [];
  let uid = 0;
  const pods: PodState[] = NODES.map((node, i) => ({
    name: `aws-node-${i}`, namespace: 'kube-system', uid: `u${uid++}`, node, owner: 'DaemonSet', labels: { 'k8s-app': 'aws-node' }, deleting: false, ready: true, generation: 1,
  }));
  const deployments = new Map<string, DeploymentState>();
  for (const path of paths) {
    const d: DeploymentState = { path, generation: 1, pods: 1 };
    deployments.set(`${path.namespace}/${path.name}`, d);
    const first = newPod(d, NODES[0]);
    first.ready = true;
    pods.push(first);
    path.echo.pod = first.name;
  }
  const refusals = new Map<string, number>();

  function newPod(d: DeploymentState, node: string): PodState {
    const n = uid++;
    return {
      name: `${d.path.name}-${n}`, namespace: d.path.namespace, uid: `u${n}`, node, owner: 'ReplicaSet', labels: { app: d.path.name },
      deleting: false, ready: false, generation: d.generation,
    };
  }

  /** Replaces `old` with a pod on `node`, moving the echo server as the path's shutdown does. */
  function replace(d: DeploymentState, old: PodState, node: string) {
    const next = newPod(d, node);
    pods.push(next);
    setTimeout(() => {
      old.deleting = true;
      const swap = async () => {
        if (d.path.replace === 'seamless') {
          d.path.echo.pod = next.name;
        } else {
          await d.path.echo.stop();
          await new Promise((resolve) => setTimeout(resolve, gapMs));
          await d.path.echo.restart(next.name);
        }
        next.ready = true;
        pods.splice(pods.indexOf(old), 1);
      };
      pending.push(swap());
    }, switchAfterMs);
  }

  function deploymentJson(d: DeploymentState) {
    const mine = pods.filter((p) => p.namespace === d.path.namespace && p.labels.app === d.path.name);
    const updated = mine.filter((p) => !p.deleting && p.generation === d.generation).length;
    return {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: d.path.name, namespace: d.path.namespace, generation: d.generation },
      spec: {
        replicas: d.pods, selector: { matchLabels: { app: d.path.name } },
        template: { metadata: { labels: { app: d.path.name }, annotations: d.restartedAt ? { 'kubectl.kubernetes.io/restartedAt': d.restartedAt } : {} } },
      },
      status: {
        observedGeneration: d.generation, replicas: mine.length, updatedReplicas: updated,
        availableReplicas: mine.filter((p) => p.ready && !p.deleting).length,
      },
    };
  }

  function podJson(p: PodState) {
    return {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: p.name, namespace: p.namespace, uid: p.uid, labels: p.labels,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: p.owner, name: p.owner === 'DaemonSet' ? 'aws-node' : 'echo-rs', uid: 'o', controller: true }],
        ...(p.deleting ? { deletionTimestamp: new Date().toISOString() } : {}),
      },
      spec: { nodeName: p.node, containers: [{ name: 'c', image: 'i' }] },
      status: { phase: p.ready ? 'Running' : 'Pending' },
    };
  }

  const list = (items: PodState[]) => ({ status: 200, body: { apiVersion: 'v1', kind: 'PodList', metadata: {}, items: items.map(podJson) } });

  const handler: StandInHandler = (req) => {
    if (req.method !== 'GET') writes.push(req);
    let m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(req.path);
    if (m) {
      const d = deployments.get(`${m[1]}/${m[2]}`);
      if (!d) return { status: 404, body: undefined };
      if (req.method === 'PATCH') {
        const body = req.body as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
        d.restartedAt = body.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'];
        d.generation += 1;
        const old = pods.find((p) => p.namespace === d.path.namespace && p.labels.app === d.path.name && !p.deleting)!;
        replace(d, old, old.node);
      }
      return { status: 200, body: deploymentJson(d) };
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(req.path);
    if (m) {
      const [key, value] = (req.query.labelSelector ?? '').split('=');
      return list(pods.filter((p) => p.namespace === m![1] && p.labels[key] === value));
    }
    if (req.path === '/api/v1/pods') {
      const node = (req.query.fieldSelector ?? '').replace(/^spec\.nodeName=/, '');
      return list(pods.filter((p) => p.node === node));
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/eviction)?$/.exec(req.path);
    if (m) {
      const pod = pods.find((p) => p.namespace === m![1] && p.name === m![2]);
      if (!pod) return { status: 404, body: undefined };
      if (!m[3]) return { status: 200, body: podJson(pod) };
      const refused = refusals.get(pod.uid) ?? 0;
      if (refused < (timing.budgetRefusals ?? 0)) {
        refusals.set(pod.uid, refused + 1);
        return { status: 429, body: undefined };
      }
      const d = deployments.get(`${pod.namespace}/${pod.labels.app}`)!;
      if (!pod.deleting) replace(d, pod, NODES.find((n) => !cordoned[n])!);
      return { status: 201, body: req.body };
    }
    m = /^\/api\/v1\/nodes\/([^/]+)$/.exec(req.path);
    if (m && m[1] in cordoned) {
      if (req.method === 'PATCH') cordoned[m[1]] = (req.body as { spec: { unschedulable: boolean } }).spec.unschedulable;
      return { status: 200, body: { apiVersion: 'v1', kind: 'Node', metadata: { name: m[1] }, spec: { unschedulable: cordoned[m[1]] } } };
    }
    return undefined;
  };
  return { handler, writes, cordoned, settle: async () => { await Promise.all(pending); } };
}
