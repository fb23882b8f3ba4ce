import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { LabCluster, LabVpc, NlbWorkload } from '../../../lib';
import { controllerChartId, flatten, newStack } from '../../fixtures';

describe('NlbWorkload', () => {
  let template: Template;
  let annotations: Annotations;
  let ip: NlbWorkload;
  beforeAll(() => {
    const stack = newStack();
    const vpc = new LabVpc(stack, 'Vpc', { clusterName: 'lab' }).vpc;
    const labCluster = new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab' });
    const controller = labCluster.addLoadBalancerController();
    ip = new NlbWorkload(stack, 'NlbIp', { cluster: labCluster.cluster, controller, targetType: 'ip' });
    new NlbWorkload(stack, 'NlbProxy', { cluster: labCluster.cluster, controller, targetType: 'instance', namespace: 'proxy', proxyProtocolV2: true });
    template = Template.fromStack(stack);
    annotations = Annotations.fromStack(stack);
  });

  const manifestOf = (idPrefix: string) => Object.entries(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
    .find(([id]) => id.startsWith(idPrefix))!;

  test('applies Namespace, Deployment and Service after the controller chart', () => {
    const [, manifest] = manifestOf('NlbIp');
    const chartId = controllerChartId(template);
    expect(manifest.DependsOn).toContain(chartId);
    const objects = JSON.parse(flatten(manifest.Properties.Manifest));
    expect(objects.map((o: { kind: string }) => o.kind)).toEqual(['Namespace', 'Deployment', 'Service']);
    expect(objects[2].spec.loadBalancerClass).toBe('service.k8s.aws/nlb');
  });

  test('reads the NLB hostname from the Service status once the manifest is applied', () => {
    const [manifestId] = manifestOf('NlbIp');
    const values = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesObjectValue'))
      .filter((v) => v.Properties.ObjectNamespace === 'nlb-ip-mode');
    expect(values).toHaveLength(1);
    expect(values[0].Properties).toMatchObject({
      ObjectType: 'service', ObjectName: 'echo', JsonPath: '.status.loadBalancer.ingress[0].hostname', TimeoutSeconds: 600,
    });
    expect(values[0].DependsOn).toContain(manifestId);
    expect(ip.url).toMatch(/^http:\/\/\$\{Token\[.+\]\}\/$/);
  });

  test('warns that the echo image does not parse PROXY protocol, only where it is on', () => {
    annotations.hasWarning('/Test/NlbProxy', Match.stringLikeRegexp("'proxyProtocolV2' is on but the image is registry.k8s.io/e2e-test-images/echoserver:2.5"));
    expect(annotations.findWarning('/Test/NlbIp', Match.anyValue())).toEqual([]);
  });
});
