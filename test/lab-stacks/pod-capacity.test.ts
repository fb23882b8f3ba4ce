import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { App as Cdk8sApp } from 'cdk8s';
import { createLab } from '../../lab-stacks/lab-app';
import { deploymentPods } from '../../lab-stacks/pod-capacity';
import { readLabSettings } from '../../lab-stacks/settings';
import { IngressWorkloadChart, TargetGroupBindingChart } from '../../lib';
import { newApp } from '../fixtures';

const lab = (context: Record<string, unknown>) => {
  const app = newApp(context);
  return createLab(app, readLabSettings(app.node, {}));
};
const capacityWarnings = (context: Record<string, unknown>) =>
  Annotations.fromStack(lab(context).cluster).findWarning('*', Match.stringLikeRegexp('echo pods do not all fit'));

describe('pods against what the nodes take', () => {
  test('a chart\'s pods are its Deployments\' replicas', () => {
    expect(deploymentPods(new IngressWorkloadChart(new Cdk8sApp(), 'Chart', { targetType: 'ip', replicas: 3 }))).toEqual({ deployments: 1, pods: 3 });
    expect(deploymentPods(new TargetGroupBindingChart(new Cdk8sApp(), 'Chart', {
      ipTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/ip/0123456789abcdef',
      instanceTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/instance/fedcba9876543210',
      vpcId: 'vpc-0123456789abcdef0', loadBalancerSecurityGroupId: 'sg-0123456789abcdef0', nodePort: 30081, replicas: 4,
    }))).toEqual({ deployments: 1, pods: 4 });
  });

  test('the defaults fit with no warning: 10 echo pods and 8 system pods in 34', () => {
    expect(capacityWarnings({})).toEqual([]);
  });

  test('each stack fits alone but not all together: a warning with the count left Pending', () => {
    const [warning] = capacityWarnings({ replicas: '6' });
    // Seven stacks: IpModeLab, InstanceModeLab, the two NLB stacks and TgbLab with one Deployment each, the two Gateway labs with one each.
    expect(warning.entry.data).toMatch(/^The lab stacks' 42 echo pods do not all fit beside the 8 system pods on 2 t3\.medium nodes, .*deploying every stack leaves 16 Pending\./);
  });

  test('the Pod Identity agent is one more pod on every node', () => {
    expect(() => lab({ replicas: '24', controllerIdentity: 'pod-identity' })).not.toThrow();
    expect(() => lab({ replicas: '25', controllerIdentity: 'pod-identity' })).toThrow(/beside the 10 system pods on 2 t3\.medium nodes/);
  });

  test('the limit is exact: 26 echo pods fit in one stack, and a third node makes room for 27', () => {
    expect(() => lab({ replicas: '26' })).not.toThrow();
    expect(() => lab({ replicas: '27' })).toThrow(/^Context 'replicas' is too large for the nodes/);
    expect(() => lab({ replicas: '27', nodeCount: '3' })).not.toThrow();
  });
});
