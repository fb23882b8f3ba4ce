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

  test('LabCluster, IpModeLab and InstanceModeLab; each lab pulls LabCluster in', () => {
    expect([stacks.cluster, stacks.ipMode, stacks.instanceMode].map((s) => s.stackName))
      .toEqual(['LabCluster', 'IpModeLab', 'InstanceModeLab']);
    const assembly = (stacks.cluster.node.root as App).synth();
    const dependsOn = (name: string) => assembly.getStackByName(name).dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets'));
    expect(dependsOn('IpModeLab')).toEqual(['LabCluster']);
    expect(dependsOn('InstanceModeLab')).toEqual(['LabCluster']);
    expect(dependsOn('LabCluster')).toEqual([]);
    for (const s of [stacks.cluster, stacks.ipMode, stacks.instanceMode]) {
      expect(s.region).toBe('us-east-1');
      // Region only: synth needs no credentials and no lookups; the account comes from the deploying credentials.
      expect(Token.isUnresolved(s.account)).toBe(true);
    }
  });

  test('one kubectl handler in LabCluster serves both labs', () => {
    for (const s of [stacks.ipMode, stacks.instanceMode]) {
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
    const deps = stacks.ipMode.workload.manifest.node.dependencies.map((d) => d.node.path);
    expect(deps).toContain(chartPath);
  });
});

describe('the lab app with context', () => {
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
    });
    const cluster = Template.fromStack(stacks.cluster);
    cluster.hasResourceProperties('AWS::EKS::Cluster', { Name: 'lab2', Version: '1.35' });
    cluster.hasResourceProperties('AWS::EKS::Nodegroup', { InstanceTypes: ['m5.large'], ScalingConfig: { DesiredSize: 3 } });
    const objects = Object.fromEntries(workloadObjects(Template.fromStack(stacks.instanceMode)).map((o) => [o.kind, o]));
    expect(objects.Service.spec).toMatchObject({ externalTrafficPolicy: 'Local', ports: [expect.objectContaining({ nodePort: 31000 })] });
    expect(objects.Deployment.spec.replicas).toBe(4);
    expect(objects.Ingress.metadata.annotations['alb.ingress.kubernetes.io/inbound-cidrs']).toBe('203.0.113.7/32');
  });
});
