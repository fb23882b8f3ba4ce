import { App } from 'cdk8s';
import { NlbWorkloadChart, NlbWorkloadChartProps } from '../../../lib';
import { NLB_LOAD_BALANCER_CLASS } from '../../../lib/workloads/nlb-workload-chart';

type K8sObject = { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec: any };

function render(props: NlbWorkloadChartProps): Record<string, K8sObject> {
  const chart = new NlbWorkloadChart(new App(), 'Chart', props);
  return Object.fromEntries((chart.toJson() as K8sObject[]).map((o) => [o.kind, o]));
}

describe('NlbWorkloadChart, ip targets', () => {
  const objects = render({ targetType: 'ip' });

  test('Namespace first, then Deployment and Service named echo in nlb-ip-mode', () => {
    const chart = new NlbWorkloadChart(new App(), 'Chart', { targetType: 'ip' });
    expect((chart.toJson() as K8sObject[]).map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`))
      .toEqual(['Namespace//nlb-ip-mode', 'Deployment/nlb-ip-mode/echo', 'Service/nlb-ip-mode/echo']);
  });

  test('a LoadBalancer Service of class service.k8s.aws/nlb, internet-facing, ip targets, preservation written out as off', () => {
    expect(NLB_LOAD_BALANCER_CLASS).toBe('service.k8s.aws/nlb');
    expect(objects.Service.spec).toMatchObject({
      type: 'LoadBalancer',
      loadBalancerClass: 'service.k8s.aws/nlb',
      loadBalancerSourceRanges: ['0.0.0.0/0'],
      ports: [{ name: 'tcp', port: 80, targetPort: 8080 }],
    });
    expect(objects.Service.metadata.annotations).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'preserve_client_ip.enabled=false',
    });
  });

  test('no external traffic policy: the NLB sends straight to pods', () => {
    expect(objects.Service.spec).not.toHaveProperty('externalTrafficPolicy');
  });

  test('the same echo pods as the ALB labs, selected by the Service', () => {
    const pod = objects.Deployment.spec.template;
    expect(pod.spec.containers[0].image).toBe('registry.k8s.io/e2e-test-images/echoserver:2.5');
    expect(pod.metadata.labels).toMatchObject(objects.Service.spec.selector);
    expect(pod.spec.topologySpreadConstraints).toHaveLength(2);
  });

  test('preservation on, proxy protocol, own CIDRs and scheme', () => {
    const o = render({
      targetType: 'ip', preserveClientIp: true, proxyProtocolV2: true, scheme: 'internal',
      loadBalancerSourceRanges: ['203.0.113.7/32', '10.0.0.0/8'],
    });
    expect(o.Service.metadata.annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'preserve_client_ip.enabled=true',
      'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol': '*',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
    });
    expect(o.Service.spec.loadBalancerSourceRanges).toEqual(['203.0.113.7/32', '10.0.0.0/8']);
  });
});

describe('NlbWorkloadChart, instance targets', () => {
  test('Cluster by default, preservation on (the AWS default for instance target groups), no proxy protocol', () => {
    const chart = new NlbWorkloadChart(new App(), 'Chart', { targetType: 'instance' });
    const service = (chart.toJson() as K8sObject[]).find((o) => o.kind === 'Service')!;
    expect(chart.namespaceName).toBe('nlb-instance-mode');
    expect(chart.preserveClientIp).toBe(true);
    expect(service.spec.externalTrafficPolicy).toBe('Cluster');
    expect(service.metadata.annotations).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'instance',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'preserve_client_ip.enabled=true',
    });
  });

  test('Local, preservation off, a fixed NodePort; proxy protocol with Cluster', () => {
    const local = render({ targetType: 'instance', externalTrafficPolicy: 'Local', preserveClientIp: false, nodePort: 30090 });
    expect(local.Service.spec).toMatchObject({ externalTrafficPolicy: 'Local', ports: [expect.objectContaining({ nodePort: 30090 })] });
    expect(local.Service.metadata.annotations!['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes'])
      .toBe('preserve_client_ip.enabled=false');
    const proxy = render({ targetType: 'instance', proxyProtocolV2: true });
    expect(proxy.Service.metadata.annotations!['service.beta.kubernetes.io/aws-load-balancer-proxy-protocol']).toBe('*');
  });
});

describe('NlbWorkloadChart rejects', () => {
  test.each<[Partial<NlbWorkloadChartProps>, string]>([
    [{ targetType: 'instance', externalTrafficPolicy: 'Local', proxyProtocolV2: true },
      "'proxyProtocolV2' cannot be combined with 'instance' targets and externalTrafficPolicy 'Local'; got proxyProtocolV2 true. With Local the NLB health-checks kube-proxy's health check NodePort over HTTP, which does not speak PROXY protocol, so every target would fail its check. Use externalTrafficPolicy 'Cluster' or targetType 'ip'."],
    [{ targetType: 'ip', externalTrafficPolicy: 'Cluster' },
      "'externalTrafficPolicy' applies only to 'instance' targets; got 'Cluster' with targetType 'ip'. Remove it: the NLB sends straight to pod IPs, so no NodePort and no kube-proxy rule is on the path."],
    [{ targetType: 'ip', nodePort: 30090 }, "'nodePort' applies only to 'instance' targets; got 30090 with targetType 'ip'."],
    [{ targetType: 'instance', nodePort: 80 }, "'nodePort' must be a whole number between 30000 and 32767; got 80."],
    [{ targetType: 'instance', externalTrafficPolicy: 'local' as never }, "'externalTrafficPolicy' must be one of 'Cluster', 'Local'; got 'local'."],
    [{ targetType: 'alb' as never }, "'targetType' must be one of 'ip', 'instance'; got 'alb'."],
    [{ targetType: 'ip', scheme: 'public' as never }, "'scheme' must be one of 'internet-facing', 'internal'; got 'public'."],
    [{ targetType: 'ip', loadBalancerSourceRanges: [] }, "'loadBalancerSourceRanges' must list at least one CIDR block; got []."],
    [{ targetType: 'ip', loadBalancerSourceRanges: ['10.0.0.1/8'] }, "'loadBalancerSourceRanges[0]' must be an IPv4 CIDR block with zero host bits"],
    [{ targetType: 'ip', namespace: 'NLB' }, "'namespace' must be a DNS-1123 label"],
    [{ targetType: 'ip', replicas: 0 }, "'replicas' must be a whole number between 1 and 100; got 0."],
    [{ targetType: 'ip', image: '' }, "'image' must name a container image; got ''."],
  ])('%j', (props, message) => {
    expect(() => new NlbWorkloadChart(new App(), 'Chart', props as NlbWorkloadChartProps)).toThrow(`Chart: ${message}`);
  });
});

describe('NlbWorkloadChart, cross-zone load balancing', () => {
  test('not written by default; written beside preservation when set', () => {
    const attributes = (props: Partial<NlbWorkloadChartProps>) =>
      render({ targetType: 'ip', ...props }).Service.metadata.annotations!['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes'];
    expect(attributes({})).toBe('preserve_client_ip.enabled=false');
    expect(attributes({ crossZoneLoadBalancing: 'true' })).toBe('preserve_client_ip.enabled=false,load_balancing.cross_zone.enabled=true');
    expect(new NlbWorkloadChart(new App(), 'C', { targetType: 'ip', crossZoneLoadBalancing: 'false' }).crossZoneLoadBalancing).toBe('false');
  });
});

describe('NlbWorkloadChart address type', () => {
  test('dualstack is written on the Service; ipv4 (the controller\'s default) is not', () => {
    const objects = render({ targetType: 'ip', ipAddressType: 'dualstack' });
    expect(objects.Service.metadata.annotations!['service.beta.kubernetes.io/aws-load-balancer-ip-address-type']).toBe('dualstack');
    expect(render({ targetType: 'ip' }).Service.metadata.annotations).not.toHaveProperty(['service.beta.kubernetes.io/aws-load-balancer-ip-address-type']);
    expect(() => render({ targetType: 'ip', ipAddressType: 'dualstack-without-public-ipv4' as never }))
      .toThrow("Chart: 'ipAddressType' must be one of 'ipv4', 'dualstack'; got 'dualstack-without-public-ipv4'. Use one of those.");
  });
});
