import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { Duration } from 'aws-cdk-lib';
import { GatewayWorkloadChart, GatewayWorkloadChartProps, IngressWorkloadChart, IngressWorkloadChartProps, NlbWorkloadChart, NlbWorkloadChartProps, TargetGroupBindingChart } from '../../../lib';
import { ExpectedPath, KubernetesObject, PATH_TABLE_COLUMNS, PathModelError, describePath, expectedPaths, pathTable, pathTableMarkdown, zoneHopsText } from '../../../lib/experiment';
import { LAB_PATHS, expectedPath, labPath, unavailable } from '../../../lab-stacks/catalogue';
import { } from '../../../lab-stacks/lab-app';
import { LAB_DEFAULTS } from '../../../lab-stacks/settings';
import { ROOT } from '../../paths';
import { albProps, nlbProps, tgbProps } from '../../lab-charts';

const chartObjects = (props: IngressWorkloadChartProps): KubernetesObject[] =>
  new IngressWorkloadChart(new App(), 'Chart', props).toJson();

const only = (objects: readonly KubernetesObject[], options = {}): ExpectedPath => {
  const paths = expectedPaths(objects, options);
  expect(paths).toHaveLength(1);
  return paths[0];
};

/** The fields of the truth table. */
const row = (p: ExpectedPath) => ({
  lb: p.loadBalancer, target: p.targetType, registers: p.targetGroup.registers, healthy: p.targetGroup.healthyTargets,
  kubeProxy: p.kubeProxy, nodeSnat: p.nodeSnat, peer: p.podPeer, clientIp: p.clientIp, xff: p.xForwardedFor, crossNode: p.crossNode,
});

const deployment: KubernetesObject = {
  kind: 'Deployment', metadata: { name: 'echo', namespace: 'nlb' },
  spec: { template: { spec: { containers: [{ name: 'echo', ports: [{ name: 'http', containerPort: 8080 }] }] } } },
};

function nlbService(opts: {
  targetType?: 'ip' | 'instance'; etp?: 'Cluster' | 'Local'; attributes?: string; proxyProtocol?: boolean;
  lbClass?: string | null; annotations?: Record<string, string>;
} = {}): KubernetesObject {
  const annotations: Record<string, string> = { ...opts.annotations };
  if (opts.targetType) annotations['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'] = opts.targetType;
  if (opts.attributes) annotations['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes'] = opts.attributes;
  if (opts.proxyProtocol) annotations['service.beta.kubernetes.io/aws-load-balancer-proxy-protocol'] = '*';
  return {
    kind: 'Service', metadata: { name: 'echo', namespace: 'nlb', annotations },
    spec: {
      type: 'LoadBalancer',
      ...(opts.lbClass === null ? {} : { loadBalancerClass: opts.lbClass ?? 'service.k8s.aws/nlb' }),
      ...(opts.etp ? { externalTrafficPolicy: opts.etp } : {}),
      ports: [{ port: 80, targetPort: 'http', nodePort: 30090 }],
    },
  };
}

function tgb(name: string, targetType: 'ip' | 'instance', serviceType: 'ClusterIP' | 'NodePort', etp?: 'Local'): KubernetesObject[] {
  return [
    { ...deployment, metadata: { name: 'echo', namespace: 'tgb' } },
    {
      kind: 'Service', metadata: { name: `svc-${name}`, namespace: 'tgb' },
      spec: { type: serviceType, ...(etp ? { externalTrafficPolicy: etp } : {}), ports: [{ port: 80, targetPort: 8080, ...(serviceType === 'NodePort' ? { nodePort: 30100 } : {}) }] },
    },
    { apiVersion: 'elbv2.k8s.aws/v1beta1', kind: 'TargetGroupBinding', metadata: { name, namespace: 'tgb' }, spec: { targetType, serviceRef: { name: `svc-${name}`, port: 80 } } },
  ];
}

describe('ALB paths from the lab\'s own charts', () => {
  const workloads = albProps(LAB_DEFAULTS);

  test('ip: ALB → pod, no kube-proxy, the pod sees an ALB address, client in X-Forwarded-For', () => {
    const p = only(chartObjects(workloads.ip));
    expect(row(p)).toEqual({
      lb: 'ALB', target: 'ip', registers: 'pods', healthy: 'ready-pods', kubeProxy: false, nodeSnat: false,
      peer: 'load-balancer', clientIp: 'x-forwarded-for', xff: true, crossNode: false,
    });
    expect(p.targetGroup).toMatchObject({ port: 8080, healthCheck: { protocol: 'HTTP', path: '/', port: 8080 } });
    expect(p.listener).toEqual({ protocol: 'HTTP', port: 80 });
    expect(p.workload).toEqual({ namespace: 'ip-mode', name: 'echo', replicas: 2, containerPort: 8080, servicePort: 80 });
    expect(p.hops.map((h) => h.to)).toEqual(['ALB', 'pod']);
    expect(p.id).toBe('Ingress/ip-mode/echo -> Service/ip-mode/echo');
  });

  test('instance + Cluster: every node on the NodePort, DNAT and SNAT, the pod sees a node, maybe another node', () => {
    const p = only(chartObjects(workloads.instance));
    expect(row(p)).toEqual({
      lb: 'ALB', target: 'instance', registers: 'nodes', healthy: 'every-node', kubeProxy: true, nodeSnat: true,
      peer: 'node', clientIp: 'x-forwarded-for', xff: true, crossNode: true,
    });
    expect(p.targetGroup).toMatchObject({ port: 30080, healthCheck: { protocol: 'HTTP', path: '/', port: 30080 } });
    expect(p.workload).toMatchObject({ namespace: 'instance-mode', nodePort: 30080, servicePort: 80, containerPort: 8080 });
    expect(p.hops.map((h) => h.to)).toEqual(['ALB', 'node', 'pod']);
    expect(p.externalTrafficPolicy).toBe('Cluster');
  });

  test('instance + Local: DNAT without SNAT, the pod sees the ALB again, only nodes with a local pod pass', () => {
    const p = only(chartObjects({ ...workloads.instance, externalTrafficPolicy: 'Local' }));
    expect(row(p)).toEqual({
      lb: 'ALB', target: 'instance', registers: 'nodes', healthy: 'nodes-with-local-endpoints', kubeProxy: true, nodeSnat: false,
      peer: 'load-balancer', clientIp: 'x-forwarded-for', xff: true, crossNode: false,
    });
  });

  test('the client address is in X-Forwarded-For in every ALB mode; what differs is the TCP peer', () => {
    const paths = [workloads.ip, workloads.instance, { ...workloads.instance, externalTrafficPolicy: 'Local' as const }]
      .map((w) => only(chartObjects(w)));
    expect(paths.map((p) => p.clientIp)).toEqual(['x-forwarded-for', 'x-forwarded-for', 'x-forwarded-for']);
    expect(paths.map((p) => p.podPeer)).toEqual(['load-balancer', 'node', 'load-balancer']);
  });

  test('without a target-type annotation the controller uses instance; a Service annotation overrides the Ingress', () => {
    const objects = chartObjects(workloads.instance);
    const ingress = objects.find((o) => o.kind === 'Ingress')!;
    const { 'alb.ingress.kubernetes.io/target-type': _t, ...rest } = ingress.metadata!.annotations!;
    const bare = objects.map((o) => (o === ingress ? { ...o, metadata: { ...o.metadata, annotations: rest } } : o));
    expect(only(bare).targetType).toBe('instance');
    const overridden = objects.map((o) => (o.kind === 'Service'
      ? { ...o, metadata: { ...o.metadata, annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' } } } : o));
    expect(only(overridden).targetType).toBe('ip');
  });

  test('a health-check path annotation reaches the model', () => {
    const p = only(chartObjects({ ...workloads.ip, healthCheckPath: '/healthz' }));
    expect(p.targetGroup.healthCheck).toEqual({ protocol: 'HTTP', path: '/healthz', port: 8080 });
  });
});

describe('NLB paths', () => {
  test.each([
    ['ip, preservation off by default', { targetType: 'ip' as const }, { peer: 'load-balancer', clientIp: 'none', registers: 'pods', kubeProxy: false }],
    ['ip, preserve_client_ip.enabled=true', { targetType: 'ip' as const, attributes: 'preserve_client_ip.enabled=true' }, { peer: 'client', clientIp: 'tcp-source', registers: 'pods', kubeProxy: false }],
    ['instance + Cluster (preservation on by default)', { targetType: 'instance' as const }, { peer: 'node', clientIp: 'none', registers: 'nodes', kubeProxy: true, nodeSnat: true, crossNode: true }],
    ['instance + Local', { targetType: 'instance' as const, etp: 'Local' as const }, { peer: 'client', clientIp: 'tcp-source', registers: 'nodes', healthy: 'nodes-with-local-endpoints', nodeSnat: false, crossNode: false }],
    ['instance + Local, preservation off', { targetType: 'instance' as const, etp: 'Local' as const, attributes: 'preserve_client_ip.enabled=false' }, { peer: 'load-balancer', clientIp: 'none' }],
    ['no target-type annotation: instance', {}, { target: 'instance', peer: 'node' }],
    ['ip with proxy protocol v2', { targetType: 'ip' as const, proxyProtocol: true }, { peer: 'load-balancer', clientIp: 'proxy-protocol' }],
    ['proxy protocol v2 through the attributes', { targetType: 'ip' as const, attributes: 'proxy_protocol_v2.enabled=true' }, { clientIp: 'proxy-protocol' }],
  ])('%s', (_name, opts, expected) => {
    const p = only([deployment, nlbService(opts)]);
    expect(row(p)).toMatchObject({ lb: 'NLB', xff: false, ...expected });
    expect(p.provisioner).toBe('aws-load-balancer-controller');
  });

  test('ip targets use the pod port, looked up by name in the Deployment', () => {
    expect(only([deployment, nlbService({ targetType: 'ip' })]).targetGroup).toMatchObject({ port: 8080, healthCheck: { protocol: 'TCP', port: 8080 } });
  });

  test('instance + Local health-checks the healthCheckNodePort over HTTP /healthz', () => {
    const svc = nlbService({ targetType: 'instance', etp: 'Local' });
    const p = only([deployment, { ...svc, spec: { ...svc.spec, healthCheckNodePort: 32001 } }]);
    expect(p.targetGroup).toMatchObject({ port: 30090, healthCheck: { protocol: 'HTTP', path: '/healthz', port: 32001 } });
    expect(p.workload).toMatchObject({ nodePort: 30090, healthCheckNodePort: 32001 });
  });

  test('proxy protocol v2 with instance + Local carries a warning', () => {
    const p = only([deployment, nlbService({ targetType: 'instance', etp: 'Local', proxyProtocol: true })]);
    expect(p.notes.join('\n')).toMatch(/proxy protocol v2 with instance targets and Local/);
  });

  test('instance + Cluster with preservation: kube-proxy masquerades the client away', () => {
    const p = only([deployment, nlbService({ targetType: 'instance', attributes: 'preserve_client_ip.enabled=true' })]);
    expect(p.clientIp).toBe('none');
    expect(p.notes.join('\n')).toMatch(/kube-proxy masquerades it to the node/);
  });

  test('the legacy type annotation nlb-ip means ip targets', () => {
    const p = only([deployment, nlbService({ lbClass: null, annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb-ip' } })]);
    expect(row(p)).toMatchObject({ lb: 'NLB', target: 'ip' });
  });
});

describe('a plain type: LoadBalancer Service', () => {
  const plain = nlbService({ lbClass: null });

  test('with the service mutator webhook (the chart default) the controller makes an NLB with instance targets', () => {
    const p = only([deployment, plain]);
    expect(row(p)).toMatchObject({ lb: 'NLB', target: 'instance', peer: 'node' });
    expect(p.provisioner).toBe('aws-load-balancer-controller');
    expect(p.notes.join('\n')).toMatch(/webhook sets service.k8s.aws\/nlb/);
    expect([p.entryPoint, p.classFromWebhook]).toEqual(['Service', true]);
    expect(only([deployment, nlbService({ targetType: 'ip' })]).classFromWebhook).toBe(false);
  });

  test('without it the in-tree cloud provider makes a Classic Load Balancer in instance mode', () => {
    const p = only([deployment, plain], { enableServiceMutatorWebhook: false });
    expect(row(p)).toMatchObject({ lb: 'CLB', target: 'instance', registers: 'nodes', peer: 'node', clientIp: 'none', xff: false });
    expect(p.provisioner).toBe('in-tree-cloud-provider');
    const local = only([deployment, { ...plain, spec: { ...plain.spec, externalTrafficPolicy: 'Local' } }], { enableServiceMutatorWebhook: false });
    expect(row(local)).toMatchObject({ lb: 'CLB', peer: 'load-balancer', healthy: 'nodes-with-local-endpoints' });
  });

  const typed = (type: string, targetType?: 'ip' | 'instance') =>
    nlbService({ lbClass: null, targetType, annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': type } });

  test('external with a target type goes to the controller even with the webhook off, by the annotation', () => {
    const p = only([deployment, typed('external', 'ip')], { enableServiceMutatorWebhook: false });
    expect([p.loadBalancer, p.provisioner, p.targetType, p.classFromWebhook]).toEqual(['NLB', 'aws-load-balancer-controller', 'ip', false]);
    expect(p.notes.join('\n')).toMatch(/takes it by its aws-load-balancer-type annotation 'external'/);
  });

  test('external without a target type and the webhook off: nobody makes a load balancer', () => {
    expect(() => only([deployment, typed('external')], { enableServiceMutatorWebhook: false })).toThrow(new PathModelError(
      "Service/nlb/echo has aws-load-balancer-type 'external' without aws-load-balancer-nlb-target-type and no loadBalancerClass, " +
      'with enableServiceMutatorWebhook=false: the controller takes such a Service only with a target type of ip or instance, ' +
      "and the cloud provider leaves 'external' to the controller, so no load balancer is made. Add " +
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type, or set spec.loadBalancerClass to service.k8s.aws/nlb.'));
  });

  test('external without a target type, webhook on: the class from the webhook, the controller\'s default target type instance', () => {
    const p = only([deployment, typed('external')]);
    expect([p.loadBalancer, p.targetType, p.classFromWebhook]).toEqual(['NLB', 'instance', true]);
    expect(p.notes.join('\n')).toMatch(/default target type, instance \(--default-target-type\)/);
  });

  test('type nlb with the webhook off: the in-tree cloud provider makes an NLB with instance targets, not a CLB', () => {
    const p = only([deployment, typed('nlb')], { enableServiceMutatorWebhook: false });
    expect(row(p)).toMatchObject({ lb: 'NLB', target: 'instance', registers: 'nodes', peer: 'node', crossNode: true });
    expect([p.provisioner, p.preserveClientIp]).toEqual(['in-tree-cloud-provider', true]);
    expect(describePath(p)).toBe('NLB instance, Cluster, preservation on, no class, in-tree cloud provider');
    expect(p.targetGroup).toMatchObject({ healthCheck: { protocol: 'TCP', port: 30090 } });
    // With the webhook on the class is set on create, whatever the type annotation says.
    expect(only([deployment, typed('nlb')]).provisioner).toBe('aws-load-balancer-controller');
  });
});

describe('named health-check ports are ports of the backend Service', () => {
  const svc = (targetPort: number | string): KubernetesObject => ({
    kind: 'Service', metadata: { name: 'echo', namespace: 'nlb' },
    spec: { type: 'NodePort', ports: [{ name: 'web', port: 80, targetPort: 8080, nodePort: 30080 }, { name: 'health', port: 81, targetPort, nodePort: 30081 }] },
  });
  const ingress = (targetType: string, hcPort: string): KubernetesObject => ({
    kind: 'Ingress', metadata: { name: 'echo', namespace: 'nlb', annotations: {
      'alb.ingress.kubernetes.io/target-type': targetType, 'alb.ingress.kubernetes.io/healthcheck-port': hcPort,
    } },
    spec: { ingressClassName: 'alb', rules: [{ http: { paths: [{ backend: { service: { name: 'echo' } } }] } }] },
  });

  test('instance targets: the named port\'s NodePort; ip targets: its numeric targetPort; a number stays a number', () => {
    expect(only([deployment, svc(9090), ingress('instance', 'health')]).targetGroup.healthCheck.port).toBe(30081);
    expect(only([deployment, svc(9090), ingress('ip', 'health')]).targetGroup.healthCheck.port).toBe(9090);
    expect(only([deployment, svc(9090), ingress('ip', '9091')]).targetGroup.healthCheck.port).toBe(9091);
    expect(only([deployment, svc(9090), ingress('ip', 'traffic-port')]).targetGroup.healthCheck.port).toBe(8080);
  });

  test('a name the Service lacks, or a named targetPort with ip targets, is what the controller refuses', () => {
    expect(() => only([deployment, svc(9090), ingress('ip', 'metrics')])).toThrow(/health-check port 'metrics' is not a port name of Service\/nlb\/echo/);
    expect(() => only([deployment, svc('http'), ingress('ip', 'health')])).toThrow(/targetPort is the name 'http'; the controller cannot use it for ip targets/);
  });

  test('an NLB Service: the health-check port, protocol and path annotations', () => {
    const p = only([deployment, nlbService({ targetType: 'instance', annotations: {
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port': '32000',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol': 'http',
      'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path': '/ready',
    } })]);
    expect(p.targetGroup).toMatchObject({ healthCheck: { protocol: 'HTTP', path: '/ready', port: 32000 } });
  });
});

describe('TargetGroupBinding paths', () => {
  test('behind an ALB (the default): the same data path as the ALB modes', () => {
    expect(row(only(tgb('ip', 'ip', 'ClusterIP')))).toMatchObject({ lb: 'ALB', target: 'ip', peer: 'load-balancer', clientIp: 'x-forwarded-for' });
    expect(row(only(tgb('inst', 'instance', 'NodePort')))).toMatchObject({ lb: 'ALB', target: 'instance', peer: 'node', crossNode: true });
    expect(only(tgb('ip', 'ip', 'ClusterIP')).entryPoint).toBe('TargetGroupBinding');
  });

  test('behind an NLB: the NLB rows, preservation from the target group', () => {
    const options = { targetGroupLoadBalancers: { ip: 'NLB' as const, inst: 'NLB' as const } };
    expect(row(only(tgb('ip', 'ip', 'ClusterIP'), options))).toMatchObject({ lb: 'NLB', peer: 'load-balancer', clientIp: 'none' });
    expect(row(only(tgb('ip', 'ip', 'ClusterIP'), { ...options, targetGroupPreserveClientIp: { ip: true } }))).toMatchObject({ peer: 'client', clientIp: 'tcp-source' });
    expect(row(only(tgb('inst', 'instance', 'NodePort', 'Local'), options))).toMatchObject({ lb: 'NLB', peer: 'client', crossNode: false });
  });
});

describe('Gateway API paths', () => {
  const gw = (props: Partial<GatewayWorkloadChartProps> = {}): KubernetesObject[] =>
    new GatewayWorkloadChart(new App(), 'Chart', { loadBalancer: 'ALB', ...props }).toJson();
  const replace = (objects: KubernetesObject[], kind: string, name: string, change: (o: any) => object) =>
    objects.map((o) => (o.kind === kind && o.metadata?.name === name ? { ...o, ...change(o) } : o));

  test('an HTTPRoute per Service on the ALB Gateway: the rows of the Ingress paths of the same target type', () => {
    const [ip, instance] = expectedPaths(gw());
    const ingress = (targetType: 'ip' | 'instance') => only(chartObjects({ ...albProps(LAB_DEFAULTS)[targetType], nodePort: undefined }));
    expect([ip.entryPoint, ip.listener, ip.id]).toEqual(['HTTPRoute', { protocol: 'HTTP', port: 80 }, 'HTTPRoute/gateway-alb/echo-ip -> Service/gateway-alb/echo-ip']);
    expect(row(ip)).toEqual(row(ingress('ip')));
    expect(row(instance)).toEqual(row(ingress('instance')));
    expect(instance.targetGroup.healthCheck).toEqual({ protocol: 'HTTP', path: '/', port: 'an allocated NodePort' });
    expect(describePath(instance)).toBe('ALB instance, Cluster, Gateway API HTTPRoute');
  });

  test('a TCPRoute per NLB listener: its port, preservation from the TargetGroupConfiguration, Local checks /healthz', () => {
    const [ip, instance] = expectedPaths(gw({ loadBalancer: 'NLB', externalTrafficPolicy: 'Local', preserveClientIp: { ip: true } }));
    expect([ip.listener, ip.preserveClientIp, ip.podPeer, ip.clientIp]).toEqual([{ protocol: 'TCP', port: 80 }, true, 'client', 'tcp-source']);
    expect([instance.listener, instance.targetGroup.healthCheck, instance.targetGroup.healthyTargets]).toEqual([
      { protocol: 'TCP', port: 81 }, { protocol: 'HTTP', path: '/healthz', port: 'healthCheckNodePort' }, 'nodes-with-local-endpoints',
    ]);
    expect(ip.xForwardedFor).toBe(false);
  });

  test('no TargetGroupConfiguration: the Gateway\'s default one, else the controller\'s default, instance', () => {
    const without = gw().filter((o) => !(o.kind === 'TargetGroupConfiguration' && o.metadata?.name === 'echo-ip'));
    expect(() => expectedPaths(without)).toThrow(/instance targets need a NodePort or LoadBalancer Service; Service\/gateway-alb\/echo-ip is ClusterIP/);
    const defaulted = replace(without, 'LoadBalancerConfiguration', 'echo', (o) => ({
      spec: { ...o.spec, defaultTargetGroupConfiguration: { name: 'echo-instance' } },
    }));
    expect(expectedPaths(defaulted.filter((o) => o.kind !== 'HTTPRoute' || o.metadata?.name === 'echo-instance'))[0].targetType).toBe('instance');
    // Field by field: the Service's own configuration keeps its target type over the Gateway's default one.
    const both = replace(gw(), 'LoadBalancerConfiguration', 'echo', (o) => ({ spec: { ...o.spec, defaultTargetGroupConfiguration: { name: 'echo-instance' } } }));
    expect(expectedPaths(both).map((p) => p.targetType)).toEqual(['ip', 'instance']);
    const tgc = gw().find((o) => o.kind === 'TargetGroupConfiguration' && o.metadata?.name === 'echo-instance')!;
    const noType = replace(gw(), 'TargetGroupConfiguration', 'echo-instance', () => ({ spec: { targetReference: (tgc.spec as { targetReference: object }).targetReference } }));
    expect(expectedPaths(noType)[1].notes).toEqual([expect.stringMatching(/the controller's default target type, instance/)]);
  });

  test('a TargetGroupConfiguration health check and proxy protocol reach the model', () => {
    const objects = replace(gw({ loadBalancer: 'NLB' }), 'TargetGroupConfiguration', 'echo-ip', (o) => ({ spec: { ...o.spec, defaultConfiguration: {
      targetType: 'ip', healthCheckConfig: { healthCheckProtocol: 'HTTP', healthCheckPath: '/ready', healthCheckPort: '9090' },
      targetGroupAttributes: [{ key: 'proxy_protocol_v2.enabled', value: 'true' }],
    } } }));
    const ip = expectedPaths(objects)[0];
    expect([ip.targetGroup.healthCheck, ip.proxyProtocol, ip.clientIp]).toEqual([{ protocol: 'HTTP', path: '/ready', port: 9090 }, true, 'proxy-protocol']);
  });

  test('what the controller would not serve is one line', () => {
    expect(() => expectedPaths(gw().filter((o) => o.kind !== 'Gateway')))
      .toThrow('HTTPRoute/gateway-alb/echo-ip attaches to Gateway gateway-alb/echo, which is not among the objects; pass it too.');
    expect(() => expectedPaths(replace(gw(), 'GatewayClass', 'eks-lb-lab-alb', (o) => ({ spec: { ...o.spec, controllerName: 'example.com/gw' } }))))
      .toThrow("Gateway/gateway-alb/echo has GatewayClass 'eks-lb-lab-alb' of controller 'example.com/gw'; the AWS Load Balancer Controller serves gateway.k8s.aws/alb and gateway.k8s.aws/nlb.");
    expect(() => expectedPaths(replace(gw(), 'GatewayClass', 'eks-lb-lab-alb', (o) => ({ spec: { ...o.spec, controllerName: 'gateway.k8s.aws/nlb' } }))))
      .toThrow('HTTPRoute/gateway-alb/echo-ip is an HTTPRoute on Gateway/gateway-alb/echo, an NLB Gateway; the controller serves HTTPRoutes on ALB Gateways only.');
    expect(() => expectedPaths(replace(gw(), 'HTTPRoute', 'echo-ip', (o) => ({ spec: { ...o.spec, parentRefs: [{ name: 'echo', sectionName: 'https' }] } }))))
      .toThrow("HTTPRoute/gateway-alb/echo-ip finds no HTTP or HTTPS listener named 'https' on Gateway/gateway-alb/echo.");
  });
});

describe('objects the model cannot read', () => {
  test('an Ingress whose Service is missing', () => {
    const objects = chartObjects(albProps(LAB_DEFAULTS).ip).filter((o) => o.kind !== 'Service');
    expect(() => expectedPaths(objects)).toThrow(/sends to Service ip-mode\/echo, which is not among the objects/);
  });

  test('an unknown target type', () => {
    expect(() => expectedPaths([deployment, nlbService({ annotations: { 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'alb' } })]))
      .toThrow(PathModelError);
  });

  test('instance targets on a ClusterIP Service', () => {
    expect(() => expectedPaths(tgb('x', 'instance', 'ClusterIP'))).toThrow(/instance targets need a NodePort or LoadBalancer Service/);
  });

  test('a load balancer class nobody here serves', () => {
    expect(() => expectedPaths([nlbService({ lbClass: 'example.com/lb' })])).toThrow(/loadBalancerClass 'example.com\/lb'/);
  });

  test('objects with no entry point give no paths', () => {
    expect(expectedPaths([deployment])).toEqual([]);
  });
});

describe('the table', () => {
  test('one row per path, a cell per column', () => {
    const workloads = albProps(LAB_DEFAULTS);
    const paths = [...expectedPaths(chartObjects(workloads.ip)), ...expectedPaths(chartObjects(workloads.instance))];
    expect(pathTable(paths)).toEqual([
      ['ALB ip', 'pod IPs :8080', 'ready pods', 'client → ALB → pod', 'no', 'ALB is the source', 'a load balancer address', 'X-Forwarded-For'],
      ['ALB instance, Cluster', 'every node :30080', 'every node', 'client → ALB → node → pod', 'DNAT', 'to the node (kube-proxy)', 'a node address', 'X-Forwarded-For'],
    ]);
    const md = pathTableMarkdown(paths).split('\n');
    expect(md[0]).toBe(`| ${PATH_TABLE_COLUMNS.join(' | ')} |`);
    expect(md).toHaveLength(5);
  });
});

describe('the README', () => {
  /** One path per row of the README's table of paths, each from the lab's own charts where the lab has one. */
  function readmePaths(): ExpectedPath[] {
    const workloads = albProps(LAB_DEFAULTS);
    const nlb = nlbProps(LAB_DEFAULTS);
    const nlbChart = (props: NlbWorkloadChartProps) => new NlbWorkloadChart(new App(), 'Chart', props).toJson();
    const { inboundCidrs: _cidrs, ...tgb } = tgbProps(LAB_DEFAULTS);
    const tgbChart = new TargetGroupBindingChart(new App(), 'Chart', {
      ...tgb, ipTargetGroupArn: 'tg-ip', instanceTargetGroupArn: 'tg-instance', vpcId: 'vpc', loadBalancerSecurityGroupId: 'sg',
    });
    // A plain LoadBalancer Service in front of the ALB lab's pods, as `kubectl expose` makes it (no class, no annotation).
    const ipObjects = chartObjects(workloads.ip);
    const plain: KubernetesObject = {
      kind: 'Service', metadata: { name: 'plain', namespace: 'ip-mode' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80, targetPort: 8080 }] },
    };
    return [
      ...expectedPaths(chartObjects(workloads.ip)),
      ...expectedPaths(chartObjects(workloads.instance)),
      ...expectedPaths(chartObjects({ ...workloads.instance, externalTrafficPolicy: 'Local' })),
      only(nlbChart(nlb.ip)),
      only(nlbChart({ ...nlb.ip, preserveClientIp: true })),
      only(nlbChart({ ...nlb.ip, proxyProtocolV2: true })),
      only(nlbChart(nlb.instance)),
      only(nlbChart({ ...nlb.instance, externalTrafficPolicy: 'Local' })),
      ...expectedPaths(tgbChart.toJson(), { targetGroupLoadBalancers: { [tgbChart.bindings.ip.name]: 'ALB', [tgbChart.bindings.instance.name]: 'ALB' } }),
      only([...ipObjects, plain].filter((o) => o.kind !== 'Ingress')),
      only([...ipObjects, plain].filter((o) => o.kind !== 'Ingress'), { enableServiceMutatorWebhook: false }),
      ...expectedPaths(new GatewayWorkloadChart(new App(), 'GatewayAlb', { loadBalancer: 'ALB' }).toJson()),
      ...expectedPaths(new GatewayWorkloadChart(new App(), 'GatewayNlb', { loadBalancer: 'NLB' }).toJson()),
    ];
  }

  test('its table of paths is the model\'s, one row for each path of the lab and the plain LoadBalancer both ways', () => {
    expect(readmePaths().map(describePath)).toEqual([
      'ALB ip', 'ALB instance, Cluster', 'ALB instance, Local',
      'NLB ip, preservation off', 'NLB ip, preservation on', 'NLB ip, preservation off, proxy protocol',
      'NLB instance, Cluster, preservation on', 'NLB instance, Local, preservation on',
      'ALB ip, TargetGroupBinding', 'ALB instance, Cluster, TargetGroupBinding',
      'NLB instance, Cluster, preservation on, no class, set by the webhook', 'CLB instance, Cluster, no class, in-tree cloud provider',
      'ALB ip, Gateway API HTTPRoute', 'ALB instance, Cluster, Gateway API HTTPRoute',
      'NLB ip, preservation off, Gateway API TCPRoute', 'NLB instance, Cluster, preservation on, Gateway API TCPRoute',
    ]);
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const table = /<!-- paths table: generated from the path model -->\n([\s\S]*?)\n<!-- end of paths table -->/.exec(readme)?.[1];
    expect(`${table}\n`).toBe(pathTableMarkdown(readmePaths()));
  });
});

describe('how the pods stop, read from the objects', () => {
  test('the chart\'s knobs: readiness gate label, preStop sleep and signal, grace period, deregistration delay, rolling update', () => {
    const p = only(chartObjects({
      targetType: 'ip', replicas: 4, readinessGate: true, preStopDelay: Duration.seconds(15), terminationGracePeriod: Duration.seconds(40),
      deregistrationDelay: Duration.seconds(20),
    }));
    expect(p.shutdown).toEqual({
      readinessGate: true, preStopDelaySeconds: 15, stop: 'graceful', terminationGracePeriodSeconds: 40,
      deregistrationDelaySeconds: 20, deregistrationDelayFromObjects: true, maxSurge: 1, maxUnavailable: 1,
    });
  });

  test('defaults where the objects say nothing: no gate, SIGTERM, 30 s grace, 300 s delay, 25% surge (up) and unavailability (down) of one replica', () => {
    const p = only([...tgb('plain', 'ip', 'ClusterIP')], {});
    expect(p.shutdown).toEqual({
      readinessGate: false, preStopDelaySeconds: 0, stop: 'sigterm', terminationGracePeriodSeconds: 30,
      deregistrationDelaySeconds: 300, deregistrationDelayFromObjects: false, maxSurge: 1, maxUnavailable: 0,
    });
  });

  test('an injection label on an instance path gives no gate; a fast stop is read from the hook; surge and unavailability as counts', () => {
    const objects = chartObjects({ targetType: 'instance', stopSignal: 'SIGTERM', replicas: 3 }).map((o) => (o.kind === 'Namespace'
      ? { ...o, metadata: { ...o.metadata, labels: { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } } }
      : o.kind === 'Deployment' ? { ...o, spec: { ...o.spec, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } } } : o));
    expect(only(objects).shutdown).toMatchObject({ readinessGate: false, stop: 'fast', preStopDelaySeconds: 0, maxSurge: 0, maxUnavailable: 1 });
  });
});

describe('zones: which hops may cross them', () => {
  const alb = (props: Partial<IngressWorkloadChartProps>) => only(chartObjects({ targetType: 'ip', ...props }));

  test('an ALB balances across zones unless its target group says false; only instance + Cluster adds the node hop', () => {
    expect(alb({}).crossZone).toBe(true);
    expect(alb({}).zoneHops).toEqual(['load-balancer-to-target']);
    expect(alb({ crossZoneLoadBalancing: 'use_load_balancer_configuration' }).crossZone).toBe(true);
    expect(alb({ crossZoneLoadBalancing: 'false' }).zoneHops).toEqual([]);
    expect(alb({ targetType: 'instance' }).zoneHops).toEqual(['load-balancer-to-target', 'node-to-pod']);
    expect(alb({ targetType: 'instance', externalTrafficPolicy: 'Local' }).zoneHops).toEqual(['load-balancer-to-target']);
    expect(alb({ targetType: 'instance', crossZoneLoadBalancing: 'false' }).zoneHops).toEqual(['node-to-pod']);
    expect(describePath(alb({ crossZoneLoadBalancing: 'false' }))).toBe('ALB ip, cross-zone off');
    expect(describePath(alb({}))).toBe('ALB ip');
  });

  test('an NLB target group follows the load balancer, off unless an annotation turns it on', () => {
    const nlb = (attributes?: string, annotations?: Record<string, string>) =>
      only([deployment, nlbService({ targetType: 'ip', attributes, annotations })]);
    expect(nlb().crossZone).toBe(false);
    expect(nlb().zoneHops).toEqual([]);
    expect(nlb('load_balancing.cross_zone.enabled=true').zoneHops).toEqual(['load-balancer-to-target']);
    expect(nlb('load_balancing.cross_zone.enabled=use_load_balancer_configuration',
      { 'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true' }).crossZone).toBe(true);
    expect(nlb(undefined, { 'service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled': 'true' }).crossZone).toBe(true);
    // The target group's own false wins over the load balancer's true.
    expect(nlb('load_balancing.cross_zone.enabled=false',
      { 'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true' }).crossZone).toBe(false);
    expect(describePath(nlb('load_balancing.cross_zone.enabled=true'))).toBe('NLB ip, preservation off, cross-zone on');
    expect(only([deployment, nlbService({ targetType: 'instance' })]).zoneHops).toEqual(['node-to-pod']);
  });

  test('a TargetGroupBinding takes it from the options, else the ELB default for its load balancer', () => {
    expect(only(tgb('ip', 'ip', 'ClusterIP')).crossZone).toBe(true);
    expect(only(tgb('ip', 'ip', 'ClusterIP'), { targetGroupCrossZone: { ip: false } }).crossZone).toBe(false);
    expect(only(tgb('ip', 'ip', 'ClusterIP'), { targetGroupLoadBalancers: { ip: 'NLB' } }).crossZone).toBe(false);
  });
});

describe('the README\'s zones table', () => {
  test('is the model\'s: the hops that may cross zones for each lab path and cross-zone setting', () => {
    const settings = [undefined, 'false', 'true'] as const;
    const rows = ['ip', 'instance', 'instance-local', 'nlb-ip', 'nlb-instance', 'nlb-instance-local'].map((id) => {
      const cells = settings.map((crossZone) => zoneHopsText(expectedPath(labPath(id)!, { ...LAB_DEFAULTS, crossZoneLoadBalancing: crossZone })));
      return `| ${labPath(id)!.title} | ${cells.join(' | ')} |`;
    });
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const table = /<!-- zones table: generated from the path model -->\n\| path \|.*\n\|[-| ]+\|\n([\s\S]*?)\n<!-- end of zones table -->/.exec(readme)?.[1];
    expect(table).toBe(rows.join('\n'));
  });
});

describe('expectedPaths in an IPv6 cluster (ipFamily: ipv6)', () => {
  const v6 = { ipFamily: 'ipv6' } as const;
  const alb = albProps(LAB_DEFAULTS);
  const nlb = nlbProps(LAB_DEFAULTS);
  const nlbObjects = (props: NlbWorkloadChartProps) => new NlbWorkloadChart(new App(), 'Chart', props).toJson();

  test('ALB ip behind a dual-stack ALB: the same row as IPv4, an IPv6 target group', () => {
    const p = only(chartObjects({ ...alb.ip, ipAddressType: 'dualstack' }), v6);
    expect([row(p), p.ipFamily, describePath(p)]).toEqual([row(only(chartObjects(alb.ip))), 'ipv6', 'ALB ip, IPv6']);
    expect(only(chartObjects({ ...alb.ip, ipAddressType: 'dualstack-without-public-ipv4' }), v6).ipFamily).toBe('ipv6');
  });

  test('NLB ip with preservation on: IPv4 clients are translated, so the pod sees the NLB and the client address is lost', () => {
    const p = only(nlbObjects({ ...nlb.ip, preserveClientIp: true, ipAddressType: 'dualstack' }), v6);
    expect([p.podPeer, p.clientIp, p.preserveClientIp, p.loadBalancerRewritesSource]).toEqual(['load-balancer', 'none', true, true]);
    expect(p.notes.join('\n')).toMatch(/preservation has no effect on translated traffic/);
    const off = only(nlbObjects({ ...nlb.ip, ipAddressType: 'dualstack' }), v6);
    expect([off.podPeer, off.clientIp]).toEqual(['load-balancer', 'none']);
  });

  test('instance targets, and an IPv4-only load balancer, are what the controller and EKS refuse', () => {
    expect(() => expectedPaths(chartObjects({ ...alb.instance, ipAddressType: 'dualstack' }), v6)).toThrow(new PathModelError(
      'Ingress/instance-mode/echo -> Service/instance-mode/echo: instance targets cannot serve an IPv6 cluster: EKS load balances ' +
      'to IPv6 pods with ip targets only, not instance targets.'));
    expect(() => expectedPaths(chartObjects(alb.ip), v6)).toThrow('Ingress/ip-mode/echo -> Service/ip-mode/echo: the controller ' +
      'refuses an IPv6 Service behind an IPv4-only ALB ("unsupported IPv6 configuration, lb not dual-stack"); set ' +
      'alb.ingress.kubernetes.io/ip-address-type to dualstack.');
    expect(() => expectedPaths(nlbObjects(nlb.ip), v6)).toThrow(/IPv4-only NLB .*set service\.beta\.kubernetes\.io\/aws-load-balancer-ip-address-type to dualstack\.$/);
  });

  test('a dual-stack load balancer in an IPv4 cluster keeps IPv4 target groups: the IPv4 rows', () => {
    const p = only(chartObjects({ ...alb.ip, ipAddressType: 'dualstack' }));
    expect([p.ipFamily, describePath(p)]).toEqual([undefined, 'ALB ip']);
  });

  test('the README\'s IPv6 table is the model\'s, over the lab\'s IPv6 paths', () => {
    const settings = { ...LAB_DEFAULTS, ipFamily: 'ipv6' as const };
    const paths = LAB_PATHS.filter((p) => unavailable(p, settings) === undefined).map((p) => expectedPath(p, { ...settings, ...p.variant }));
    expect(paths.map(describePath)).toEqual(['ALB ip, IPv6', 'NLB ip, preservation off, IPv6', 'NLB ip, preservation on, IPv6']);
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const table = /<!-- IPv6 paths table: generated from the path model -->\n([\s\S]*?)\n<!-- end of IPv6 paths table -->/.exec(readme)?.[1];
    expect(`${table}\n`).toBe(pathTableMarkdown(paths));
  });
});
