import { albAnnotationProblem, isListenPorts, nlbAnnotationProblem } from '../../../lib/private/alb-annotations';
import { k8sProblems } from '../../k8s-validate';

const A = 'alb.ingress.kubernetes.io/';

describe('ALB annotation grammar', () => {
  test.each([
    ['target-type', 'ip'], ['target-type', 'instance'], ['scheme', 'internal'], ['scheme', 'internet-facing'],
    ['listen-ports', '[{"HTTP": 80}]'], ['listen-ports', '[{"HTTP": 80}, {"HTTPS": 443}, {"HTTP": 8080}]'],
    ['inbound-cidrs', '0.0.0.0/0'], ['inbound-cidrs', '203.0.113.7/32, 10.0.0.0/8'], ['inbound-cidrs', '0.0.0.0/0,::/0'],
    ['healthcheck-path', '/healthz'], ['healthcheck-port', 'traffic-port'], ['healthcheck-port', '8080'], ['healthcheck-port', 'http'],
    ['healthcheck-protocol', 'HTTPS'], ['healthcheck-interval-seconds', '15'], ['healthcheck-timeout-seconds', '5'],
    ['healthy-threshold-count', '2'], ['unhealthy-threshold-count', '10'], ['success-codes', '200'], ['success-codes', '200,204'],
    ['success-codes', '200-299'], ['group.name', 'my-team.awesome-group'], ['group.order', '10'],
    ['target-group-attributes', 'deregistration_delay.timeout_seconds=30,stickiness.enabled=true'],
    ['certificate-arn', 'arn:aws:acm:us-east-1:123456789012:certificate/abc'], ['actions.response-503', '{"type":"fixed-response"}'],
  ])('accepts %s: %s', (name, value) => {
    expect(albAnnotationProblem(A + name, value)).toBeUndefined();
  });

  test.each([
    ['target-type', 'IP'], ['scheme', 'public'], ['listen-ports', '[]'], ['listen-ports', '{"HTTP": 80}'],
    ['listen-ports', '[{"TCP": 80}]'], ['listen-ports', '[{"HTTP": 0}]'], ['listen-ports', '[{"HTTP": 80, "HTTPS": 443}]'],
    ['inbound-cidrs', '203.0.113.7'], ['inbound-cidrs', '10.0.0.1/8'], ['healthcheck-path', 'healthz'],
    ['healthcheck-port', '70000'], ['healthcheck-interval-seconds', '301'], ['healthcheck-timeout-seconds', '1'],
    ['healthy-threshold-count', '11'], ['success-codes', '200-'], ['success-codes', '600'], ['group.name', '-lab'],
    ['group.name', 'g'.repeat(64)], ['group.order', '1001'], ['target-group-attributes', 'stickiness=true'],
    ['target-group-attributes', 'deregistration_delay.timeout_seconds'], ['targettype', 'ip'],
  ])('rejects %s: %s', (name, value) => {
    expect(albAnnotationProblem(A + name, value)).toMatch(/^(must be |is not an annotation)/);
  });

  test('leaves other annotations alone', () => {
    expect(albAnnotationProblem('service.beta.kubernetes.io/aws-load-balancer-type', 'external')).toBeUndefined();
  });

  test('listen-ports parses as JSON, so key order and spaces do not matter', () => {
    expect(isListenPorts('[{"HTTPS":443},{"HTTP":80}]')).toBe(true);
  });
});

describe('NLB Service annotation grammar', () => {
  const key = (name: string) => `service.beta.kubernetes.io/aws-load-balancer-${name}`;

  test.each([
    ['nlb-target-type', 'ip'], ['nlb-target-type', 'instance'], ['scheme', 'internal'], ['proxy-protocol', '*'],
    ['target-group-attributes', 'preserve_client_ip.enabled=true,deregistration_delay.timeout_seconds=30'],
    ['healthcheck-port', 'traffic-port'], ['healthcheck-interval', '10'], ['healthcheck-protocol', 'http'],
  ])('accepts %s=%s', (name, value) => {
    expect(nlbAnnotationProblem(key(name), value)).toBeUndefined();
  });

  test.each([
    ['nlb-target-type', 'pod', "must be one of 'instance', 'ip'"],
    ['proxy-protocol', 'v2', "must be one of '*'"],
    ['target-group-attributes', 'preserve_client_ip=true', 'must be key=value pairs'],
    ['healthcheck-interval', '1', 'must be a whole number from 5 to 300'],
  ])('rejects %s=%s', (name, value, problem) => {
    expect(nlbAnnotationProblem(key(name), value)).toContain(problem);
  });

  test('leaves the cloud provider\'s and unknown names alone', () => {
    expect(nlbAnnotationProblem(key('backend-protocol'), 'tcp')).toBeUndefined();
    expect(nlbAnnotationProblem('service.beta.kubernetes.io/load-balancer-source-ranges', 'x')).toBeUndefined();
  });
});

describe('k8sProblems', () => {
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo' }, spec: { ports: [{ port: 80 }] } };

  test('a valid object has no problems', () => {
    expect(k8sProblems([service])).toEqual([]);
  });

  test('reports schema errors, annotation errors and kinds without a schema, each with the object', () => {
    expect(k8sProblems([
      { ...service, spec: { ports: [{ port: 'eighty' }] } } as never,
      { ...service, metadata: { name: 'echo', annotations: { [`${A}scheme`]: 'public' } } },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
    ])).toEqual([
      'Service/echo: data/spec/ports/0/port must be integer',
      "Service/echo: annotation alb.ingress.kubernetes.io/scheme=\"public\" must be one of 'internal', 'internet-facing'",
      'Widget/w: no schema for example.com/v1/Widget; add it to test/k8s-validate.ts',
    ]);
  });

  test('checks TargetGroupBindings against the controller CRD', () => {
    const binding = (spec: Record<string, unknown>) => ({
      apiVersion: 'elbv2.k8s.aws/v1beta1', kind: 'TargetGroupBinding', metadata: { name: 'echo' }, spec,
    });
    const arn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/echo/0123456789abcdef';
    expect(k8sProblems([binding({ serviceRef: { name: 'echo', port: 80 }, targetGroupARN: arn, targetType: 'ip' })])).toEqual([]);
    expect(k8sProblems([binding({ serviceRef: { name: 'echo' }, targetGroupARN: arn, targetType: 'pod' })])).toEqual([
      "TargetGroupBinding/echo: /spec/serviceRef must have required property 'port'",
      'TargetGroupBinding/echo: /spec/targetType must be equal to one of the allowed values',
    ]);
    expect(k8sProblems([binding({ serviceRef: { name: 'echo', port: 80 } })])).toContain(
      "TargetGroupBinding/echo: /spec must name its target group (targetGroupARN or targetGroupName)");
  });
});
