import { App } from 'cdk8s';
import { GatewayWorkloadChart, GatewayWorkloadChartProps } from '../../../lib';
import { gatewayObjectValidator } from '../../crds';
import { k8sProblems } from '../../k8s-validate';

function objects(props: GatewayWorkloadChartProps): any[] {
  return new GatewayWorkloadChart(new App(), 'Chart', props).toJson();
}

const byKind = (objs: any[], kind: string) => objs.filter((o) => o.kind === kind);

/** Every Gateway API and gateway.k8s.aws object against its vendored CRD schema, closed: the problems found. */
function schemaProblems(objs: any[]): string[] {
  return objs.filter((o) => /gateway\.(networking\.k8s\.io|k8s\.aws)\//.test(o.apiVersion)).flatMap((o) => {
    const validate = gatewayObjectValidator(o.apiVersion, o.kind);
    return validate(o) ? [] : validate.errors!.map((e) => `${o.kind}/${o.metadata.name}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  });
}

describe('GatewayWorkloadChart on an ALB', () => {
  const objs = objects({ loadBalancer: 'ALB', inboundCidrs: ['203.0.113.7/32'] });

  test('a GatewayClass of gateway.k8s.aws/alb, a Gateway with one HTTP listener and its LoadBalancerConfiguration', () => {
    expect(byKind(objs, 'GatewayClass')).toEqual([expect.objectContaining({
      apiVersion: 'gateway.networking.k8s.io/v1', metadata: expect.objectContaining({ name: 'eks-lb-lab-alb' }),
      spec: expect.objectContaining({ controllerName: 'gateway.k8s.aws/alb' }),
    })]);
    expect(byKind(objs, 'Gateway')).toEqual([expect.objectContaining({
      metadata: expect.objectContaining({ name: 'echo', namespace: 'gateway-alb' }),
      spec: {
        gatewayClassName: 'eks-lb-lab-alb',
        infrastructure: { parametersRef: { group: 'gateway.k8s.aws', kind: 'LoadBalancerConfiguration', name: 'echo' } },
        listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }],
      },
    })]);
    expect(byKind(objs, 'LoadBalancerConfiguration').map((o) => [o.apiVersion, o.spec])).toEqual([
      ['gateway.k8s.aws/v1', { scheme: 'internet-facing', sourceRanges: ['203.0.113.7/32'] }],
    ]);
  });

  test('HTTPRoutes /ip and /instance to a ClusterIP and a NodePort Service, each with a TargetGroupConfiguration', () => {
    expect(byKind(objs, 'HTTPRoute').map((r) => [r.metadata.name, r.spec.parentRefs, r.spec.rules])).toEqual(['ip', 'instance'].map((t) => [
      `echo-${t}`, [{ name: 'echo', sectionName: 'http' }],
      [{ matches: [{ path: { type: 'PathPrefix', value: `/${t}` } }], backendRefs: [{ name: `echo-${t}`, port: 80 }] }],
    ]));
    expect(byKind(objs, 'Service').map((s) => [s.metadata.name, s.spec.type, s.spec.externalTrafficPolicy])).toEqual([
      ['echo-ip', 'ClusterIP', undefined], ['echo-instance', 'NodePort', 'Cluster'],
    ]);
    expect(byKind(objs, 'TargetGroupConfiguration').map((o) => [o.metadata.name, o.spec])).toEqual(['ip', 'instance'].map((t) => [
      `echo-${t}`, { targetReference: { kind: 'Service', name: `echo-${t}` }, defaultConfiguration: { targetType: t } },
    ]));
  });

  test('every object validates: Gateway API and gateway.k8s.aws ones against the vendored CRDs, closed; the rest as Kubernetes', () => {
    expect(schemaProblems(objs)).toEqual([]);
    expect(k8sProblems(objs)).toEqual([]);
    // Closed: a field the API server would prune fails, as does a value outside an enum.
    const tgc = byKind(objs, 'TargetGroupConfiguration')[0];
    expect(schemaProblems([{ ...tgc, spec: { ...tgc.spec, defaultConfiguration: { targetType: 'pod' } } }])).toHaveLength(1);
    expect(schemaProblems([{ ...tgc, spec: { ...tgc.spec, targetRef: {} } }])).toEqual([expect.stringMatching(/additionalProperty":"targetRef"/)]);
  });

  test('the namespace comes first, the routes after their Gateway, Service and TargetGroupConfiguration', () => {
    const order = objs.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(order[0]).toBe('Namespace/gateway-alb');
    for (const t of ['ip', 'instance']) {
      for (const first of ['Gateway/echo', `Service/echo-${t}`, `TargetGroupConfiguration/echo-${t}`]) {
        expect(order.indexOf(first)).toBeLessThan(order.indexOf(`HTTPRoute/echo-${t}`));
      }
    }
  });
});

describe('GatewayWorkloadChart on an NLB', () => {
  const objs = objects({ loadBalancer: 'NLB', externalTrafficPolicy: 'Local', nodePort: 30090, scheme: 'internal' });

  test('two TCP listeners, a TCPRoute on each, preservation written out per target group', () => {
    const gateway = byKind(objs, 'Gateway')[0];
    expect(gateway.spec.gatewayClassName).toBe('eks-lb-lab-nlb');
    expect(gateway.spec.listeners).toEqual([{ name: 'ip', protocol: 'TCP', port: 80 }, { name: 'instance', protocol: 'TCP', port: 81 }]);
    expect(byKind(objs, 'GatewayClass')[0].spec.controllerName).toBe('gateway.k8s.aws/nlb');
    expect(byKind(objs, 'TCPRoute').map((r) => [r.metadata.name, r.spec])).toEqual(['ip', 'instance'].map((t) => [
      `echo-${t}`, { parentRefs: [{ name: 'echo', sectionName: t }], rules: [{ backendRefs: [{ name: `echo-${t}`, port: 80 }] }] },
    ]));
    expect(byKind(objs, 'TargetGroupConfiguration').map((o) => o.spec.defaultConfiguration)).toEqual([
      { targetType: 'ip', targetGroupAttributes: [{ key: 'preserve_client_ip.enabled', value: 'false' }] },
      { targetType: 'instance', targetGroupAttributes: [{ key: 'preserve_client_ip.enabled', value: 'true' }] },
    ]);
    expect(byKind(objs, 'Service')[1].spec).toEqual(expect.objectContaining({
      externalTrafficPolicy: 'Local', ports: [expect.objectContaining({ nodePort: 30090 })],
    }));
    expect(byKind(objs, 'LoadBalancerConfiguration')[0].spec).toEqual({ scheme: 'internal', sourceRanges: ['0.0.0.0/0'] });
    expect(schemaProblems(objs)).toEqual([]);
  });

  test('listener ports and preservation as given', () => {
    const o = objects({ loadBalancer: 'NLB', listenerPorts: { ip: 8080, instance: 8081 }, preserveClientIp: { ip: true } });
    expect(byKind(o, 'Gateway')[0].spec.listeners.map((l: { port: number }) => l.port)).toEqual([8080, 8081]);
    expect(byKind(o, 'TargetGroupConfiguration')[0].spec.defaultConfiguration.targetGroupAttributes[0].value).toBe('true');
  });
});

describe('GatewayWorkloadChart refuses what the controller or the API server would', () => {
  test.each([
    [{ loadBalancer: 'GLB' as never }, /'loadBalancer' must be one of 'ALB', 'NLB'; got 'GLB'/],
    [{ loadBalancer: 'NLB' as const, listenerPorts: { ip: 81, instance: 81 } }, /'listenerPorts' must give the two TCP listeners different ports; got 81 for both/],
    [{ loadBalancer: 'NLB' as const, listenerPorts: { ip: 0 } }, /'listenerPorts.ip' must be a whole number between 1 and 65535; got 0/],
    [{ loadBalancer: 'ALB' as const, listenerPorts: { ip: 8080 } }, /'listenerPorts' applies only to an NLB Gateway/],
    [{ loadBalancer: 'ALB' as const, preserveClientIp: { ip: true } }, /'preserveClientIp' applies only to an NLB Gateway/],
    [{ loadBalancer: 'ALB' as const, inboundCidrs: [] }, /'inboundCidrs' must list at least one CIDR block; got \[\]/],
    [{ loadBalancer: 'ALB' as const, nodePort: 80 }, /'nodePort' must be a whole number between 30000 and 32767; got 80/],
    [{ loadBalancer: 'ALB' as const, gatewayClassName: 'Bad_Name' }, /'gatewayClassName' must be a DNS-1123 subdomain/],
    [{ loadBalancer: 'ALB' as const, externalTrafficPolicy: 'Nearby' as never }, /'externalTrafficPolicy' must be one of 'Cluster', 'Local'; got 'Nearby'/],
  ])('%j', (props, message) => {
    expect(() => objects(props)).toThrow(message);
  });

  test('a GatewayClass name may have dots, as any cluster-scoped name', () => {
    expect(byKind(objects({ loadBalancer: 'ALB', gatewayClassName: 'alb.lab.example' }), 'Gateway')[0].spec.gatewayClassName).toBe('alb.lab.example');
  });
});
