import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { LabCluster, LabVpc, LoadBalancerController, TargetGroupBindingWorkload } from '../../../lib';
import { targetGroupBindingValidator } from '../../crds';
import { controllerChartId, createdAfter, flatten, newStack } from '../../fixtures';

describe('TargetGroupBindingWorkload', () => {
  let template: Template;
  let ids: Record<string, string>;
  let objects: { kind: string; metadata: { name: string }; spec: any }[];
  let manifest: { DependsOn: string[] };
  let labCluster: LabCluster;
  let controller: LoadBalancerController;
  beforeAll(() => {
    const stack = newStack();
    const vpc = new LabVpc(stack, 'Vpc', { clusterName: 'lab' }).vpc;
    labCluster = new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab' });
    controller = labCluster.addLoadBalancerController();
    new TargetGroupBindingWorkload(stack, 'Tgb', {
      cluster: labCluster.cluster, controller, vpc, nodePort: 30081, inboundCidrs: ['203.0.113.7/32'],
    });
    template = Template.fromStack(stack);
    const idOf = (type: string, prefix: string) => Object.keys(template.findResources(type)).find((id) => id.startsWith(prefix))!;
    ids = {
      ipTargetGroup: idOf('AWS::ElasticLoadBalancingV2::TargetGroup', 'TgbIpTargetGroup'),
      instanceTargetGroup: idOf('AWS::ElasticLoadBalancingV2::TargetGroup', 'TgbInstanceTargetGroup'),
      securityGroup: idOf('AWS::EC2::SecurityGroup', 'TgbSecurityGroup'),
      vpc: idOf('AWS::EC2::VPC', 'Vpc'),
      chart: controllerChartId(template),
      listener: idOf('AWS::ElasticLoadBalancingV2::Listener', 'TgbLoadBalancerListener'),
    };
    const [, resource] = Object.entries(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .find(([id]) => id.startsWith('Tgb'))!;
    manifest = resource as { DependsOn: string[] };
    objects = JSON.parse(flatten(resource.Properties.Manifest));
  });
  const binding = (name: string) => objects.find((o) => o.kind === 'TargetGroupBinding' && o.metadata.name === name)!;

  test('the target group ARNs, the VPC and the ALB security group flow from CloudFormation into the bindings', () => {
    expect(binding('echo-ip').spec).toMatchObject({
      targetGroupARN: `<${ids.ipTargetGroup}>`,
      targetType: 'ip',
      vpcID: `<${ids.vpc}>`,
      networking: { ingress: [{ from: [{ securityGroup: { groupID: `<${ids.securityGroup}.GroupId>` } }], ports: [{ port: 8080 }] }] },
    });
    expect(binding('echo-instance').spec).toMatchObject({
      targetGroupARN: `<${ids.instanceTargetGroup}>`,
      targetType: 'instance',
      vpcID: `<${ids.vpc}>`,
      networking: { ingress: [{ from: [{ securityGroup: { groupID: `<${ids.securityGroup}.GroupId>` } }], ports: [{ port: 30081 }] }] },
    });
  });

  test('the applied bindings match the CRD schema', () => {
    const validate = targetGroupBindingValidator();
    for (const name of ['echo-ip', 'echo-instance']) {
      expect({ ok: validate(binding(name)), errors: validate.errors }).toEqual({ ok: true, errors: null });
    }
  });

  test('applied after the controller chart and the target groups, while the ALB is still provisioning', () => {
    expect(manifest.DependsOn).toContain(ids.chart);
    const manifestId = Object.keys(template.findResources('Custom::AWSCDK-EKS-KubernetesResource')).find((id) => id.startsWith('Tgb'))!;
    for (const id of [ids.ipTargetGroup, ids.instanceTargetGroup, ids.securityGroup]) expect([id, createdAfter(template, manifestId, id)]).toEqual([id, true]);
    const alb = Object.keys(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer')).find((id) => id.startsWith('Tgb'))!;
    for (const id of [alb, ids.listener]) expect([id, createdAfter(template, manifestId, id)]).toEqual([id, false]);
  });

  test('an ip target group on the pod port and an instance target group on the NodePort, in the VPC', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip', Port: 8080, Protocol: 'HTTP', VpcId: { Ref: ids.vpc }, HealthCheckPath: '/',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'instance', Port: 30081, Protocol: 'HTTP', VpcId: { Ref: ids.vpc }, HealthCheckPath: '/',
    });
  });

  test('an internet-facing ALB; one listener on 80 sends /ip and /instance to their target groups, anything else 404', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing', Type: 'application', SecurityGroups: [{ 'Fn::GetAtt': [ids.securityGroup, 'GroupId'] }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, Protocol: 'HTTP', DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) })],
    });
    for (const [path, priority, tg] of [['/ip', 10, ids.ipTargetGroup], ['/instance', 20, ids.instanceTargetGroup]] as const) {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Priority: priority,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [path, `${path}/*`] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: { Ref: tg } }],
      });
    }
  });

  test('the ALB security group admits the client CIDRs on 80 and reaches only the pod port and the NodePort', () => {
    const sg = template.findResources('AWS::EC2::SecurityGroup')[ids.securityGroup].Properties;
    expect(sg.SecurityGroupIngress).toEqual([expect.objectContaining({ CidrIp: '203.0.113.7/32', FromPort: 80, ToPort: 80 })]);
    expect(sg.SecurityGroupEgress.map((r: { FromPort: number; ToPort: number }) => [r.FromPort, r.ToPort])).toEqual([[8080, 8080], [30081, 30081]]);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('both target groups take the cross-zone attribute when it is set, and only then', () => {
    const scope = newStack();
    const vpc = new LabVpc(scope, 'Vpc', { clusterName: 'lab' }).vpc;
    const own = new LabCluster(scope, 'Cluster', { vpc, clusterName: 'lab' });
    new TargetGroupBindingWorkload(scope, 'Tgb', {
      cluster: own.cluster, controller: own.addLoadBalancerController(), vpc, nodePort: 30081, crossZoneLoadBalancing: 'false',
    });
    const groups = Object.values(Template.fromStack(scope).findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));
    expect(groups).toHaveLength(2);
    for (const g of groups) {
      expect(g.Properties.TargetGroupAttributes).toContainEqual({ Key: 'load_balancing.cross_zone.enabled', Value: 'false' });
    }
    for (const g of Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'))) {
      expect(JSON.stringify(g.Properties.TargetGroupAttributes)).not.toContain('cross_zone');
    }
  });

  let other = 0;
  test.each<[Record<string, unknown>, string]>([
    [{ nodePort: 80 }, "Bad: 'nodePort' must be a whole number between 30000 and 32767; got 80. Pick a port in the API server's NodePort range 30000-32767, e.g. 30081."],
    [{ nodePort: 30081, inboundCidrs: [] }, "Bad: 'inboundCidrs' must list at least one CIDR block; got []."],
    [{ nodePort: 30081, crossZoneLoadBalancing: 'off' }, "Bad: 'crossZoneLoadBalancing' must be one of 'true', 'false', 'use_load_balancer_configuration'; got 'off'."],
  ])('rejects %j before creating anything', (override, message) => {
    const scope = new Stack(labCluster.node.root, `Other${++other}`);
    const build = () => new TargetGroupBindingWorkload(scope, 'Bad', {
      cluster: labCluster.cluster, controller, vpc: labCluster.cluster.vpc, nodePort: 30081, ...override,
    });
    expect(build).toThrow(message);
    expect(scope.node.findAll().filter((c) => c.node.path.startsWith(`${scope.node.path}/Bad/`))).toEqual([]);
  });
});
