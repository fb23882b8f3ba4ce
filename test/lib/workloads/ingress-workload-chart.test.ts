import { App } from 'cdk8s';
import { Duration } from 'aws-cdk-lib';
import { IngressWorkloadChart, IngressWorkloadChartProps } from '../../../lib';
import { k8sProblems } from '../../k8s-validate';

type K8sObject = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec: any };

function render(props: IngressWorkloadChartProps): Record<string, K8sObject> {
  const chart = new IngressWorkloadChart(new App(), 'Chart', props);
  return Object.fromEntries((chart.toJson() as K8sObject[]).map((o) => [o.kind, o]));
}

describe('IngressWorkloadChart, ip mode', () => {
  const objects = render({ targetType: 'ip' });

  test('Namespace first, then Deployment, Service and Ingress named echo in ip-mode', () => {
    const chart = new IngressWorkloadChart(new App(), 'Chart', { targetType: 'ip' });
    expect((chart.toJson() as K8sObject[]).map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`))
      .toEqual(['Namespace//ip-mode', 'Deployment/ip-mode/echo', 'Service/ip-mode/echo', 'Ingress/ip-mode/echo']);
  });

  test('a ClusterIP Service without NodePort or external traffic policy', () => {
    expect(objects.Service.spec.type).toBe('ClusterIP');
    expect(objects.Service.spec).not.toHaveProperty('externalTrafficPolicy');
    expect(objects.Service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080 }]);
  });

  test('an internet-facing Ingress of class alb with target type ip', () => {
    expect(objects.Ingress.spec.ingressClassName).toBe('alb');
    expect(objects.Ingress.metadata.annotations).toEqual({
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}]',
      'alb.ingress.kubernetes.io/healthcheck-path': '/',
      'alb.ingress.kubernetes.io/inbound-cidrs': '0.0.0.0/0',
    });
    expect(objects.Ingress.spec.rules).toEqual([{ http: { paths: [{
      path: '/', pathType: 'Prefix', backend: { service: { name: 'echo', port: { number: 80 } } },
    }] } }]);
  });

  test('two echo pods spread across zones and nodes, with probe, requests and the downward API', () => {
    const spec = objects.Deployment.spec;
    expect(spec.replicas).toBe(2);
    const pod = spec.template.spec;
    expect(pod.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.maxSkew, c.whenUnsatisfiable]))
      .toEqual([['topology.kubernetes.io/zone', 1, 'ScheduleAnyway'], ['kubernetes.io/hostname', 1, 'ScheduleAnyway']]);
    for (const c of pod.topologySpreadConstraints) expect(spec.template.metadata.labels).toMatchObject(c.labelSelector.matchLabels);
    const [container] = pod.containers;
    expect(container.image).toBe('registry.k8s.io/e2e-test-images/echoserver:2.5');
    expect(container.readinessProbe.httpGet).toEqual({ path: '/', port: 8080, scheme: 'HTTP' });
    expect(container.resources.requests).toEqual({ cpu: '50m', memory: '64Mi' });
    expect(Object.fromEntries(container.env.map((e: any) => [e.name, e.valueFrom.fieldRef.fieldPath]))).toEqual({
      NODE_NAME: 'spec.nodeName', POD_NAME: 'metadata.name', POD_NAMESPACE: 'metadata.namespace', POD_IP: 'status.podIP',
    });
  });

  test('the Service selects the Deployment pods, and only them', () => {
    const podLabels = objects.Deployment.spec.template.metadata.labels;
    expect(podLabels).toMatchObject(objects.Service.spec.selector);
    expect(objects.Deployment.spec.selector.matchLabels).toEqual(objects.Service.spec.selector);
    expect(objects.Service.spec.selector).toHaveProperty('eks-lb-lab/target-type', 'ip');
  });
});

describe('IngressWorkloadChart, instance mode', () => {
  test('a NodePort Service with the given port and external traffic policy Cluster', () => {
    const objects = render({ targetType: 'instance', nodePort: 30080 });
    expect(objects.Ingress.metadata.annotations!['alb.ingress.kubernetes.io/target-type']).toBe('instance');
    expect(objects.Service.spec).toMatchObject({
      type: 'NodePort', externalTrafficPolicy: 'Cluster',
      ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }],
    });
    expect(objects.Namespace.metadata.name).toBe('instance-mode');
  });

  test('Local, internal scheme, own CIDRs, image and replicas', () => {
    const objects = render({
      targetType: 'instance', externalTrafficPolicy: 'Local', scheme: 'internal', replicas: 3,
      inboundCidrs: ['203.0.113.7/32', '10.0.0.0/8'], image: 'mirror.example.com/echoserver:2.5', healthCheckPath: '/healthz',
    });
    expect(objects.Service.spec.externalTrafficPolicy).toBe('Local');
    expect(objects.Service.spec.ports[0]).not.toHaveProperty('nodePort');
    expect(objects.Ingress.metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internal',
      'alb.ingress.kubernetes.io/inbound-cidrs': '203.0.113.7/32,10.0.0.0/8',
      'alb.ingress.kubernetes.io/healthcheck-path': '/healthz',
    });
    expect(objects.Deployment.spec.replicas).toBe(3);
    expect(objects.Deployment.spec.template.spec.containers[0].image).toBe('mirror.example.com/echoserver:2.5');
  });

  test('ip mode over a NodePort Service is allowed: the ALB still targets pods', () => {
    const objects = render({ targetType: 'ip', serviceType: 'NodePort' });
    expect(objects.Service.spec.type).toBe('NodePort');
    expect(objects.Ingress.metadata.annotations!['alb.ingress.kubernetes.io/target-type']).toBe('ip');
  });
});

describe('IngressWorkloadChart in an IngressGroup', () => {
  test('group name and order annotations, and the path prefix, unchanged otherwise', () => {
    const objects = render({ targetType: 'instance', groupName: 'eks-lb-lab', groupOrder: 20, path: '/instance' });
    expect(objects.Ingress.metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/group.name': 'eks-lb-lab',
      'alb.ingress.kubernetes.io/group.order': '20',
      'alb.ingress.kubernetes.io/healthcheck-path': '/',
    });
    expect(objects.Ingress.spec.rules[0].http.paths[0]).toMatchObject({ path: '/instance', pathType: 'Prefix' });
  });

  test.each([-1000, 0, 1, 1000])('group order %d is one the controller takes (-1000 to 1000)', (order) => {
    const objects = render({ targetType: 'ip', groupName: 'lab', groupOrder: order });
    expect(objects.Ingress.metadata.annotations!['alb.ingress.kubernetes.io/group.order']).toBe(String(order));
    expect(k8sProblems([objects.Ingress])).toEqual([]);
  });

  test('no group annotations by default', () => {
    const annotations = render({ targetType: 'ip' }).Ingress.metadata.annotations!;
    expect(Object.keys(annotations).filter((k) => k.includes('group.'))).toEqual([]);
  });
});

describe('IngressWorkloadChart objects against the Kubernetes schema and the controller\'s annotation grammar', () => {
  test.each<[string, IngressWorkloadChartProps]>([
    ['ip mode', { targetType: 'ip' }],
    ['instance mode with a fixed NodePort', { targetType: 'instance', nodePort: 30080 }],
    ['instance mode, Local, internal, own CIDRs', {
      targetType: 'instance', externalTrafficPolicy: 'Local', scheme: 'internal', inboundCidrs: ['203.0.113.7/32', '10.0.0.0/8'],
    }],
    ['ip mode over NodePort with extra annotations', {
      targetType: 'ip', serviceType: 'NodePort', annotations: {
        'alb.ingress.kubernetes.io/group.name': 'lab.shared', 'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '10',
        'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 8080}]',
      },
    }],
  ])('%s', (_name, props) => {
    const objects = new IngressWorkloadChart(new App(), 'Chart', props).toJson();
    expect(objects).toHaveLength(4);
    expect(k8sProblems(objects)).toEqual([]);
  });

  test('extra annotations land on the Ingress', () => {
    const objects = render({ targetType: 'ip', annotations: { 'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 8080}]' } });
    expect(objects.Ingress.metadata.annotations!['alb.ingress.kubernetes.io/listen-ports']).toBe('[{"HTTP": 8080}]');
  });
});

describe('IngressWorkloadChart rejects', () => {
  test.each<[Partial<IngressWorkloadChartProps>, string]>([
    [{ targetType: 'instance', serviceType: 'ClusterIP' },
      "'serviceType' must be NodePort when 'targetType' is instance; got 'ClusterIP'. The ALB registers nodes and sends to the Service's NodePort, which a ClusterIP Service does not open. Use serviceType 'NodePort' or targetType 'ip'."],
    [{ targetType: 'instance', nodePort: 29999 },
      "'nodePort' must be a whole number between 30000 and 32767; got 29999. Pick a port in the API server's NodePort range 30000-32767, e.g. 30080, or leave it unset."],
    [{ targetType: 'instance', nodePort: 32768 }, "'nodePort' must be a whole number between 30000 and 32767; got 32768."],
    [{ targetType: 'ip', nodePort: 30080 },
      "'nodePort' applies only to a NodePort Service; got 30080 with serviceType 'ClusterIP'. Remove 'nodePort' or use serviceType 'NodePort'."],
    [{ targetType: 'ip', externalTrafficPolicy: 'Local' },
      "'externalTrafficPolicy' applies only to a NodePort Service; got 'Local' with serviceType 'ClusterIP'."],
    [{ targetType: 'instance', externalTrafficPolicy: 'Nearest' as never },
      "'externalTrafficPolicy' must be one of 'Cluster', 'Local'; got 'Nearest'."],
    [{ targetType: 'both' as never }, "'targetType' must be one of 'ip', 'instance'; got 'both'."],
    [{ targetType: 'ip', scheme: 'public' as never }, "'scheme' must be one of 'internet-facing', 'internal'; got 'public'."],
    [{ targetType: 'ip', replicas: 0 }, "'replicas' must be a whole number between 1 and 100; got 0. Use 2 replicas so pods land on both nodes."],
    [{ targetType: 'ip', replicas: 1.5 }, "'replicas' must be a whole number between 1 and 100; got 1.5."],
    [{ targetType: 'ip', namespace: 'IP_Mode' }, "'namespace' must be a DNS-1123 label"],
    [{ targetType: 'ip', name: 'echo-' }, "'name' must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters); got 'echo-'."],
    [{ targetType: 'ip', name: 'e'.repeat(64) }, "'name' must be a DNS-1123 label"],
    [{ targetType: 'ip', image: ' ' }, "'image' must name a container image; got ' '."],
    [{ targetType: 'ip', inboundCidrs: ['203.0.113.7'] }, "'inboundCidrs[0]' must be an IPv4 CIDR block with zero host bits"],
    [{ targetType: 'ip', inboundCidrs: ['0.0.0.0/0', '300.0.0.0/8'] }, "'inboundCidrs[1]' must be an IPv4 CIDR block with zero host bits, such as '10.0.0.0/16' or '203.0.113.7/32'; got '300.0.0.0/8'."],
    [{ targetType: 'ip', inboundCidrs: [] }, "'inboundCidrs' must list at least one CIDR block; got []."],
    [{ targetType: 'ip', healthCheckPath: 'health' }, "'healthCheckPath' must start with '/'; got 'health'. Use '/'."],
    [{ targetType: 'ip', path: 'ip' }, "'path' must start with '/'; got 'ip'."],
    [{ targetType: 'ip', groupName: 'EKS_lab' }, "'groupName' must be lower-case letters, digits, '-' or '.', starting and ending with a letter or digit, at most 63 characters; got 'EKS_lab'."],
    [{ targetType: 'ip', groupName: 'g'.repeat(64) }, "'groupName' must be lower-case letters"],
    [{ targetType: 'ip', groupOrder: 10 }, "'groupOrder' applies only within an IngressGroup; got 10 without 'groupName'. Set 'groupName' too, or remove 'groupOrder'."],
    [{ targetType: 'ip', groupName: 'lab', groupOrder: 1001 }, "'groupOrder' must be a whole number between -1000 and 1000; got 1001. The controller accepts explicit orders from -1000 to 1000."],
    [{ targetType: 'ip', groupName: 'lab', groupOrder: -1001 }, "'groupOrder' must be a whole number between -1000 and 1000; got -1001."],
    [{ targetType: 'ip', containerPort: 0 }, "'containerPort' must be a whole number between 1 and 65535; got 0."],
  ])('%j', (props, message) => {
    expect(() => new IngressWorkloadChart(new App(), 'Chart', props as IngressWorkloadChartProps)).toThrow(`Chart: ${message}`);
  });
});

describe('IngressWorkloadChart, how the pods stop', () => {
  test('by default: a preStop hook sends nginx SIGQUIT at once (the image\'s shell would drop SIGTERM), no gate, no delay attribute', () => {
    const objects = render({ targetType: 'ip' });
    const container = objects.Deployment.spec.template.spec.containers[0];
    expect(container.lifecycle).toEqual({ preStop: { exec: { command: ['nginx', '-s', 'quit'] } } });
    expect(objects.Namespace.metadata.labels).not.toHaveProperty(['elbv2.k8s.aws/pod-readiness-gate-inject']);
    expect(objects.Ingress.metadata.annotations).not.toHaveProperty(['alb.ingress.kubernetes.io/target-group-attributes']);
    expect(objects.Deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
  });

  test('the production practice: the namespace label, a preStop sleep then graceful quit, the grace period, the delay merged with other attributes', () => {
    const chart = new IngressWorkloadChart(new App(), 'Chart', {
      targetType: 'ip', readinessGate: true, preStopDelay: Duration.seconds(15), terminationGracePeriod: Duration.seconds(45),
      deregistrationDelay: Duration.seconds(30), annotations: { 'alb.ingress.kubernetes.io/target-group-attributes': 'stickiness.enabled=false' },
    });
    const objects = Object.fromEntries((chart.toJson() as K8sObject[]).map((o) => [o.kind, o]));
    expect(objects.Namespace.metadata.labels?.['elbv2.k8s.aws/pod-readiness-gate-inject']).toBe('enabled');
    expect(objects.Deployment.spec.template.spec.containers[0].lifecycle.preStop.exec.command).toEqual(['/bin/sh', '-c', 'sleep 15 && nginx -s quit']);
    expect(objects.Deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(45);
    expect(objects.Ingress.metadata.annotations?.['alb.ingress.kubernetes.io/target-group-attributes'])
      .toBe('stickiness.enabled=false,deregistration_delay.timeout_seconds=30');
    expect([chart.readinessGate, chart.shutdown, chart.deregistrationDelay?.toSeconds()])
      .toEqual([true, { preStopDelaySeconds: 15, stopSignal: 'SIGQUIT', terminationGracePeriodSeconds: 45 }, 30]);
    expect(k8sProblems(chart.toJson())).toEqual([]);
  });

  test('the naive stop: SIGTERM to nginx, its fast shutdown', () => {
    expect(render({ targetType: 'instance', stopSignal: 'SIGTERM' }).Deployment.spec.template.spec.containers[0].lifecycle.preStop.exec.command)
      .toEqual(['nginx', '-s', 'stop']);
  });
});

describe('IngressWorkloadChart, cross-zone load balancing', () => {
  const attributes = (props: Partial<IngressWorkloadChartProps>) => {
    const chart = new IngressWorkloadChart(new App(), 'C', { targetType: 'ip', ...props });
    const ingress = (chart.toJson() as { kind: string; metadata: { annotations?: Record<string, string> } }[]).find((o) => o.kind === 'Ingress')!;
    return ingress.metadata.annotations!['alb.ingress.kubernetes.io/target-group-attributes'];
  };

  test('no target-group-attributes annotation by default; the attribute when set, after any the annotations give', () => {
    expect(attributes({})).toBeUndefined();
    expect(attributes({ crossZoneLoadBalancing: 'false' })).toBe('load_balancing.cross_zone.enabled=false');
    expect(attributes({
      crossZoneLoadBalancing: 'false', annotations: { 'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30' },
    })).toBe('deregistration_delay.timeout_seconds=30,load_balancing.cross_zone.enabled=false');
    expect(attributes({ annotations: { 'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30' } }))
      .toBe('deregistration_delay.timeout_seconds=30');
  });
});

describe('IngressWorkloadChart address type', () => {
  test('dualstack and dualstack-without-public-ipv4 are written; ipv4 (the controller\'s default) is not', () => {
    for (const type of ['dualstack', 'dualstack-without-public-ipv4'] as const) {
      const objects = render({ targetType: 'ip', ipAddressType: type });
      expect(objects.Ingress.metadata.annotations!['alb.ingress.kubernetes.io/ip-address-type']).toBe(type);
      expect(k8sProblems(Object.values(objects))).toEqual([]);
    }
    expect(render({ targetType: 'ip' }).Ingress.metadata.annotations).not.toHaveProperty(['alb.ingress.kubernetes.io/ip-address-type']);
    expect(new IngressWorkloadChart(new App(), 'C', { targetType: 'ip' }).ipAddressType).toBe('ipv4');
  });

  test('the annotation comes from the prop only', () => {
    expect(() => render({ targetType: 'ip', annotations: { 'alb.ingress.kubernetes.io/ip-address-type': 'dualstack' } }))
      .toThrow("Chart: 'annotations' must not set 'alb.ingress.kubernetes.io/ip-address-type', which comes from 'ipAddressType'; got 'dualstack'. Set 'ipAddressType' instead.");
  });
});
