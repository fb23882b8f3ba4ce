import { expectDisruption } from '../../../../lib/experiment/disruption/model';
import { ExpectedPath } from '../../../../lib/experiment/path-model';
import { expectedPath, labPath } from '../../../../lab-stacks/catalogue';
import { LAB_DEFAULTS } from '../../../../lab-stacks/settings';
import type { ShutdownVariant } from '../../../../lib/experiment/disruption/types';

const path = (id: string, shutdown: ShutdownVariant, extra: Partial<typeof LAB_DEFAULTS> = {}): ExpectedPath =>
  expectedPath(labPath(id)!, { ...LAB_DEFAULTS, shutdown, ...extra });

describe('expectDisruption, from the lab\'s charts', () => {
  test.each([
    ['ip', 'graceful', 'rollout', 'none'],
    ['ip', 'graceful', 'drain', 'none'],
    ['ip', 'naive', 'rollout', 'some'],
    ['ip', 'naive', 'drain', 'some'],
    ['instance', 'graceful', 'rollout', 'some'],
    ['instance', 'graceful', 'drain', 'some'],
    ['instance', 'naive', 'rollout', 'some'],
    ['instance', 'naive', 'drain', 'some'],
    ['instance-local', 'graceful', 'rollout', 'some'],
    ['instance-local', 'graceful', 'drain', 'some'],
  ] as const)('%s, %s, %s: %s', (id, variant, event, errors) => {
    expect(expectDisruption(path(id, variant), event).errors).toBe(errors);
  });

  test('naive ip: each missing practice is named', () => {
    const reasons = expectDisruption(path('ip', 'naive'), 'rollout').reasons.join('\n');
    expect(reasons).toMatch(/stops at once \(SIGTERM, fast shutdown\), before the controller's deregistration/);
    expect(reasons).toMatch(/no readiness gate: a new pod is Ready on its readiness probe while its target is still initial/);
    expect(reasons).toMatch(/deregistration delay 300 s \(the ELB default\)/);
  });

  test('graceful ip: the preStop delay covers the controller\'s lag, unless the lag allowed for is longer', () => {
    expect(expectDisruption(path('ip', 'graceful'), 'rollout').reasons[0]).toMatch(/^preStop delay 15 s ≥ the 10 s the controller takes/);
    expect(expectDisruption(path('ip', 'graceful'), 'rollout', { deregistrationLagSeconds: 20 }).errors).toBe('some');
  });

  test('graceful instance: only the keep-alive close race is left', () => {
    const findings = expectDisruption(path('instance', 'graceful'), 'rollout').reasons.join('\n');
    expect(findings).toMatch(/the idle keep-alive connections it closes are ones the load balancer may be sending a request on/);
  });

  test('a drained node stays registered with instance targets; one replica makes an ip drain cost requests', () => {
    expect(expectDisruption(path('instance', 'graceful'), 'drain').reasons[0]).toMatch(/a cordoned node keeps all three/);
    expect(expectDisruption(path('ip', 'graceful', { replicas: 1 }), 'drain').errors).toBe('some');
  });

  test('load only: the worse of a rollout and a drain', () => {
    expect(expectDisruption(path('ip', 'graceful'), 'load-only').errors).toBe('none');
    expect(expectDisruption(path('ip', 'graceful', { replicas: 1 }), 'load-only').errors).toBe('some');
  });

  test('objects from elsewhere: a preStop delay the grace period does not cover, a zero deregistration delay', () => {
    const p = path('ip', 'graceful');
    expect(expectDisruption({ ...p, shutdown: { ...p.shutdown, terminationGracePeriodSeconds: 10 } }, 'rollout').reasons.join('\n'))
      .toMatch(/does not end within the grace period \(10 s\): the kubelet kills the pod mid-request/);
    expect(expectDisruption({ ...p, shutdown: { ...p.shutdown, deregistrationDelaySeconds: 0 } }, 'rollout').errors).toBe('some');
  });
});
