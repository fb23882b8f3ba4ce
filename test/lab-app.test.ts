import { App, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readLabSettings } from '../bin/settings';
import { createLab, Lab } from '../lab-stacks/lab-app';
import { flatten, helmValues, newApp } from './fixtures';

function lab(context: Record<string, unknown> = {}): Lab {
  const app = newApp(context);
  return createLab(app, readLabSettings(app.node, {}));
}

function workloadObjects(template: Template): { kind: string; spec: any; metadata: any }[] {
  const manifest = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))[0];
  return JSON.parse(flatten(manifest.Properties.Manifest));
}

describe('the lab app', () => {
  let stacks: Lab;
  beforeAll(() => { stacks = lab(); });

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

  test('outputs: each lab URL, the instance lab\'s traffic policy, the cluster name and the update-kubeconfig command', () => {
    const ip = Template.fromStack(stacks.ipMode);
    const url = ip.findOutputs('Url').Url;
    expect(flatten(url.Value)).toMatch(/^http:\/\/<WorkloadLoadBalancerAddress.*\.Value>\/$/);
    ip.hasOutput('TargetType', { Value: 'ip' });
    expect(ip.findOutputs('ExternalTrafficPolicy')).toEqual({});
    Template.fromStack(stacks.instanceMode).hasOutput('ExternalTrafficPolicy', { Value: 'Cluster' });
    const cluster = Template.fromStack(stacks.cluster);
    cluster.hasOutput('ClusterName', {});
    expect(flatten(cluster.findOutputs('UpdateKubeconfigCommand').UpdateKubeconfigCommand.Value))
      .toMatch(/^aws eks update-kubeconfig --name <Cluster.*> --region us-east-1 --role-arn <ClusterAdminRole.*\.Arn>$/);
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
    template.hasOutput('TargetType', { Value: 'ip' });
    template.hasOutput('PreserveClientIp', { Value: 'false' });
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
  });

  test('the service mutator webhook is on, written out', () => {
    expect(helmValues(Template.fromStack(stacks.cluster))).toMatchObject({ enableServiceMutatorWebhook: true });
    expect(stacks.cluster.controller.serviceMutatorWebhook).toBe(true);
  });
});

describe('the lab app with context', () => {
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
    const service = workloadObjects(Template.fromStack(stacks.nlbIpMode)).find((o) => o.kind === 'Service')!;
    expect(service.metadata.annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'preserve_client_ip.enabled=true',
      'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol': '*',
    });
  });

  test('-c region=cn-north-1: aws-cn ARNs, the China image, WAF and Shield off', () => {
    const stacks = lab({ region: 'cn-north-1' });
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

  test('settings reach the constructs', () => {
    const stacks = lab({
      clusterName: 'lab2', kubernetesVersion: '1.35', nodeInstanceType: 'm5.large', nodeCount: '3',
      allowedCidr: '203.0.113.7/32', externalTrafficPolicy: 'Local', replicas: '4', nodePort: '31000',
      controllerVersion: '2.8.3',
    });
    const cluster = Template.fromStack(stacks.cluster);
    cluster.hasResourceProperties('AWS::EKS::Cluster', { Name: 'lab2', Version: '1.35' });
    cluster.hasResourceProperties('AWS::EKS::Nodegroup', { InstanceTypes: ['m5.large'], ScalingConfig: { DesiredSize: 3 } });
    cluster.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Chart: 'aws-load-balancer-controller', Version: '1.8.4' });
    expect(helmValues(cluster).image.tag).toBe('v2.8.3');
    const objects = Object.fromEntries(workloadObjects(Template.fromStack(stacks.instanceMode)).map((o) => [o.kind, o]));
    expect(objects.Service.spec).toMatchObject({ externalTrafficPolicy: 'Local', ports: [expect.objectContaining({ nodePort: 31000 })] });
    expect(objects.Deployment.spec.replicas).toBe(4);
    expect(objects.Ingress.metadata.annotations['alb.ingress.kubernetes.io/inbound-cidrs']).toBe('203.0.113.7/32');
  });
});
