import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { GatewayWorkload, LabCluster, LabVpc } from '../../../lib';
import { controllerChartId, createdAfter, flatten, newStack } from '../../fixtures';

describe('GatewayWorkload', () => {
  let template: Template;
  let annotations: Annotations;
  let alb: GatewayWorkload;
  let nlb: GatewayWorkload;
  let labCluster: LabCluster;
  beforeAll(() => {
    const stack = newStack();
    const vpc = new LabVpc(stack, 'Vpc', { clusterName: 'lab' }).vpc;
    labCluster = new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab' });
    const controller = labCluster.addLoadBalancerController();
    alb = new GatewayWorkload(stack, 'Alb', { cluster: labCluster.cluster, controller, loadBalancer: 'ALB' });
    nlb = new GatewayWorkload(stack, 'Nlb', { cluster: labCluster.cluster, controller, loadBalancer: 'NLB', inboundCidrs: ['203.0.113.7/32'] });
    template = Template.fromStack(stack);
    annotations = Annotations.fromStack(stack);
  });

  const manifestOf = (idPrefix: string) => Object.entries(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
    .find(([id]) => id.startsWith(idPrefix))!;

  test('applies the chart after the controller, which starts after the Gateway API CRDs', () => {
    const [manifestId, manifest] = manifestOf('Alb');
    expect(manifest.DependsOn).toContain(controllerChartId(template));
    const crds = template.findResources('Custom::AWSCDK-EKS-HelmChart');
    const crdsId = Object.keys(crds).find((id) => crds[id].Properties.Release === 'gateway-api-crds')!;
    expect(createdAfter(template, manifestId, crdsId)).toBe(true);
    const kinds = JSON.parse(flatten(manifest.Properties.Manifest)).map((o: { kind: string }) => o.kind);
    expect(kinds[0]).toBe('Namespace');
    expect(kinds.filter((k: string) => /Gateway|Route|Configuration/.test(k)).sort()).toEqual([
      'Gateway', 'GatewayClass', 'HTTPRoute', 'HTTPRoute', 'LoadBalancerConfiguration', 'TargetGroupConfiguration', 'TargetGroupConfiguration',
    ]);
  });

  test('reads the hostname from the Gateway status; URLs by path on the ALB, by port on the NLB', () => {
    const [manifestId] = manifestOf('Nlb');
    const values = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesObjectValue'))
      .filter((v) => v.Properties.ObjectNamespace === 'gateway-nlb');
    expect(values).toHaveLength(1);
    expect(values[0].Properties).toMatchObject({
      ObjectType: 'gateways.gateway.networking.k8s.io', ObjectName: 'echo', JsonPath: '.status.addresses[0].value', TimeoutSeconds: 600,
    });
    expect(values[0].DependsOn).toContain(manifestId);
    expect(alb.urls.ip).toMatch(/^http:\/\/\$\{Token\[.+\]\}\/ip$/);
    expect(alb.urls.instance).toMatch(/\/instance$/);
    expect(nlb.urls.ip).toMatch(/:80\/$/);
    expect(nlb.urls.instance).toMatch(/:81\/$/);
  });

  test('warns about 0.0.0.0/0 on an internet-facing Gateway only', () => {
    annotations.hasWarning('/Test/Alb', Match.stringLikeRegexp('The ALB Gateway admits 0.0.0.0/0'));
    expect(annotations.findWarning('/Test/Nlb', Match.anyValue())).toEqual([]);
  });

  test('warns when its LabCluster installs no Gateway API CRDs', () => {
    const stack = newStack();
    const vpc = new LabVpc(stack, 'Vpc', { clusterName: 'bare' }).vpc;
    const bare = new LabCluster(stack, 'Cluster', { vpc, clusterName: 'bare', gatewayApiCrds: false });
    new GatewayWorkload(stack, 'Gw', { cluster: bare.cluster, controller: bare.addLoadBalancerController(), loadBalancer: 'NLB', inboundCidrs: ['203.0.113.7/32'] });
    Annotations.fromStack(stack).hasWarning('/Test/Gw', Match.stringLikeRegexp("installs no Gateway API CRDs \\('gatewayApiCrds' is off\\)"));
    expect(annotations.findWarning('/Test/Nlb', Match.anyValue())).toEqual([]);
  });

  test('a second workload with the same GatewayClass name is refused', () => {
    expect(() => new GatewayWorkload(alb.node.scope!, 'Again', {
      cluster: labCluster.cluster, controller: alb.node.scope!.node.findChild('Cluster').node.findChild('LoadBalancerController') as never,
      loadBalancer: 'ALB', namespace: 'other',
    })).toThrow(/'gatewayClassName' is already used on this cluster by Test\/Alb; got 'eks-lb-lab-alb'/);
  });
});
