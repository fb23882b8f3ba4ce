import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { IngressWorkload, LabCluster, LabVpc } from '../../../lib';
import { controllerChartId, flatten, newStack } from '../../fixtures';

describe('IngressWorkload', () => {
  let template: Template;
  let workload: IngressWorkload;
  beforeAll(() => {
    const stack = newStack();
    const vpc = new LabVpc(stack, 'Vpc', { clusterName: 'lab' }).vpc;
    const labCluster = new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab' });
    const controller = labCluster.addLoadBalancerController();
    workload = new IngressWorkload(stack, 'Ip', { cluster: labCluster.cluster, controller, targetType: 'ip' });
    template = Template.fromStack(stack);
  });

  const manifestOf = (kindNeedle: string) => Object.entries(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
    .find(([, r]) => flatten(r.Properties.Manifest).includes(kindNeedle))!;

  test('applies the chart objects after the controller chart, so deleting it runs before the controller goes', () => {
    const [, manifest] = manifestOf('"kind":"Ingress"');
    const chartId = controllerChartId(template);
    expect(manifest.DependsOn).toContain(chartId);
    const kinds = JSON.parse(flatten(manifest.Properties.Manifest)).map((o: { kind: string }) => o.kind);
    expect(kinds).toEqual(['Namespace', 'Deployment', 'Service', 'Ingress']);
  });

  test('an internet-facing ALB open to 0.0.0.0/0 draws a warning to restrict it', () => {
    Annotations.fromStack(workload.node.scope as never).hasWarning('/Test/Ip',
      Match.stringLikeRegexp("The ip-mode ALB admits 0.0.0.0/0 .* Restrict 'inboundCidrs'"));
  });

  test('restricted or internal ALBs draw no warning', () => {
    const stack = newStack();
    const vpc = new LabVpc(stack, 'Vpc', { clusterName: 'lab' }).vpc;
    const labCluster = new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab' });
    const controller = labCluster.addLoadBalancerController();
    new IngressWorkload(stack, 'Ip', { cluster: labCluster.cluster, controller, targetType: 'ip', inboundCidrs: ['203.0.113.7/32'] });
    new IngressWorkload(stack, 'Internal', { cluster: labCluster.cluster, controller, targetType: 'ip', namespace: 'internal', scheme: 'internal' });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('admits 0.0.0.0/0'));
  });

  test('two Ingresses of one IngressGroup may share an order: the controller sorts them by namespace/name', () => {
    const stack = newStack();
    const vpc = new LabVpc(stack, 'Vpc', { clusterName: 'lab' }).vpc;
    const labCluster = new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab' });
    const controller = labCluster.addLoadBalancerController();
    const shared = { cluster: labCluster.cluster, controller, groupName: 'lab', groupOrder: 10, inboundCidrs: ['203.0.113.7/32'] };
    new IngressWorkload(stack, 'Ip', { ...shared, targetType: 'ip', path: '/ip' });
    new IngressWorkload(stack, 'Instance', { ...shared, targetType: 'instance', path: '/instance' });
    const orders = Object.values(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .flatMap((r) => JSON.parse(flatten(r.Properties.Manifest)) as { kind: string; metadata: { annotations?: Record<string, string> } }[])
      .filter((o) => o.kind === 'Ingress').map((o) => o.metadata.annotations!['alb.ingress.kubernetes.io/group.order']);
    expect(orders).toEqual(['10', '10']);
  });

  test('reads the ALB hostname from the Ingress status once the manifest is applied', () => {
    const [manifestId] = manifestOf('"kind":"Ingress"');
    const values = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesObjectValue'));
    expect(values).toHaveLength(1);
    expect(values[0].Properties).toMatchObject({
      ObjectType: 'ingress', ObjectName: 'echo', ObjectNamespace: 'ip-mode',
      JsonPath: '.status.loadBalancer.ingress[0].hostname', TimeoutSeconds: 600,
    });
    expect(values[0].DependsOn).toContain(manifestId);
    expect(workload.url).toMatch(/^http:\/\/\$\{Token\[.+\]\}\/$/);
  });
});

describe('IngressWorkload on an IPv6 cluster', () => {
  test('the ALB is dual-stack unless told, and instance targets are refused', () => {
    const stack = newStack();
    const vpc = new LabVpc(stack, 'Vpc', { clusterName: 'lab', ipProtocol: ec2.IpProtocol.DUAL_STACK }).vpc;
    const labCluster = new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab', ipFamily: eks.IpFamily.IP_V6 });
    const controller = labCluster.addLoadBalancerController();
    const ip = new IngressWorkload(stack, 'Ip', { cluster: labCluster.cluster, controller, targetType: 'ip' });
    expect(ip.chart.ipAddressType).toBe('dualstack');
    const hidden = new IngressWorkload(stack, 'Hidden', { cluster: labCluster.cluster, controller, targetType: 'ip', ipAddressType: 'dualstack-without-public-ipv4', namespace: 'hidden' });
    expect(hidden.chart.ipAddressType).toBe('dualstack-without-public-ipv4');
    expect(() => new IngressWorkload(stack, 'Instance', { cluster: labCluster.cluster, controller, targetType: 'instance' }))
      .toThrow(/^Test\/Instance: 'targetType' 'instance' cannot serve an IPv6 cluster/);
    expect(() => new IngressWorkload(stack, 'V4', { cluster: labCluster.cluster, controller, targetType: 'ip', ipAddressType: 'ipv4', namespace: 'v4' }))
      .toThrow(/^Test\/V4: 'ipAddressType' must be dual-stack in an IPv6 cluster/);
  });
});
