import { App } from 'cdk8s';
import { TargetGroupBindingChart, TargetGroupBindingChartProps } from '../../../lib';
import { TARGET_GROUP_BINDING_API_VERSION } from '../../../lib/workloads/target-group-binding-chart';
import { TGB_CRD, targetGroupBindingValidator } from '../../crds';

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec: any };

const PROPS: TargetGroupBindingChartProps = {
  ipTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/ip/0123456789abcdef',
  instanceTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/instance/fedcba9876543210',
  vpcId: 'vpc-0123456789abcdef0',
  loadBalancerSecurityGroupId: 'sg-0123456789abcdef0',
  nodePort: 30081,
};

function render(props: TargetGroupBindingChartProps = PROPS): K8sObject[] {
  return new TargetGroupBindingChart(new App(), 'Chart', props).toJson() as K8sObject[];
}

describe('TargetGroupBindingChart', () => {
  const objects = render();
  const byName = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;

  test('Namespace, Deployment, then each Service followed by its binding, all in tgb', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/tgb', 'Deployment/echo', 'Service/echo-ip', 'TargetGroupBinding/echo-ip',
      'Service/echo-instance', 'TargetGroupBinding/echo-instance',
    ]);
    expect(new Set(objects.slice(1).map((o) => o.metadata.namespace))).toEqual(new Set(['tgb']));
  });

  test('the bindings match the vendored CRD schema (elbv2.k8s.aws/v1beta1), with no field it would prune', () => {
    expect(`${TGB_CRD.group}/${TGB_CRD.version}`).toBe(TARGET_GROUP_BINDING_API_VERSION);
    const validate = targetGroupBindingValidator();
    const bindings = objects.filter((o) => o.kind === TGB_CRD.kind);
    expect(bindings).toHaveLength(2);
    for (const binding of bindings) {
      expect(binding.apiVersion).toBe(TARGET_GROUP_BINDING_API_VERSION);
      expect({ ok: validate(binding), errors: validate.errors }).toEqual({ ok: true, errors: null });
    }
  });

  test('the validator catches what the API server would reject or prune', () => {
    const validate = targetGroupBindingValidator();
    const ip = byName('TargetGroupBinding', 'echo-ip');
    expect(validate({ ...ip, spec: { ...ip.spec, targetType: 'pod' } })).toBe(false);
    expect(validate({ ...ip, spec: { ...ip.spec, vpcId: 'vpc-1' } })).toBe(false);
    const { serviceRef: _s, ...noServiceRef } = ip.spec;
    expect(validate({ ...ip, spec: noServiceRef })).toBe(false);
  });

  test('ip: a headless Service and a binding of target type ip, VPC and the ALB security group on the pod port', () => {
    expect(byName('Service', 'echo-ip').spec).toMatchObject({ clusterIP: 'None', ports: [{ port: 80, targetPort: 8080 }] });
    expect(byName('TargetGroupBinding', 'echo-ip').spec).toEqual({
      targetGroupARN: PROPS.ipTargetGroupArn,
      targetType: 'ip',
      vpcID: 'vpc-0123456789abcdef0',
      serviceRef: { name: 'echo-ip', port: 80 },
      networking: { ingress: [{ from: [{ securityGroup: { groupID: 'sg-0123456789abcdef0' } }], ports: [{ protocol: 'TCP', port: 8080 }] }] },
    });
  });

  test('instance: a NodePort Service on the fixed port and a binding of target type instance admitting the NodePort', () => {
    expect(byName('Service', 'echo-instance').spec).toMatchObject({
      type: 'NodePort', externalTrafficPolicy: 'Cluster', ports: [{ port: 80, targetPort: 8080, nodePort: 30081 }],
    });
    expect(byName('TargetGroupBinding', 'echo-instance').spec).toMatchObject({
      targetGroupARN: PROPS.instanceTargetGroupArn,
      targetType: 'instance',
      vpcID: 'vpc-0123456789abcdef0',
      serviceRef: { name: 'echo-instance', port: 80 },
      networking: { ingress: [{ ports: [{ protocol: 'TCP', port: 30081 }] }] },
    });
  });

  test('both Services select the one echo Deployment', () => {
    const podLabels = byName('Deployment', 'echo').spec.template.metadata.labels;
    for (const name of ['echo-ip', 'echo-instance']) expect(podLabels).toMatchObject(byName('Service', name).spec.selector);
  });

  test.each<[Partial<TargetGroupBindingChartProps>, string]>([
    [{ nodePort: 8080 }, "'nodePort' must be a whole number between 30000 and 32767; got 8080."],
    [{ vpcId: '' }, "'vpcId' must be set; got ''. Pass the value from the stack that owns the load balancer (a token is fine)."],
    [{ instanceTargetGroupArn: PROPS.ipTargetGroupArn }, "'instanceTargetGroupArn' must differ from 'ipTargetGroupArn'"],
    [{ externalTrafficPolicy: 'Nearest' as never }, "'externalTrafficPolicy' must be one of 'Cluster', 'Local'; got 'Nearest'."],
    [{ namespace: 'TGB' }, "'namespace' must be a DNS-1123 label"],
    [{ image: ' ' }, "'image' must name a container image; got ' '. Leave it unset for registry.k8s.io/e2e-test-images/echoserver:2.5, or give a mirror of it."],
  ])('rejects %j', (override, message) => {
    expect(() => render({ ...PROPS, ...override })).toThrow(`Chart: ${message}`);
  });
});
