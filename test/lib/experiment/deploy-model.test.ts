import * as fs from 'fs';
import * as path from 'path';
import {
  RESOURCE_DURATIONS, STACK_OVERHEAD_SECONDS, StackInput, TemplateInput, assemblyStacks, estimateRun, formatDuration,
  resourceGraph, stackTime,
} from '../../../lib/experiment/deploy-model';
import { ROOT } from '../../paths';

const seconds = (kind: string) => RESOURCE_DURATIONS.find((d) => d.kind === kind)!;

/** A small network-and-cluster stack: VPC → subnet → NAT gateway, and a cluster that uses the subnet. */
const NETWORK: TemplateInput = {
  Resources: {
    Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
    Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' } } },
    Nat: { Type: 'AWS::EC2::NatGateway', Properties: { SubnetId: { Ref: 'Subnet' } } },
    Role: { Type: 'AWS::IAM::Role', Properties: {} },
    Cluster: { Type: 'AWS::EKS::Cluster', Properties: { RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] }, Subnets: [{ Ref: 'Subnet' }] } },
    Nodes: { Type: 'AWS::EKS::Nodegroup', DependsOn: 'Nat', Properties: { ClusterName: { 'Fn::Sub': '${Cluster}' } } },
    Chart: { Type: 'Custom::AWSCDK-EKS-HelmChart', DependsOn: ['Nodes'], Properties: { Wait: true, Cluster: { Ref: 'AWS::StackName' } } },
  },
};

/** A lab stack: a manifest, then the load balancer's hostname read back. */
const LAB: TemplateInput = {
  Resources: {
    Manifest: { Type: 'Custom::AWSCDK-EKS-KubernetesResource', Properties: { ServiceToken: { 'Fn::GetStackOutput': { StackName: 'Base' } } } },
    Address: { Type: 'Custom::AWSCDK-EKS-KubernetesObjectValue', DependsOn: ['Manifest'], Properties: {} },
  },
};

const ALB: TemplateInput = {
  Resources: { Alb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: {} } },
};

describe('the deploy-time model', () => {
  test('dependencies: DependsOn, Ref, Fn::GetAtt and Fn::Sub within the template; pseudo parameters and other stacks ignored', () => {
    const graph = Object.fromEntries(resourceGraph(NETWORK).map((n) => [n.id, n.dependsOn]));
    expect(graph).toEqual({
      Vpc: [], Subnet: ['Vpc'], Nat: ['Subnet'], Role: [], Cluster: ['Role', 'Subnet'], Nodes: ['Cluster', 'Nat'], Chart: ['Nodes'],
    });
    expect(resourceGraph(LAB).map((n) => n.dependsOn)).toEqual([[], ['Manifest']]);
  });

  test('durations by type; a Helm chart without Wait, a Lambda function in a VPC and anything else have their own rows', () => {
    const duration = (Type: string, Properties: Record<string, unknown> = {}) =>
      resourceGraph({ Resources: { X: { Type, Properties } } })[0].duration;
    expect(duration('AWS::EKS::Cluster')).toEqual({ create: 600, delete: 300 });
    expect(duration('Custom::AWSCDK-EKS-HelmChart', { Wait: true }).create).toBe(120);
    expect(duration('Custom::AWSCDK-EKS-HelmChart', { Wait: false }).create).toBe(30);
    expect(duration('AWS::Lambda::Function', { VpcConfig: {} }).create).toBe(60);
    expect(duration('AWS::Lambda::Function').create).toBe(5);
    expect(duration('AWS::SQS::Queue')).toEqual({ create: 5, delete: 5 });
    for (const row of RESOURCE_DURATIONS) expect([row.kind, row.source.length > 10]).toEqual([row.kind, true]);
  });

  test('one stack: the longest chain of resources plus the stack overhead, and that chain', () => {
    const create = stackTime(NETWORK, 'create');
    const nat = seconds('AWS::EC2::NatGateway').create;
    // Vpc 5, Subnet 5, then the cluster (600) outlasts the NAT gateway (90): nodes start at 610.
    expect(create.path.map((p) => [p.name, p.start, p.end])).toEqual([
      ['Vpc', 0, 5], ['Subnet', 5, 10], ['Cluster', 10, 610], ['Nodes', 610, 790], ['Chart', 790, 910],
    ]);
    expect(create.seconds).toBe(910 + STACK_OVERHEAD_SECONDS);
    expect(nat).toBeLessThan(600);
    // Deleting runs backwards: the chart first, the VPC last.
    const del = stackTime(NETWORK, 'delete');
    expect(del.path.map((p) => p.name)).toEqual(['Chart', 'Nodes', 'Cluster', 'Subnet', 'Vpc']);
    expect(del.seconds).toBe(30 + 300 + 300 + 5 + 5 + STACK_OVERHEAD_SECONDS);
  });

  test('a dependency cycle is reported, not looped on', () => {
    expect(() => stackTime({ Resources: { A: { Type: 'T', DependsOn: 'B' }, B: { Type: 'T', DependsOn: 'A' } } }, 'create'))
      .toThrow('dependency cycle through');
  });

  const stacks: StackInput[] = [
    { name: 'Base', dependencies: [], template: NETWORK },
    { name: 'LabA', dependencies: ['Base'], template: LAB },
    { name: 'LabB', dependencies: ['Base'], template: LAB },
    { name: 'Alb', dependencies: [], template: ALB },
  ];
  const base = 910 + 20;
  const lab = 30 + 150 + 20;
  const alb = 180 + 20;

  test('one stack at a time: the sum of the stacks, each after the one before', () => {
    const run = estimateRun(stacks, 'create', 1);
    expect(run.seconds).toBe(base + 2 * lab + alb);
    expect(run.stacks.map((s) => [s.stack, s.start, s.end])).toEqual([
      ['Base', 0, base], ['LabA', base, base + lab], ['LabB', base + lab, base + 2 * lab], ['Alb', base + 2 * lab, base + 2 * lab + alb],
    ]);
    expect(run.criticalPath.map((s) => [s.stack, s.after])).toEqual([
      ['Base', undefined], ['LabA', { stack: 'Base', reason: 'dependency' }],
      ['LabB', { stack: 'LabA', reason: 'slot' }], ['Alb', { stack: 'LabB', reason: 'slot' }],
    ]);
  });

  test('in parallel: a stack starts when its dependencies are done; the total is the longest chain of stacks', () => {
    const run = estimateRun(stacks, 'create', 4);
    expect(run.seconds).toBe(base + lab);
    expect(run.stacks.find((s) => s.stack === 'Alb')!.start).toBe(0);
    expect(run.criticalPath.map((s) => s.stack)).toEqual(['Base', 'LabA']);
    // Two slots: the ALB takes one at the start, and both labs still start when Base is done.
    expect(estimateRun(stacks, 'create', 2).seconds).toBe(base + lab);
  });

  test('destroy: dependants first, so the shared stack goes last', () => {
    const run = estimateRun(stacks, 'delete', 4);
    const del = (t: TemplateInput) => stackTime(t, 'delete').seconds;
    expect(run.seconds).toBe(del(LAB) + del(NETWORK));
    expect(run.criticalPath.map((s) => s.stack)).toEqual(['LabA', 'Base']);
    expect(() => estimateRun(stacks, 'create', 0)).toThrow('concurrency must be a positive integer; got 0');
  });

  test('the stacks of an assembly: templates and stack dependencies from manifest.json, asset manifests left out', () => {
    const manifest = {
      artifacts: {
        'Base.assets': { type: 'cdk:asset-manifest', properties: { file: 'Base.assets.json' } },
        Base: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Base.template.json' }, dependencies: ['Base.assets'] },
        LabA: { type: 'aws:cloudformation:stack', properties: { templateFile: 'LabA.template.json' }, dependencies: ['Base', 'LabA.assets'] },
        Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } },
      },
    };
    const files: Record<string, TemplateInput> = { 'Base.template.json': NETWORK, 'LabA.template.json': LAB };
    expect(assemblyStacks(manifest, (f) => files[f])).toEqual([
      { name: 'Base', dependencies: [], template: NETWORK },
      { name: 'LabA', dependencies: ['Base'], template: LAB },
    ]);
  });

  test('durations read as minutes and seconds', () => {
    expect([formatDuration(45), formatDuration(120), formatDuration(1190)]).toEqual(['45 s', '2 min', '19 min 50 s']);
  });

  test('the README\'s table of durations is the model\'s', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('<!-- deploy durations: generated from the deploy model -->');
    const end = readme.indexOf('<!-- end of deploy durations -->');
    expect([start >= 0, end > start]).toEqual([true, true]);
    const rows = readme.slice(start, end).split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| resource') && !l.startsWith('| ---'));
    expect(rows).toEqual(RESOURCE_DURATIONS.map((d) => `| ${d.kind} | ${d.create} s | ${d.delete} s | ${d.source} |`));
  });
});
