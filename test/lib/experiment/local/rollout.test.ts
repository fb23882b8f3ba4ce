import { planRollout } from '../../../../lib/experiment/local/rollout';
import { expectedPath, labPath } from '../../../../lab-stacks/catalogue';
import { LAB_DEFAULTS } from '../../../../lab-stacks/settings';

const subjects = (replicas: number) => (['ip', 'instance'] as const).flatMap((mode) => (['graceful', 'naive'] as const).map((variant) => ({
  mode, variant, path: expectedPath(labPath(mode)!, { ...LAB_DEFAULTS, replicas, shutdown: variant }),
})));

describe('planRollout', () => {
  test('one listener per mode, and instead of fixed pods sandboxes on every node for a run\'s old and new pods', () => {
    const plan = planRollout(subjects(2), { vpcCidr: '10.0.0.0/16', nodeCount: 2 });
    expect(plan.rows.map((r) => r.mode)).toEqual(['ip', 'instance']);
    expect(plan.pods.map((p) => [p.netns, p.node.name, p.address])).toEqual([
      ['pod0', 'ip-10-0-0-10.ec2.internal', '10.0.0.100'], ['pod1', 'ip-10-0-0-10.ec2.internal', '10.0.0.101'],
      // The second node is in the second zone's subnet, and so are its pods.
      ['pod2', 'ip-10-0-0-10.ec2.internal', '10.0.0.102'], ['pod3', 'ip-10-0-128-10.ec2.internal', '10.0.128.100'],
      ['pod4', 'ip-10-0-128-10.ec2.internal', '10.0.128.101'], ['pod5', 'ip-10-0-128-10.ec2.internal', '10.0.128.102'],
    ]);
    expect(new Set(plan.pods.map((p) => p.hostVeth)).size).toBe(6);
    expect(plan.pods.every((p) => /^eni[0-9a-f]{11}$/.test(p.hostVeth))).toBe(true);
    expect(plan.firstPodHost).toBe(103);
  });

  test('more replicas, more sandboxes; a subnet without room for the run\'s pods is refused', () => {
    expect(planRollout(subjects(5), { vpcCidr: '10.0.0.0/16', nodeCount: 2 }).pods).toHaveLength(14);
    expect(() => planRollout(subjects(20), { vpcCidr: '10.0.0.0/24', nodeCount: 2 })).toThrow('vpcCidr 10.0.0.0/24 has no room for the rollout\'s pods.');
  });
});
