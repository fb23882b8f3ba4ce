import { KubeConfig } from '@kubernetes/client-node';
import { DisruptionActions, rolledOut, selectorText } from '../../../../lib/experiment/disruption/kube';
import { SimulatedCluster, simulatedCluster } from '../../../disruption-cluster';
import { EchoStandIn, startEchoStandIn } from '../../../echo-stand-in';
import { KubernetesStandIn, startKubernetesStandIn, writeKubeconfig } from '../../../kubernetes-stand-in';

let echo: EchoStandIn;
let standIn: KubernetesStandIn;
let cluster: SimulatedCluster;
const WORKLOAD = { namespace: 'ip-mode', name: 'echo' };
const FAST = { pollMs: 20, evictionRetryMs: 30, timeoutMs: 5000 };

async function start(replace: 'gap' | 'seamless', budgetRefusals = 0, timeoutMs = FAST.timeoutMs) {
  echo = await startEchoStandIn('echo-old');
  cluster = simulatedCluster([{ ...WORKLOAD, echo, replace }], { switchAfterMs: 50, gapMs: 50, budgetRefusals });
  standIn = await startKubernetesStandIn({}, cluster.handler);
  const kc = new KubeConfig();
  kc.loadFromFile(standIn.kubeconfig);
  return new DisruptionActions(kc, { ...FAST, timeoutMs });
}

afterEach(async () => {
  await cluster?.settle();
  await Promise.all([echo?.stop(), standIn?.close()]);
});

describe('DisruptionActions', () => {
  test('restart patches the pod template\'s restartedAt as kubectl does; the wait ends once the old pod is gone', async () => {
    const actions = await start('gap');
    const before = echo.pod;
    await actions.restart(WORKLOAD, new Date('2026-12-02T03:04:05.678Z'));
    expect(cluster.writes.map((w) => [w.method, w.path, w.contentType, w.body])).toEqual([['PATCH', '/apis/apps/v1/namespaces/ip-mode/deployments/echo',
      'application/strategic-merge-patch+json', { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-12-02T03:04:05Z' } } } } }]]);
    await actions.waitForRollout(WORKLOAD);
    expect(echo.pod).not.toBe(before);
    expect((await actions.podsOf(WORKLOAD)).map((p) => [p.metadata?.name, p.status?.phase])).toEqual([[echo.pod, 'Running']]);
  });

  test('drain: cordon, evict the node\'s pods but DaemonSet ones through the Eviction API (429 tried again), wait, uncordon', async () => {
    const actions = await start('seamless', 1);
    const node = await actions.busiestNode(WORKLOAD);
    expect(node).toBe('ip-10-0-130-77.ec2.internal');
    const old = echo.pod;
    const result = await actions.drain(node, WORKLOAD);
    expect(result).toEqual({ node, evicted: [`ip-mode/${old}`], budgetRefusals: 1, wasCordoned: false });
    expect(cluster.writes.map((w) => `${w.method} ${w.path} ${JSON.stringify(w.body)}`)).toEqual([
      `PATCH /api/v1/nodes/${node} {"spec":{"unschedulable":true}}`,
      `POST /api/v1/namespaces/ip-mode/pods/${old}/eviction {"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"${old}","namespace":"ip-mode"}}`,
      `POST /api/v1/namespaces/ip-mode/pods/${old}/eviction {"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"${old}","namespace":"ip-mode"}}`,
      `PATCH /api/v1/nodes/${node} {"spec":{"unschedulable":false}}`,
    ]);
    expect(cluster.cordoned[node]).toBe(false);
    const [pod] = await actions.podsOf(WORKLOAD);
    expect([pod.metadata?.name, pod.spec?.nodeName]).toEqual([echo.pod, 'ip-10-0-160-23.ec2.internal']);
  });

  test('a budget that never relents gives up with one line, and the node is uncordoned', async () => {
    const actions = await start('seamless', 1000, 100);
    await expect(actions.drain('ip-10-0-130-77.ec2.internal', WORKLOAD))
      .rejects.toThrow(/^evicting pod ip-mode\/echo-\d+: a PodDisruptionBudget refused it for 0 s \(429\); the node is uncordoned/);
    expect(cluster.cordoned['ip-10-0-130-77.ec2.internal']).toBe(false);
  });

  test('a pod no controller owns stops the drain before the node is cordoned; a 403 names the user', async () => {
    echo = await startEchoStandIn('echo-old');
    cluster = simulatedCluster([{ ...WORKLOAD, echo, replace: 'gap' }]);
    const bare = { metadata: { name: 'debug', namespace: 'default', uid: 'b' }, spec: { nodeName: 'ip-10-0-130-77.ec2.internal' }, status: { phase: 'Running' } };
    standIn = await startKubernetesStandIn({}, (req) => {
      if (req.path === '/api/v1/pods') return { status: 200, body: { apiVersion: 'v1', kind: 'PodList', metadata: {}, items: [bare] } };
      if (req.method === 'PATCH' && req.path.startsWith('/apis/apps/')) return { status: 403, body: undefined };
      return cluster.handler(req);
    });
    const kc = new KubeConfig();
    kc.loadFromFile(standIn.kubeconfig);
    const actions = new DisruptionActions(kc, FAST);
    await expect(actions.drain('ip-10-0-130-77.ec2.internal', WORKLOAD)).rejects.toThrow(
      /^node ip-10-0-130-77\.ec2\.internal runs pods no controller owns \(default\/debug\); an eviction would lose them, so the drain stops before cordoning\./);
    expect(cluster.writes).toEqual([]);
    await expect(actions.restart(WORKLOAD)).rejects.toThrow(/^rollout restart of deployment ip-mode\/echo: the API server answered 403 \(forbidden to the kubeconfig's user\): Forbidden: /);
  });

  test('API answers and an unreachable server are one line naming the action', async () => {
    const actions = await start('gap');
    await expect(actions.restart({ namespace: 'ip-mode', name: 'nope' })).rejects.toThrow(
      /^rollout restart of deployment ip-mode\/nope: the API server answered 404: NotFound: \/apis\/apps\/v1\/namespaces\/ip-mode\/deployments\/nope\.$/);
    const closed = await startKubernetesStandIn({});
    await closed.close();
    const kc = new KubeConfig();
    kc.loadFromFile(writeKubeconfig(closed.server));
    await expect(new DisruptionActions(kc, FAST).restart(WORKLOAD)).rejects.toThrow(
      new RegExp(`^rollout restart of deployment ip-mode/echo: cannot reach the Kubernetes API at ${closed.server}: .*ECONNREFUSED`));
  });
});

describe('rollout status and selectors', () => {
  const d = (generation: number, status: object, replicas = 2) => ({ metadata: { generation }, spec: { replicas, selector: {}, template: {} }, status });
  test('rolled out as kubectl rollout status decides', () => {
    expect(rolledOut(d(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }))).toBe(true);
    expect(rolledOut(d(3, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }))).toBe(false);
    expect(rolledOut(d(2, { observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2 }))).toBe(false);
    expect(rolledOut(d(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 2 }))).toBe(false);
    expect(rolledOut(d(2, { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 }))).toBe(false);
  });
  test('label selectors in the query syntax', () => {
    expect(selectorText({ matchLabels: { app: 'echo', tier: 'web' }, matchExpressions: [
      { key: 'a', operator: 'In', values: ['x', 'y'] }, { key: 'b', operator: 'NotIn', values: ['z'] },
      { key: 'c', operator: 'Exists' }, { key: 'd', operator: 'DoesNotExist' }] })).toBe('app=echo,tier=web,a in (x,y),b notin (z),c,!d');
  });
});
