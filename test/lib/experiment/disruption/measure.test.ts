import { KubeConfig } from '@kubernetes/client-node';
import { DisruptionActions } from '../../../../lib/experiment/disruption/kube';
import { LoadTargetError } from '../../../../lib/experiment/disruption/load';
import { DisruptionTarget, measureDisruption, settleMs } from '../../../../lib/experiment/disruption/measure';
import { DisruptionEvent } from '../../../../lib/experiment/disruption/types';
import { SimulatedCluster, simulatedCluster } from '../../../disruption-cluster';
import { EchoStandIn, startEchoStandIn } from '../../../echo-stand-in';
import { KubernetesStandIn, startKubernetesStandIn } from '../../../kubernetes-stand-in';

let echo: EchoStandIn;
let standIn: KubernetesStandIn;
let cluster: SimulatedCluster;
const LOAD = { ratePerSecond: 200, windowMs: 400, timeoutMs: 2000 };

async function start(replace: 'gap' | 'seamless') {
  echo = await startEchoStandIn('echo-old');
  cluster = simulatedCluster([{ namespace: 'ip-mode', name: 'echo', echo, replace }], { switchAfterMs: 30, gapMs: 120 });
  standIn = await startKubernetesStandIn({}, cluster.handler);
  const kc = new KubeConfig();
  kc.loadFromFile(standIn.kubeconfig);
  return new DisruptionActions(kc, { pollMs: 20, evictionRetryMs: 30, timeoutMs: 5000 });
}

const target = (errors: 'none' | 'some'): DisruptionTarget => ({
  path: 'ip', url: echo.url, variant: errors === 'none' ? 'graceful' : 'naive', workload: { namespace: 'ip-mode', name: 'echo' },
  expectation: (event: DisruptionEvent) => ({ event, errors, reasons: [`the model says ${errors}`] }),
});

afterEach(async () => {
  await cluster?.settle();
  await Promise.all([echo?.stop(), standIn?.close()]);
});

describe('measureDisruption', () => {
  test('a rollout whose old pod exits at once: refused requests between the pods, against a model of none', async () => {
    const actions = await start('gap');
    const first = echo.pod;
    const s = await measureDisruption({ ...target('none'), variant: 'naive' }, 'rollout', actions, LOAD);
    // Connections open when the pod exits are reset; new ones are refused until the next pod listens (on a loaded
    // machine a request may also wait out its deadline).
    expect(s.failures.refused).toBeGreaterThan(10);
    expect(s.requests - s.successes).toBe(s.failures.refused + s.failures.reset + s.failures.timeout);
    expect([s.podsBefore, s.podsAfter]).toEqual([[first], [echo.pod]]);
    expect(s.eventAtMs).toBeGreaterThan(settleMs(LOAD.windowMs) - 5);
    expect(s.timeline.some((t) => t.second > 0 && t.failed > 0) || s.timeline[0].failed > 0).toBe(true);
    expect(s.agrees).toBe(false);
    expect(s.notes).toEqual([expect.stringMatching(/^rollout restart of deployment ip-mode\/echo: rolled out \d+\.\d s after the restart$/)]);
    // `some` means may fail: the same measurement agrees with it.
    expect((await measureDisruption(target('some'), 'load-only', undefined, { ...LOAD, windowMs: 100 })).agrees).toBe(true);
  });

  test('a rollout whose new pod answers before the old one goes: no failure, as a model of none says', async () => {
    const actions = await start('seamless');
    const s = await measureDisruption(target('none'), 'rollout', actions, LOAD);
    expect([s.requests >= 80, s.successes === s.requests, s.agrees]).toEqual([true, true, true]);
    expect(s.podsBefore).not.toEqual(s.podsAfter);
  });

  test('a drain of the node that runs the pod, then the load runs on past it', async () => {
    const actions = await start('gap');
    const s = await measureDisruption(target('some'), 'drain', actions, LOAD);
    expect(s.failures.refused + s.failures.reset).toBeGreaterThan(0);
    expect(s.requests - s.successes).toBe(s.failures.refused + s.failures.reset + s.failures.timeout);
    expect(s.notes).toEqual([expect.stringMatching(
      /^drained node ip-10-0-130-77\.ec2\.internal: 1 pod evicted, the deployment whole again \d+\.\d s after the drain began, the node uncordoned$/)]);
    expect(s.timeline.length).toBeGreaterThanOrEqual(1);
    expect(cluster.cordoned).toEqual({ 'ip-10-0-130-77.ec2.internal': false, 'ip-10-0-160-23.ec2.internal': false });
  });

  test('a URL that is not an echo server: one line, and nothing disrupted', async () => {
    const actions = await start('gap');
    echo.behaviour = 'status-503';
    await expect(measureDisruption(target('none'), 'rollout', actions, LOAD)).rejects.toThrow(LoadTargetError);
    expect(cluster.writes).toEqual([]);
  });
});
