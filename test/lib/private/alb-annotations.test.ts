import {
  ALB_ANNOTATION_COUNT, NLB_ANNOTATION_COUNT, albAnnotationProblem, isListenPorts, nlbAnnotationProblem, parseStringMap,
} from '../../../lib/private/alb-annotations';
import { ALB, NLB } from '../../../lib/private/annotations';
import { k8sProblems } from '../../k8s-validate';

const A = 'alb.ingress.kubernetes.io/';

describe('ALB annotation grammar', () => {
  test.each([
    ['target-type', 'ip'], ['target-type', 'instance'], ['scheme', 'internal'], ['scheme', 'internet-facing'],
    ['listen-ports', '[{"HTTP": 80}]'], ['listen-ports', '[{"HTTP": 80}, {"HTTPS": 443}, {"HTTP": 8080}]'],
    // The controller reads each entry as a map of protocol to port: one object may carry both protocols.
    ['listen-ports', '[{"HTTP": 80, "HTTPS": 443}]'],
    ['inbound-cidrs', '0.0.0.0/0'], ['inbound-cidrs', '203.0.113.7/32, 10.0.0.0/8'], ['inbound-cidrs', '0.0.0.0/0,::/0'],
    ['healthcheck-path', '/healthz'], ['healthcheck-port', 'traffic-port'], ['healthcheck-port', '8080'], ['healthcheck-port', 'http'],
    // A named health-check port is a port name of the backend Service: a DNS-1123 label, up to 63 characters.
    ['healthcheck-port', 'metrics-and-health-of-the-echo-server'],
    ['healthcheck-protocol', 'HTTPS'], ['healthcheck-interval-seconds', '15'], ['healthcheck-timeout-seconds', '5'],
    ['healthy-threshold-count', '2'], ['unhealthy-threshold-count', '10'], ['success-codes', '200'], ['success-codes', '200,204'],
    ['success-codes', '200-299'], ['group.name', 'my-team.awesome-group'], ['group.order', '10'],
    ['group.order', '-1000'], ['group.order', '0'], ['group.order', '1000'],
    ['target-group-attributes', 'deregistration_delay.timeout_seconds=30,stickiness.enabled=true'],
    ['target-group-attributes', 'load_balancing.algorithm.type=weighted_random,load_balancing.algorithm.anomaly_mitigation=on'],
    ['certificate-arn', 'arn:aws:acm:us-east-1:123456789012:certificate/abc'], ['actions.response-503', '{"type":"fixed-response"}'],
    ['wafv2-acl-name', 'lab-acl'], ['wafv2-acl-arn', 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/lab/abc'],
    ['listener-attributes.HTTP-80', 'routing.http.response.server.enabled=true'],
    ['listener-attributes.HTTPS-443', 'routing.http.response.access_control_allow_headers.header_value=a\\,b'],
    ['mutual-authentication', '[{"port": 443, "mode": "verify", "trustStore": "lab-store"}, {"port": 8443, "mode": "off"}]'],
    ['transforms.echo', '[{"type": "url-rewrite"}]'], ['conditions.echo', '[{"field": "host-header"}]'],
    ['target-control-port.echo.80', '3000'], ['frontend-nlb-scheme', 'internal'], ['enable-frontend-nlb', 'true'],
    ['frontend-nlb-healthcheck-healthy-threshold-count', '3'], ['frontend-nlb-listener-port-mapping', '80=443'],
    ['ipam-ipv4-pool-id', 'ipam-pool-0123456789abcdef0'], ['minimum-load-balancer-capacity', 'CapacityUnits=1000'],
    ['load-balancer-name', 'lab-alb'], ['ssl-redirect', '443'], ['backend-protocol-version', 'GRPC'], ['use-regex-path-match', 'true'],
    ['auth-type', 'cognito'], ['auth-session-timeout', '3600'], ['jwt-validation', '{"issuer": "https://example.com"}'],
    ['shield-advanced-protection', 'false'], ['multi-cluster-target-group', 'True'], ['create-acm-cert', 'true'],
    ['tags', 'team=lab,env='], ['security-group-prefix-lists', 'pl-00000000'], ['web-acl-id', 'abc'],
  ])('accepts %s: %s', (name, value) => {
    expect(albAnnotationProblem(A + name, value)).toBeUndefined();
  });

  test.each([
    ['target-type', 'IP'], ['scheme', 'public'], ['listen-ports', '[]'], ['listen-ports', '{"HTTP": 80}'],
    ['listen-ports', '[{"TCP": 80}]'], ['listen-ports', '[{"HTTP": 0}]'], ['listen-ports', '[{"HTTP": 80, "HTTPS": 80}]'],
    ['listen-ports', '[{"http": 80}]'], ['listen-ports', '[{}]'],
    ['inbound-cidrs', '203.0.113.7'], ['inbound-cidrs', '10.0.0.1/8'], ['healthcheck-path', 'healthz'],
    ['healthcheck-port', '70000'], ['healthcheck-port', 'Http'], ['healthcheck-port', 'p'.repeat(64)],
    ['healthcheck-interval-seconds', '301'], ['healthcheck-timeout-seconds', '1'],
    ['healthy-threshold-count', '11'], ['success-codes', '200-'], ['success-codes', '600'], ['group.name', '-lab'],
    ['group.name', 'g'.repeat(64)], ['group.order', '1001'], ['group.order', '-1001'], ['group.order', '1.5'],
    ['target-group-attributes', 'stickiness=true'], ['target-group-attributes', 'deregistration_delay.timeout_seconds'],
    ['targettype', 'ip'], ['listener-attributes.TCP-80', 'a=b'], ['listener-attributes.HTTP-80', 'no-equals'],
    ['mutual-authentication', '[{"port": 443, "mode": "verify"}]'], ['mutual-authentication', '[{"port": 443, "mode": "off", "trustStore": "s"}]'],
    ['mutual-authentication', '[{"port": 443, "mode": "strict"}]'], ['transforms.echo', '{not json'],
    ['target-control-port.echo', '3000'], ['target-control-port.echo.80', 'x'], ['load-balancer-name', 'n'.repeat(33)],
    ['shield-advanced-protection', 'yes'], ['backend-protocol-version', 'http2'], ['auth-type', 'saml'],
  ])('rejects %s: %s', (name, value) => {
    expect(albAnnotationProblem(A + name, value)).toMatch(/^(must be |is not an annotation|is not of the documented form)/);
  });

  test('knows every Ingress annotation of the controller v3.5.0 reference', () => {
    // Each name of the annotation table in docs/guide/ingress/annotations.md at v3.5.0 (the families by a sample).
    const documented = [
      'load-balancer-name', 'group.name', 'group.order', 'tags', 'ip-address-type', 'scheme', 'subnets', 'security-groups',
      'manage-backend-security-group-rules', 'customer-owned-ipv4-pool', 'load-balancer-attributes', 'wafv2-acl-arn',
      'waf-acl-id', 'shield-advanced-protection', 'listen-ports', 'ssl-redirect', 'inbound-cidrs', 'security-group-prefix-lists',
      'certificate-arn', 'ssl-policy', 'target-type', 'backend-protocol', 'backend-protocol-version', 'target-group-attributes',
      'healthcheck-port', 'healthcheck-protocol', 'healthcheck-path', 'healthcheck-interval-seconds', 'healthcheck-timeout-seconds',
      'healthy-threshold-count', 'unhealthy-threshold-count', 'success-codes', 'auth-type', 'auth-idp-cognito', 'auth-idp-oidc',
      'auth-on-unauthenticated-request', 'auth-scope', 'auth-session-cookie', 'auth-session-timeout', 'jwt-validation',
      'actions.x', 'transforms.x', 'conditions.x', 'use-regex-path-match', 'target-node-labels', 'mutual-authentication',
      'multi-cluster-target-group', 'listener-attributes.HTTP-80', 'minimum-load-balancer-capacity', 'ipam-ipv4-pool-id',
      'enable-frontend-nlb', 'frontend-nlb-scheme', 'frontend-nlb-subnets', 'frontend-nlb-security-groups',
      'frontend-nlb-listener-port-mapping', 'frontend-nlb-healthcheck-port', 'frontend-nlb-healthcheck-protocol',
      'frontend-nlb-healthcheck-path', 'frontend-nlb-healthcheck-interval-seconds', 'frontend-nlb-healthcheck-timeout-seconds',
      'frontend-nlb-healthcheck-healthy-threshold-count', 'frontend-nlb-healthcheck-unhealthy-threshold-count',
      'frontend-nlb-healthcheck-success-codes', 'frontend-nlb-tags', 'frontend-nlb-eip-allocations', 'target-control-port.svc.80',
      'frontend-nlb-attributes', 'wafv2-acl-name', 'create-acm-cert', 'acm-pca-arn',
    ];
    expect(documented.filter((name) => albAnnotationProblem(A + name, 'x')?.startsWith('is not'))).toEqual([]);
    expect(ALB_ANNOTATION_COUNT).toBe(71);
  });

  test('leaves other annotations alone', () => {
    expect(albAnnotationProblem('service.beta.kubernetes.io/aws-load-balancer-type', 'external')).toBeUndefined();
  });

  test('names from Object.prototype are not annotations', () => {
    expect(albAnnotationProblem(`${A}constructor`, 'x')).toBe('is not an annotation the AWS Load Balancer Controller documents');
    expect(albAnnotationProblem(`${A}__proto__`, 'x')).toBe('is not an annotation the AWS Load Balancer Controller documents');
  });

  test('listen-ports parses as JSON, so key order and spaces do not matter', () => {
    expect(isListenPorts('[{"HTTPS":443},{"HTTP":80}]')).toBe(true);
  });

  test('stringMap values split as the controller splits them: escaped commas stay in the value', () => {
    expect(parseStringMap('a=1, b = 2 ,c=')).toEqual([['a', '1'], ['b', '2'], ['c', '']]);
    expect(parseStringMap('h=x\\,y')).toEqual([['h', 'x,y']]);
    expect(parseStringMap('=1')).toBeUndefined();
    expect(parseStringMap('a=1,b')).toBeUndefined();
  });
});

describe('NLB Service annotation grammar', () => {
  const key = (name: string) => `service.beta.kubernetes.io/aws-load-balancer-${name}`;

  test.each([
    ['nlb-target-type', 'ip'], ['nlb-target-type', 'instance'], ['scheme', 'internal'], ['proxy-protocol', '*'],
    ['target-group-attributes', 'preserve_client_ip.enabled=true,deregistration_delay.timeout_seconds=30'],
    ['target-group-attributes', 'proxy_protocol_v2.client_to_server.header_placement=on_first_ack'],
    ['target-group-attributes.3306', 'proxy_protocol_v2.client_to_server.header_placement=on_first_ack'],
    ['target-group-attributes.3306', 'deregistration_delay.timeout_seconds='],
    ['healthcheck-port', 'traffic-port'], ['healthcheck-port', 'http'], ['healthcheck-interval', '10'], ['healthcheck-protocol', 'http'],
    ['listener-attributes.TCP-80', 'tcp.idle_timeout.seconds=400'], ['alpn-policy', 'HTTP2Preferred'], ['disable-nlb-sg', 'true'],
    ['enable-prefix-for-ipv6-source-nat', 'on'], ['minimum-load-balancer-capacity', 'CapacityUnits=1000'], ['healthcheck-success-codes', '200-399'],
  ])('accepts %s=%s', (name, value) => {
    expect(nlbAnnotationProblem(key(name), value)).toBeUndefined();
  });

  test.each([
    ['nlb-target-type', 'pod', "must be one of 'instance', 'ip'"],
    ['proxy-protocol', 'v2', "must be one of '*'"],
    ['target-group-attributes', 'preserve_client_ip=true', 'must be key=value pairs'],
    ['target-group-attributes.http', 'proxy_protocol_v2.enabled=true', 'is not of the documented form'],
    ['listener-attributes.HTTP-80', 'tcp.idle_timeout.seconds=400', 'is not of the documented form'],
    ['healthcheck-interval', '1', 'must be a whole number from 5 to 300'],
    ['healthcheck-port', 'HTTP', "must be 'traffic-port', a port from 1 to 65535 or the name of a port of the backend Service"],
    ['alpn-policy', 'h2', 'must be one of'],
    ['disable-nlb-sg', 'yes', "must be 'true' or 'false'"],
  ])('rejects %s=%s', (name, value, problem) => {
    expect(nlbAnnotationProblem(key(name), value)).toContain(problem);
  });

  test('leaves the cloud provider\'s and unknown names alone', () => {
    expect(nlbAnnotationProblem(key('backend-protocol'), 'tcp')).toBeUndefined();
    expect(nlbAnnotationProblem(key('connection-idle-timeout'), '60')).toBeUndefined();
    expect(nlbAnnotationProblem('service.beta.kubernetes.io/load-balancer-source-ranges', 'x')).toBeUndefined();
  });

  test('knows every Service annotation of the controller v3.5.0 reference', () => {
    expect(NLB_ANNOTATION_COUNT).toBe(47);
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

describe('the annotation names the charts write and the model reads', () => {
  test('each is one the grammar knows: a plain value it accepts passes, so a misspelt name would fail', () => {
    const sample: Record<string, string> = {
      targetType: 'ip', scheme: 'internal', listenPorts: '[{"HTTP": 80}]', healthcheckPath: '/', healthcheckPort: 'traffic-port',
      inboundCidrs: '10.0.0.0/8', groupName: 'lab', groupOrder: '10', type: 'external', targetGroupAttributes: 'preserve_client_ip.enabled=true',
      proxyProtocol: '*', healthcheckProtocol: 'TCP', attributes: 'load_balancing.cross_zone.enabled=true', crossZone: 'true', ipAddressType: 'dualstack',
    };
    const problems = [
      ...Object.entries(ALB).filter(([k]) => k !== 'prefix').map(([k, name]) => [name, albAnnotationProblem(name, sample[k])]),
      ...Object.entries(NLB).filter(([k]) => k !== 'prefix').map(([k, name]) => [name, nlbAnnotationProblem(name, sample[k] ?? (k === 'healthcheckPort' ? 'traffic-port' : '/'))]),
    ].filter(([, p]) => p !== undefined);
    expect(problems).toEqual([]);
    expect(albAnnotationProblem('alb.ingress.kubernetes.io/target-typo', 'ip')).toBeDefined();
  });
});
