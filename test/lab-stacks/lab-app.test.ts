import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Token } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { IngressWorkloadChart, NlbWorkloadChart, TargetGroupBindingChart } from '../../lib';
import { ClientIpLocation, DeployedPath, ExpectedPath, KubernetesObject, PeerClass, expectedPaths } from '../../lib/experiment';
import { readLabSettings } from '../../lab-stacks/settings';
import { absentStacksNote, createLab, Lab } from '../../lab-stacks/lab-app';
import { LAB_PATHS, PathSettings, labPath, unavailable } from '../../lab-stacks/catalogue';
import { IngressLabStack } from '../../lab-stacks/ingress-lab-stack';
import { Finding, validateTemplates } from '../cfn-validator';
import { flatten, helmValues, newApp } from '../fixtures';
import { k8sProblems } from '../k8s-validate';
import { ROOT } from '../paths';
import { albProps, nlbProps, tgbProps } from '../lab-charts';

/** The lab from cdk context; every stack is there unless the context is IPv6 (see the IPv6 tests). */
function lab(context: Record<string, unknown> = {}): Required<Lab> {
  const app = newApp(context);
  return createLab(app, readLabSettings(app.node, {})) as Required<Lab>;
}

/** The default lab per region, built once for this file: building and synthesizing it is the slow part. */
const defaultLabs = new Map<string, Required<Lab>>();
function defaultLab(region: string): Required<Lab> {
  if (!defaultLabs.has(region)) defaultLabs.set(region, lab({ region }));
  return defaultLabs.get(region)!;
}

function workloadObjects(template: Template): { kind: string; spec: any; metadata: any }[] {
  const manifest = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))[0];
  return JSON.parse(flatten(manifest.Properties.Manifest));
}

/** Every Kubernetes object a stack applies. */
function appliedObjects(stack: Stack): KubernetesObject[] {
  return Object.values(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-KubernetesResource'))
    .flatMap((r) => JSON.parse(flatten(r.Properties.Manifest)));
}

/** TgbLab's target groups hang off its ALB. */
const TGB_MODEL_OPTIONS = { targetGroupLoadBalancers: { 'echo-ip': 'ALB', 'echo-instance': 'ALB' } } as const;

/** The expected path of each lab, from the lab's charts built with the app's settings mapping, keyed like {@link readmeRow}. */
function chartPaths(settings: PathSettings): Record<string, ExpectedPath> {
  const alb = albProps(settings);
  const nlb = nlbProps(settings);
  const { inboundCidrs: _cidrs, ...tgb } = tgbProps(settings);
  const one = (chart: cdk8s.Chart) => expectedPaths(chart.toJson())[0];
  const [tgbIp, tgbInstance] = expectedPaths(new TargetGroupBindingChart(new cdk8s.App(), 'Chart', {
    ...tgb, ipTargetGroupArn: 'tg-ip', instanceTargetGroupArn: 'tg-instance', vpcId: 'vpc', loadBalancerSecurityGroupId: 'sg',
  }).toJson(), TGB_MODEL_OPTIONS);
  return {
    IpModeLab: one(new IngressWorkloadChart(new cdk8s.App(), 'Chart', alb.ip)),
    InstanceModeLab: one(new IngressWorkloadChart(new cdk8s.App(), 'Chart', alb.instance)),
    NlbIpModeLab: one(new NlbWorkloadChart(new cdk8s.App(), 'Chart', nlb.ip)),
    NlbInstanceModeLab: one(new NlbWorkloadChart(new cdk8s.App(), 'Chart', nlb.instance)),
    'TgbLab /ip': tgbIp,
    'TgbLab /instance': tgbInstance,
  };
}

/**
 * The pod's TCP peer and the client IP of the README's hand-written "All the paths" row whose first cell contains
 * `label`, in the model's terms.
 */
function readmeRow(label: string): { peer: PeerClass | 'as without it'; clientIp: ClientIpLocation } {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## All the paths'), readme.indexOf('### The NLB paths'));
  const rows = section.split('\n').filter((l) => l.startsWith('| ') && l.includes(label));
  expect([label, rows.length]).toEqual([label, 1]);
  const cells = rows[0].split(' | ');
  const [peerText, clientText] = [cells[5], cells[6]];
  const peer = /^(ALB|NLB) private address/.test(peerText) ? 'load-balancer' as const
    : /^node address/.test(peerText) ? 'node' as const : /^client/.test(peerText) ? 'client' as const
      : /^as the row without it/.test(peerText) ? 'as without it' as const : notInModelTerms(`${label}: pod's TCP peer '${peerText}'`);
  const clientIp: ClientIpLocation = /X-Forwarded-For/.test(clientText) ? 'x-forwarded-for'
    : /^lost/.test(clientText) ? 'none' : /source address/.test(clientText) ? 'tcp-source'
      : /PROXY v2 header/.test(clientText) ? 'proxy-protocol' : notInModelTerms(`${label}: client IP '${clientText}'`);
  return { peer, clientIp };
}

function notInModelTerms(what: string): never {
  throw new Error(`the README row is not in the model's terms: ${what}`);
}

const modelRow = (p: ExpectedPath) => ({ peer: p.podPeer, clientIp: p.clientIp });

describe('the lab app', () => {
  let stacks: Required<Lab>;
  beforeAll(() => { stacks = defaultLab('us-east-1'); });

  test('LabCluster and five labs on it; each lab pulls LabCluster in', () => {
    const all = [stacks.cluster, stacks.ipMode, stacks.instanceMode, stacks.nlbIpMode, stacks.nlbInstanceMode, stacks.tgb];
    expect(all.map((s) => s.stackName))
      .toEqual(['LabCluster', 'IpModeLab', 'InstanceModeLab', 'NlbIpModeLab', 'NlbInstanceModeLab', 'TgbLab']);
    const assembly = (stacks.cluster.node.root as App).synth();
    const dependsOn = (name: string) => assembly.getStackByName(name).dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets'));
    for (const name of ['IpModeLab', 'InstanceModeLab', 'NlbIpModeLab', 'NlbInstanceModeLab', 'TgbLab']) {
      expect(dependsOn(name)).toEqual(['LabCluster']);
    }
    expect(dependsOn('LabCluster')).toEqual([]);
    for (const s of all) {
      expect(s.region).toBe('us-east-1');
      // Region only: synth needs no credentials and no lookups; the account comes from the deploying credentials.
      expect(Token.isUnresolved(s.account)).toBe(true);
    }
  });

  test('one kubectl handler in LabCluster serves every lab', () => {
    for (const s of [stacks.ipMode, stacks.instanceMode, stacks.nlbIpMode, stacks.nlbInstanceMode, stacks.tgb]) {
      const template = Template.fromStack(s);
      template.resourceCountIs('AWS::Lambda::Function', 0);
      const manifest = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))[0];
      expect(JSON.stringify(manifest.Properties.ServiceToken)).toContain('"StackName":"LabCluster"');
    }
    Template.fromStack(stacks.cluster).resourcePropertiesCountIs('AWS::Lambda::Function',
      { Description: 'onEvent handler for EKS kubectl resource provider' }, 1);
  });

  test('the two labs differ only in target type and Service', () => {
    const ip = workloadObjects(Template.fromStack(stacks.ipMode));
    const instance = workloadObjects(Template.fromStack(stacks.instanceMode));
    const byKind = (objs: typeof ip) => Object.fromEntries(objs.map((o) => [o.kind, o]));
    const [a, b] = [byKind(ip), byKind(instance)];
    expect(a.Ingress.metadata.annotations['alb.ingress.kubernetes.io/target-type']).toBe('ip');
    expect(b.Ingress.metadata.annotations['alb.ingress.kubernetes.io/target-type']).toBe('instance');
    expect(a.Service.spec.type).toBe('ClusterIP');
    expect(b.Service.spec).toMatchObject({ type: 'NodePort', externalTrafficPolicy: 'Cluster' });
    expect(b.Service.spec.ports[0].nodePort).toBe(30080);
    const spec = (o: any) => JSON.stringify(o.Deployment.spec.template.spec.containers);
    expect(spec(a)).toBe(spec(b));
  });

  test('every Kubernetes object the lab applies passes the Kubernetes schema and the annotation grammar', () => {
    const objects = Object.values(stacks).flatMap((s) =>
      Object.values(Template.fromStack(s).findResources('Custom::AWSCDK-EKS-KubernetesResource'))
        .flatMap((r) => JSON.parse(flatten(r.Properties.Manifest))));
    expect(objects.map((o: { kind: string }) => o.kind).sort()).toEqual([
      'Deployment', 'Deployment', 'Deployment', 'Deployment', 'Deployment', 'Deployment', 'Deployment',
      'Gateway', 'Gateway', 'GatewayClass', 'GatewayClass', 'HTTPRoute', 'HTTPRoute', 'Ingress', 'Ingress',
      'LoadBalancerConfiguration', 'LoadBalancerConfiguration',
      'Namespace', 'Namespace', 'Namespace', 'Namespace', 'Namespace', 'Namespace', 'Namespace',
      'Service', 'Service', 'Service', 'Service', 'Service', 'Service', 'Service', 'Service', 'Service', 'Service', 'ServiceAccount',
      'TCPRoute', 'TCPRoute', 'TargetGroupBinding', 'TargetGroupBinding',
      'TargetGroupConfiguration', 'TargetGroupConfiguration', 'TargetGroupConfiguration', 'TargetGroupConfiguration',
    ]);
    expect(k8sProblems(objects)).toEqual([]);
  });

  test('outputs: each lab URL, the paths each stack deployed with their settings, the cluster name and the update-kubeconfig command', () => {
    const ip = Template.fromStack(stacks.ipMode);
    const url = ip.findOutputs('Url').Url;
    expect(flatten(url.Value)).toMatch(/^http:\/\/<WorkloadLoadBalancerAddress.*\.Value>\/$/);
    expect(labPathsOf(stacks.ipMode)).toEqual([{
      path: 'ip', url: flatten(url.Value), namespace: 'ip-mode', replicas: 2, listener: { protocol: 'HTTP', port: 80 },
      settings: {
        image: 'registry.k8s.io/e2e-test-images/echoserver:2.5', replicas: 2, allowedCidr: ['0.0.0.0/0'], externalTrafficPolicy: 'Cluster',
        nodePort: 30080, sharedAlb: false, nlbPreserveClientIp: false, nlbProxyProtocol: false, tgbNodePort: 30081, shutdown: 'graceful', ipFamily: 'ipv4',
      },
      targetGroup: { port: 8080, healthCheck: { protocol: 'HTTP', path: '/', port: 8080 } },
    }]);
    expect(labPathsOf(stacks.instanceMode).map((p) => [p.path, p.targetGroup.port])).toEqual([['instance', 30080]]);
    const cluster = Template.fromStack(stacks.cluster);
    cluster.hasOutput('ClusterName', {});
    expect(flatten(cluster.findOutputs('UpdateKubeconfigCommand').UpdateKubeconfigCommand.Value))
      .toMatch(/^aws eks update-kubeconfig --name <Cluster.*> --region us-east-1 --role-arn <ClusterAdminRole.*\.Arn>$/);
  });

  test('the cluster stack records each subnet\'s zone and block in LabSubnets, public ones first', () => {
    const value = flatten(Template.fromStack(stacks.cluster).findOutputs('LabSubnets').LabSubnets.Value);
    // The zones are chosen at deploy (Fn::GetAZs in a stack without an account); the blocks are fixed now.
    const records = [...value.matchAll(/\{"subnetId":"<Vpc(Public|Private)Subnet\dSubnet\w+>","zone":"\{"Fn::Select":\[(\d),\{"Fn::GetAZs":""\}\]\}","cidr":"([\d./]+)","kind":"(\w+)"\}/g)];
    expect(records.map((m) => [m[1], Number(m[2]), m[3], m[4]])).toEqual([
      ['Public', 0, '10.0.0.0/18', 'public'], ['Public', 1, '10.0.64.0/18', 'public'],
      ['Private', 0, '10.0.128.0/18', 'private'], ['Private', 1, '10.0.192.0/18', 'private'],
    ]);
  });

  test('the controller policy is named after the cluster and region, and its ARN is an output for policy diff', () => {
    const cluster = Template.fromStack(stacks.cluster);
    cluster.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'AWSLoadBalancerControllerIAMPolicy-eks-lb-lab-us-east-1',
    });
    expect(flatten(cluster.findOutputs('ControllerPolicyArn').ControllerPolicyArn.Value))
      .toMatch(/^<ClusterLoadBalancerControllerPolicy40CB56B8>$/);
  });

  test('workload manifests wait for the controller through the stack dependency', () => {
    // Cross-stack, CloudFormation orders by stack: LabCluster (with the chart) is created first and deleted last.
    const chartPath = stacks.cluster.controller.chart.node.path;
    for (const s of [stacks.ipMode, stacks.instanceMode, stacks.nlbIpMode, stacks.nlbInstanceMode, stacks.tgb]) {
      expect(s.workload.manifest.node.dependencies.map((d) => d.node.path)).toContain(chartPath);
    }
  });

  test('the NLB labs: ip targets without preservation, instance targets with Cluster; hostname and URL outputs', () => {
    const service = (s: typeof stacks.nlbIpMode) => workloadObjects(Template.fromStack(s)).find((o) => o.kind === 'Service')!;
    const ip = service(stacks.nlbIpMode);
    const instance = service(stacks.nlbInstanceMode);
    expect(ip.metadata.annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'preserve_client_ip.enabled=false',
    });
    expect(instance.metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type']).toBe('instance');
    expect(instance.spec).toMatchObject({ type: 'LoadBalancer', loadBalancerClass: 'service.k8s.aws/nlb', externalTrafficPolicy: 'Cluster' });
    const template = Template.fromStack(stacks.nlbIpMode);
    expect(flatten(template.findOutputs('Url').Url.Value)).toMatch(/^http:\/\/<WorkloadLoadBalancerAddress.*\.Value>\/$/);
    expect(labPathsOf(stacks.nlbIpMode).map((p) => [p.path, p.listener, p.targetGroup.healthCheck])).toEqual([
      ['nlb-ip', { protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 8080 }],
    ]);
    expect(labPathsOf(stacks.nlbInstanceMode).map((p) => [p.path, p.targetGroup.port])).toEqual([['nlb-instance', 'an allocated NodePort']]);
  });

  test('TgbLab: its ALB in the LabCluster VPC, the target group ARNs in its bindings', () => {
    const template = Template.fromStack(stacks.tgb);
    const alb = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))[0];
    expect(flatten(alb.Properties.Subnets[0])).toMatch(/^<LabCluster:.*VpcPublicSubnet1/);
    const manifest = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))[0];
    const bindings = JSON.parse(flatten(manifest.Properties.Manifest)).filter((o: { kind: string }) => o.kind === 'TargetGroupBinding');
    expect(bindings.map((b: { spec: { targetType: string; targetGroupARN: string; vpcID: string } }) => [b.spec.targetType, b.spec.targetGroupARN]))
      .toEqual([['ip', expect.stringMatching(/^<WorkloadIpTargetGroup/)], ['instance', expect.stringMatching(/^<WorkloadInstanceTargetGroup/)]]);
    expect(bindings[0].spec.vpcID).toMatch(/^<LabCluster:.*Vpc/);
    expect(flatten(template.findOutputs('IpUrl').IpUrl.Value)).toMatch(/^http:\/\/<WorkloadLoadBalancer.*\.DNSName>\/ip$/);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'instance', Port: 30081 });
    expect(labPathsOf(stacks.tgb).map((p) => [p.path, p.url, p.targetGroup.port])).toEqual([
      ['tgb-ip', flatten(template.findOutputs('IpUrl').IpUrl.Value), 8080],
      ['tgb-instance', flatten(template.findOutputs('InstanceUrl').InstanceUrl.Value), 30081],
    ]);
  });

  test('TgbLab outputs every value its bindings carry, the same ones, for `eks-lb-lab manifests tgb`', () => {
    const template = Template.fromStack(stacks.tgb);
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual([
      'Image', 'InstanceTargetGroupArn', 'InstanceUrl', 'IpTargetGroupArn', 'IpUrl', 'LabPaths', 'LoadBalancerSecurityGroupId', 'Namespace', 'NodePort', 'Replicas', 'VpcId',
    ]);
    const value = (key: string) => flatten(outputs[key].Value);
    const bindings = Object.fromEntries(workloadObjects(template)
      .filter((o) => o.kind === 'TargetGroupBinding').map((b) => [b.spec.targetType, b.spec]));
    expect(value('IpTargetGroupArn')).toBe(flatten(bindings.ip.targetGroupARN));
    expect(value('InstanceTargetGroupArn')).toBe(flatten(bindings.instance.targetGroupARN));
    expect(value('VpcId')).toMatch(/^<LabCluster:.*Vpc/);
    for (const target of ['ip', 'instance']) {
      expect(value('VpcId')).toBe(flatten(bindings[target].vpcID));
      expect(value('LoadBalancerSecurityGroupId')).toBe(flatten(bindings[target].networking.ingress[0].from[0].securityGroup.groupID));
    }
    expect(value('LoadBalancerSecurityGroupId')).toMatch(/^<WorkloadSecurityGroup[0-9A-F]{8}\.GroupId>$/);
    expect(outputs.NodePort.Value).toBe('30081');
    expect(bindings.instance.networking.ingress[0].ports[0].port).toBe(30081);
    template.hasOutput('Namespace', { Value: 'tgb' });
    const deployment = workloadObjects(template).find((o) => o.kind === 'Deployment')!;
    template.hasOutput('Image', { Value: deployment.spec.template.spec.containers[0].image });
    template.hasOutput('Replicas', { Value: String(deployment.spec.replicas) });
  });

  test('the path model over each lab stack\'s applied objects gives the README\'s rows, and the charts the probe builds agree', () => {
    const tgb = expectedPaths(appliedObjects(stacks.tgb), TGB_MODEL_OPTIONS);
    const fromApp: Record<string, ExpectedPath> = {
      IpModeLab: expectedPaths(appliedObjects(stacks.ipMode))[0],
      InstanceModeLab: expectedPaths(appliedObjects(stacks.instanceMode))[0],
      NlbIpModeLab: expectedPaths(appliedObjects(stacks.nlbIpMode))[0],
      NlbInstanceModeLab: expectedPaths(appliedObjects(stacks.nlbInstanceMode))[0],
      'TgbLab /ip': tgb[0],
      'TgbLab /instance': tgb[1],
    };
    expect(Object.values(fromApp).map((p) => [p.loadBalancer, p.targetType, p.entryPoint])).toEqual([
      ['ALB', 'ip', 'Ingress'], ['ALB', 'instance', 'Ingress'], ['NLB', 'ip', 'Service'], ['NLB', 'instance', 'Service'],
      ['ALB', 'ip', 'TargetGroupBinding'], ['ALB', 'instance', 'TargetGroupBinding'],
    ]);
    const labels: Record<string, string> = {
      'IpModeLab': '(`IpModeLab`)', 'InstanceModeLab': '(`InstanceModeLab`)', 'NlbIpModeLab': '(`NlbIpModeLab`',
      'NlbInstanceModeLab': '(`NlbInstanceModeLab`', 'TgbLab /ip': '(`TgbLab`, `/ip`)', 'TgbLab /instance': '(`TgbLab`, `/instance`)',
    };
    for (const [lab, p] of Object.entries(fromApp)) expect([lab, modelRow(p)]).toEqual([lab, readmeRow(labels[lab])]);
    expect(chartPaths(readLabSettings(newApp().node, {}))).toEqual(fromApp);
  });

  test('the Gateway labs: on LabCluster, after the controller; their outputs and recorded paths', () => {
    const assembly = (stacks.cluster.node.root as App).synth();
    const chartPath = stacks.cluster.controller.chart.node.path;
    for (const s of [stacks.gatewayAlb, stacks.gatewayNlb]) {
      expect(assembly.getStackByName(s.stackName).dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets'))).toEqual(['LabCluster']);
      expect(s.workload.manifest.node.dependencies.map((d) => d.node.path)).toContain(chartPath);
      const template = Template.fromStack(s);
      template.resourceCountIs('AWS::Lambda::Function', 0);
      expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['Hostname', 'InstanceUrl', 'IpUrl', 'LabPaths', 'Namespace']);
    }
    const alb = Template.fromStack(stacks.gatewayAlb);
    expect(flatten(alb.findOutputs('IpUrl').IpUrl.Value)).toMatch(/^http:\/\/<WorkloadLoadBalancerAddress.*\.Value>\/ip$/);
    expect(labPathsOf(stacks.gatewayAlb).map((p) => [p.path, p.namespace, p.listener, p.targetGroup])).toEqual([
      ['gateway-ip', 'gateway-alb', { protocol: 'HTTP', port: 80 }, { port: 8080, healthCheck: { protocol: 'HTTP', path: '/', port: 8080 } }],
      ['gateway-instance', 'gateway-alb', { protocol: 'HTTP', port: 80 },
        { port: 'an allocated NodePort', healthCheck: { protocol: 'HTTP', path: '/', port: 'an allocated NodePort' } }],
    ]);
    const nlb = Template.fromStack(stacks.gatewayNlb);
    expect(flatten(nlb.findOutputs('InstanceUrl').InstanceUrl.Value)).toMatch(/:81\/$/);
    expect(labPathsOf(stacks.gatewayNlb).map((p) => [p.path, p.listener, p.targetGroup.healthCheck])).toEqual([
      ['gateway-nlb-ip', { protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 8080 }],
      ['gateway-nlb-instance', { protocol: 'TCP', port: 81 }, { protocol: 'TCP', port: 'an allocated NodePort' }],
    ]);
  });

  test('the model over the Gateway labs\' objects agrees with the Ingress and Service paths of the same target type', () => {
    const same = (p: ExpectedPath) => ({
      lb: p.loadBalancer, targetType: p.targetType, hops: p.hops.map((h) => [h.from, h.to]), peer: p.podPeer, clientIp: p.clientIp,
      xff: p.xForwardedFor, kubeProxy: p.kubeProxy, nodeSnat: p.nodeSnat, healthy: p.targetGroup.healthyTargets,
    });
    const [gwIp, gwInstance] = expectedPaths(appliedObjects(stacks.gatewayAlb));
    const [nlbIp, nlbInstance] = expectedPaths(appliedObjects(stacks.gatewayNlb));
    expect([gwIp, gwInstance, nlbIp, nlbInstance].map((p) => [p.entryPoint, p.id])).toEqual([
      ['HTTPRoute', 'HTTPRoute/gateway-alb/echo-ip -> Service/gateway-alb/echo-ip'],
      ['HTTPRoute', 'HTTPRoute/gateway-alb/echo-instance -> Service/gateway-alb/echo-instance'],
      ['TCPRoute', 'TCPRoute/gateway-nlb/echo-ip -> Service/gateway-nlb/echo-ip'],
      ['TCPRoute', 'TCPRoute/gateway-nlb/echo-instance -> Service/gateway-nlb/echo-instance'],
    ]);
    expect(same(gwIp)).toEqual(same(expectedPaths(appliedObjects(stacks.ipMode))[0]));
    expect(same(gwInstance)).toEqual(same(expectedPaths(appliedObjects(stacks.instanceMode))[0]));
    expect(same(nlbIp)).toEqual(same(expectedPaths(appliedObjects(stacks.nlbIpMode))[0]));
    expect(same(nlbInstance)).toEqual(same(expectedPaths(appliedObjects(stacks.nlbInstanceMode))[0]));
  });

  test('every template stays far under CloudFormation\'s limits: 1 MB through S3, 500 resources, 200 outputs', () => {
    const assembly = (stacks.cluster.node.root as App).synth();
    const sizes = Object.fromEntries(assembly.stacks.map((s) => [s.stackName, {
      bytes: fs.statSync(s.templateFullPath).size, resources: Object.keys(s.template.Resources).length,
      outputs: Object.keys(s.template.Outputs ?? {}).length,
    }]));
    for (const [name, size] of Object.entries(sizes)) {
      expect([name, size.bytes < 100_000, size.resources < 100, size.outputs < 20]).toEqual([name, true, true, true]);
    }
    // The Gateway API CRDs (1.2 MB of YAML) travel as a chart asset, not inside LabCluster's template.
    expect(sizes.LabCluster.bytes).toBeLessThan(70_000);
  });

  test('the service mutator webhook is on, written out', () => {
    expect(helmValues(Template.fromStack(stacks.cluster))).toMatchObject({ enableServiceMutatorWebhook: true });
    expect(stacks.cluster.controller.serviceMutatorWebhook).toBe(true);
  });
});

describe('the lab app with context', () => {
  test.each([
    ['externalTrafficPolicy=Local', { externalTrafficPolicy: 'Local' }, {
      'InstanceModeLab': 'ALB `instance`, `Local`', 'NlbInstanceModeLab': 'NLB `instance`, `Local`', 'TgbLab /instance': 'ALB `instance`, `Local`',
    }],
    ['nlbPreserveClientIp=true', { nlbPreserveClientIp: 'true' }, { NlbIpModeLab: 'preservation on (`-c nlbPreserveClientIp=true`)' }],
    ['nlbProxyProtocol=true', { nlbProxyProtocol: 'true' }, { NlbIpModeLab: 'PROXY protocol v2', NlbInstanceModeLab: 'PROXY protocol v2' }],
  ])('-c %s: the model over the lab\'s charts gives the README\'s row', (_name, context, rows: Record<string, string>) => {
    const paths = chartPaths(readLabSettings(newApp(context).node, {}));
    const defaults = chartPaths(readLabSettings(newApp().node, {}));
    for (const [lab, label] of Object.entries(rows)) {
      const row = readmeRow(label);
      const peer = row.peer === 'as without it' ? defaults[lab].podPeer : row.peer;
      expect([lab, modelRow(paths[lab])]).toEqual([lab, { ...row, peer }]);
    }
  });

  test('-c sharedAlb=true: both Ingresses in one IngressGroup, paths /ip and /instance, explicit orders, URLs with the path; '
    + 'webhook off, NLB preservation and proxy protocol on', () => {
    const stacks = lab({ sharedAlb: 'true', serviceMutatorWebhook: 'false', nlbPreserveClientIp: 'true', nlbProxyProtocol: 'true' });
    const ingress = (s: typeof stacks.ipMode) => workloadObjects(Template.fromStack(s)).find((o) => o.kind === 'Ingress')!;
    const [ip, instance] = [ingress(stacks.ipMode), ingress(stacks.instanceMode)];
    expect(ip.metadata.annotations).toMatchObject({ 'alb.ingress.kubernetes.io/group.name': 'eks-lb-lab', 'alb.ingress.kubernetes.io/group.order': '10' });
    expect(instance.metadata.annotations).toMatchObject({ 'alb.ingress.kubernetes.io/group.name': 'eks-lb-lab', 'alb.ingress.kubernetes.io/group.order': '20' });
    expect(ip.spec.rules[0].http.paths[0].path).toBe('/ip');
    expect(instance.spec.rules[0].http.paths[0].path).toBe('/instance');
    // Load-balancer-wide annotations must agree across the group.
    for (const key of ['scheme', 'inbound-cidrs', 'listen-ports']) {
      expect(ip.metadata.annotations[`alb.ingress.kubernetes.io/${key}`]).toBe(instance.metadata.annotations[`alb.ingress.kubernetes.io/${key}`]);
    }
    expect(flatten(Template.fromStack(stacks.instanceMode).findOutputs('Url').Url.Value)).toMatch(/\/instance$/);
    expect(helmValues(Template.fromStack(stacks.cluster))).toMatchObject({ enableServiceMutatorWebhook: false });
    expect(labPathsOf(stacks.nlbIpMode).map((p) => [p.path, p.settings.nlbProxyProtocol])).toEqual([['nlb-ip-preserve', true]]);
    const service = workloadObjects(Template.fromStack(stacks.nlbIpMode)).find((o) => o.kind === 'Service')!;
    expect(service.metadata.annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'preserve_client_ip.enabled=true',
      'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol': '*',
    });
  });

  test('-c region=cn-north-1: aws-cn ARNs, the China image, WAF and Shield off', () => {
    const stacks = defaultLab('cn-north-1');
    const template = Template.fromStack(stacks.cluster);
    const policy = JSON.stringify(Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0]);
    expect(policy).toContain('arn:aws-cn:');
    expect(policy).not.toContain('arn:aws:');
    expect(helmValues(template)).toMatchObject({
      region: 'cn-north-1',
      image: { repository: '918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn/amazon/aws-load-balancer-controller' },
      enableShield: false, enableWaf: false, enableWafv2: false,
    });
  });

  test('-c controllerPolicyVersion=v2.8.3: the v3.5.0 controller, the v2.8.3 policy on its role, and a warning naming what it lacks', () => {
    const app = newApp({ controllerPolicyVersion: 'v2.8.3' });
    const settings = readLabSettings(app.node, {});
    const stack = createLab(app, settings).cluster;
    const template = Template.fromStack(stack);
    expect(helmValues(template).image.tag).toBe('v3.5.0');
    const policy = JSON.stringify(Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0]);
    expect(policy).not.toContain('DescribeListenerAttributes');
    expect(stack.controller.policy.policyVersion.version).toBe('v2.8.3');
    Annotations.fromStack(stack).hasWarning('/LabCluster/Cluster/LoadBalancerController/Policy', Match.stringLikeRegexp(
      "^'policyVersion' v2\\.8\\.3 gives controller v3\\.5\\.0 a policy that does not grant 9 action\\(s\\).*" +
      'elasticloadbalancing:DescribeListenerAttributes \\(the controller reads listener attributes on every listener reconcile.*' +
      '-c controllerPolicyVersion'));
  });

  test('-c controllerIdentity=pod-identity: the association, the agent, no OIDC provider, the role as an output', () => {
    const stacks = lab({ controllerIdentity: 'pod-identity' });
    const template = Template.fromStack(stacks.cluster);
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 1);
    template.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'eks-pod-identity-agent' });
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    const output = template.findOutputs('ControllerRoleArn').ControllerRoleArn;
    expect([output.Description, output.Value]).toEqual(['IAM role of the AWS Load Balancer Controller (EKS Pod Identity)',
      { 'Fn::GetAtt': [expect.stringMatching(/^ClusterLoadBalancerControllerServiceAccountRole/), 'Arn'] }]);
    expect(stacks.cluster.controller.identity).toBe('pod-identity');
  });

  test('-c ipFamily=ipv6: a dual-stack VPC, an IPv6 cluster and the ip paths only, behind dual-stack load balancers', () => {
    const app = newApp({ ipFamily: 'ipv6' });
    const stacks = createLab(app, readLabSettings(app.node, {}));
    expect(app.node.children.filter((c) => Stack.isStack(c)).map((c) => c.node.id)).toEqual(['LabCluster', 'IpModeLab', 'NlbIpModeLab']);
    expect([stacks.instanceMode, stacks.nlbInstanceMode, stacks.tgb]).toEqual([undefined, undefined, undefined]);
    const cluster = Template.fromStack(stacks.cluster);
    cluster.hasResourceProperties('AWS::EKS::Cluster', { KubernetesNetworkConfig: Match.objectLike({ IpFamily: 'ipv6' }) });
    cluster.resourcePropertiesCountIs('AWS::EC2::VPCCidrBlock', { AmazonProvidedIpv6CidrBlock: true }, 1);
    cluster.resourceCountIs('AWS::EC2::EgressOnlyInternetGateway', 1);
    expect(cluster.findOutputs('VpcIpv6Cidr').VpcIpv6Cidr.Value).toEqual({ 'Fn::Select': [0, { 'Fn::GetAtt': [expect.stringMatching(/^Vpc/), 'Ipv6CidrBlocks'] }] });
    expect(Template.fromStack(defaultLab('us-east-1').cluster).findOutputs('VpcIpv6Cidr')).toEqual({});
    const ingress = workloadObjects(Template.fromStack(stacks.ipMode)).find((o) => o.kind === 'Ingress')!;
    expect(ingress.metadata.annotations['alb.ingress.kubernetes.io/ip-address-type']).toBe('dualstack');
    const service = workloadObjects(Template.fromStack(stacks.nlbIpMode)).find((o) => o.kind === 'Service')!;
    expect(service.metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-ip-address-type']).toBe('dualstack');
    expect([stacks.ipMode, stacks.nlbIpMode].flatMap((s) => labPathsOf(s)).map((p) => [p.path, p.settings.ipFamily]))
      .toEqual([['ip', 'ipv6'], ['nlb-ip', 'ipv6']]);
  });

  test('-c ipFamily=ipv6: an instance path on the IPv6 cluster stops synthesis with one line', () => {
    const app = newApp({ ipFamily: 'ipv6' });
    const settings = readLabSettings(app.node, {});
    const stacks = createLab(app, settings);
    expect(() => new IngressLabStack(app, 'InstanceModeLab', {
      env: { region: settings.region }, labCluster: stacks.cluster, path: labPath('instance')!, settings,
    })).toThrow("InstanceModeLab/Workload: 'targetType' 'instance' cannot serve an IPv6 cluster: EKS load balances to IPv6 pods " +
      "with ip targets only, not instance targets; got 'instance'. Use 'ip'.");
    expect(LAB_PATHS.filter((p) => unavailable(p, settings) === undefined).map((p) => p.id)).toEqual(['ip', 'nlb-ip', 'nlb-ip-preserve']);
    expect(unavailable(labPath('instance-local')!, settings)).toBe('instance-local is an instance path, and EKS load balances to IPv6 pods ' +
      'with ip targets only, not instance targets');
    expect([absentStacksNote(settings), absentStacksNote(readLabSettings(newApp().node, {}))]).toEqual([
      '-c ipFamily=ipv6 leaves out InstanceModeLab, NlbInstanceModeLab, TgbLab, GatewayAlbLab and GatewayNlbLab: EKS load balances to IPv6 pods with ip targets only, not instance targets.',
      undefined,
    ]);
  });

  test('settings reach the constructs', () => {
    const stacks = lab({
      clusterName: 'lab2', kubernetesVersion: '1.35', nodeInstanceType: 'm5.large', nodeCount: '3',
      allowedCidr: '203.0.113.7/32', externalTrafficPolicy: 'Local', replicas: '4', nodePort: '31000',
      controllerVersion: '2.8.3', tgbNodePort: '31001',
      publicEndpointCidrs: '198.51.100.0/24', controlPlaneLogging: 'audit', serviceCidr: '172.20.0.0/16',
    });
    const cluster = Template.fromStack(stacks.cluster);
    cluster.hasResourceProperties('AWS::EKS::Cluster', {
      Name: 'lab2', Version: '1.35',
      ResourcesVpcConfig: Match.objectLike({ PublicAccessCidrs: ['198.51.100.0/24'] }),
      Logging: { ClusterLogging: { EnabledTypes: [{ Type: 'audit' }] } },
      KubernetesNetworkConfig: Match.objectLike({ ServiceIpv4Cidr: '172.20.0.0/16' }),
    });
    cluster.hasResourceProperties('AWS::EKS::Nodegroup', { InstanceTypes: ['m5.large'], ScalingConfig: { DesiredSize: 3 } });
    cluster.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Chart: 'aws-load-balancer-controller', Version: '1.8.4' });
    expect(helmValues(cluster).image.tag).toBe('v2.8.3');
    const objects = Object.fromEntries(workloadObjects(Template.fromStack(stacks.instanceMode)).map((o) => [o.kind, o]));
    expect(objects.Service.spec).toMatchObject({ externalTrafficPolicy: 'Local', ports: [expect.objectContaining({ nodePort: 31000 })] });
    expect(objects.Deployment.spec.replicas).toBe(4);
    expect(objects.Ingress.metadata.annotations['alb.ingress.kubernetes.io/inbound-cidrs']).toBe('203.0.113.7/32');
    expect([stacks.instanceMode, stacks.nlbInstanceMode, stacks.tgb].flatMap((s) => labPathsOf(s)).map((p) => [p.path, p.replicas]))
      .toEqual([['instance-local', 4], ['nlb-instance-local', 4], ['tgb-ip', 4], ['tgb-instance-local', 4]]);
    Template.fromStack(stacks.tgb).hasOutput('NodePort', { Value: '31001' });
  });
});

/**
 * Validator warnings that come from aws-cdk-lib's own resources, which the lab cannot change. Each entry must match
 * at least one finding in every region, so the list cannot outlive its reason.
 */
const ACCEPTED_WARNINGS: readonly { rule: string; resource: RegExp; reason: string }[] = [
  {
    rule: 'W3005', resource: /^ClusterKubectlProvider(Handler|frameworkonEvent)[0-9A-F]{8}$/,
    reason: 'aws-cdk-lib\'s lambda.Function adds an explicit DependsOn on its role next to the GetAtt of it (kubectl handler and provider framework)',
  },
  {
    rule: 'W3005', resource: /^(AWSCDKCfnUtilsProvider|CustomVpcRestrictDefaultSG|LabCleanup[A-Za-z0-9]*)CustomResourceProviderHandler[0-9A-F]{8}$/,
    reason: 'aws-cdk-lib\'s CustomResourceProvider adds an explicit DependsOn on its role next to the GetAtt of it',
  },
];

const REGIONS = ['us-east-1', 'cn-north-1', 'us-gov-west-1'] as const;
/**
 * The IPv6 lab's findings: TgbLab's go, the VPC CNI's IPv6 statements on the nodes' role come; in aws-cn and aws-us-gov
 * their network-interface ARN is not the `arn:aws:` one of aws-eks-v2's statement, so it is one finding more.
 */
const NAG_FINDINGS_IPV6: Readonly<Record<string, number>> = { 'us-east-1': 28, 'cn-north-1': 29, 'us-gov-west-1': 29 };

/** A finding of cdk-nag with the acknowledgement aws-cdk-lib would apply to it (on the resource or an ancestor). */
interface NagFinding { readonly finding: string; readonly path: string; readonly reason?: string }

/**
 * Runs AwsSolutionsChecks over the construct tree directly (a fraction of the time of a synth with the plugin) and
 * applies `Validations.acknowledge()` metadata the way synth does: on the resource's construct or any ancestor.
 */
function nagFindings(app: App): NagFinding[] {
  const byPath = new Map<string, IConstruct>(app.node.findAll().map((c) => [c.node.path, c]));
  const acknowledgement = (path: string, finding: string): string | undefined => {
    for (let c: IConstruct | undefined = byPath.get(path); c; c = c.node.scope) {
      for (const m of c.node.metadata) {
        const reason = m.type === 'aws:cdk:acknowledged-rules' ? (m.data as Record<string, string>)[`AwsSolutions::${finding}`] : undefined;
        if (reason !== undefined) return reason;
      }
    }
    return undefined;
  };
  return new AwsSolutionsChecks().validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => ({
    finding: v.ruleName, path: r.constructPath ?? '', reason: acknowledgement(r.constructPath ?? '', v.ruleName),
  })));
}


/** The labs validated in full: the default one in each partition, and with each setting that reshapes LabCluster. */
const VALIDATED: readonly (readonly [string, string, Record<string, string>])[] = [
  ...REGIONS.map((region) => [region, 'defaults', {}] as const),
  ...REGIONS.map((region) => [region, '-c controllerIdentity=pod-identity', { controllerIdentity: 'pod-identity' }] as const),
  // The IPv6 lab's partition-specific part, the nodes' IPv6 statements, is checked in each partition by lab-cluster.test.ts.
  ['us-east-1', '-c ipFamily=ipv6', { ipFamily: 'ipv6' }],
];

describe.each(VALIDATED)('the lab app in %s, %s', (region, _name, context) => {
  let app: App;
  let findings: Finding[];
  beforeAll(() => {
    app = (Object.keys(context).length === 0 ? defaultLab(region) : lab({ region, ...context })).cluster.node.root as App;
    const assembly = app.synth();
    findings = validateTemplates(Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template])), region);
  });

  test('every Kubernetes object of every stack passes the Kubernetes schema and the annotation grammar', () => {
    const lab = app.node.children.filter((c): c is Stack => Stack.isStack(c));
    expect(k8sProblems(lab.flatMap((s) => appliedObjects(s)))).toEqual([]);
  });

  test('AWS\'s CloudFormation validator finds no errors in any lab stack', () => {
    expect(findings.filter((f) => f.severity !== 'WARN')).toEqual([]);
  });

  test('its only warnings are the listed ones from aws-cdk-lib internals, and each listed one occurs', () => {
    const accepted = (f: Finding) => ACCEPTED_WARNINGS.find((a) => a.rule === f.rule && a.resource.test(f.resource));
    expect(findings.filter((f) => !accepted(f))).toEqual([]);
    for (const entry of ACCEPTED_WARNINGS) {
      expect([entry.reason, findings.some((f) => accepted(f) === entry)]).toEqual([entry.reason, true]);
    }
    expect(findings.every((f) => f.stack === 'LabCluster')).toBe(true);
  });

  test('cdk-nag AwsSolutions: every finding acknowledged with a reason, all on aws-cdk-lib resources, the VPC or the official policy', () => {
    const nag = nagFindings(app);
    expect(nag.filter((f) => f.reason === undefined)).toEqual([]);
    expect(nag.every((f) => f.reason!.length > 40)).toBe(true);
    const byRule = (f: NagFinding) => f.finding.replace(/\[.*$/, '');
    const ipv6 = context.ipFamily === 'ipv6';
    expect([...new Set(nag.map(byRule))].sort()).toEqual([
      ...(ipv6 ? [] : ['AwsSolutions-EC23', 'AwsSolutions-ELB2']), 'AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-VPC7',
    ]);
    expect([...new Set(nag.map((f) => f.path.replace(/\/Resource$/, '')))].sort()).toEqual([
      'LabCluster/Cluster/LoadBalancerController/Policy/Default',
      'LabCluster/Cluster/Resource/KubectlProvider/Handler',
      'LabCluster/Cluster/Resource/KubectlProvider/Handler/ServiceRole',
      'LabCluster/Cluster/Resource/KubectlProvider/Handler/ServiceRole/DefaultPolicy',
      'LabCluster/Cluster/Resource/KubectlProvider/Provider/framework-onEvent/ServiceRole',
      'LabCluster/Cluster/Resource/KubectlProvider/Provider/framework-onEvent/ServiceRole/DefaultPolicy',
      'LabCluster/Cluster/Resource/NodegroupDefaultCapacity/NodeGroupRole',
      ...(ipv6 ? ['LabCluster/Cluster/Resource/NodegroupDefaultCapacity/NodeGroupRole/DefaultPolicy'] : []),
      'LabCluster/Cluster/Resource/Role',
      'LabCluster/Vpc/Resource',
      // An IPv6 lab has no TgbLab: its stack holds an instance target group.
      ...(ipv6 ? [] : ['TgbLab/Workload/LoadBalancer', 'TgbLab/Workload/SecurityGroup']),
    ]);
    expect(nag).toHaveLength(ipv6 ? NAG_FINDINGS_IPV6[region] : 28);
  });
});

/** The paths a stack recorded in its LabPaths output, tokens rendered as placeholders. */
function labPathsOf(stack: Stack): DeployedPath[] {
  return JSON.parse(flatten(Template.fromStack(stack).findOutputs('LabPaths').LabPaths.Value));
}
