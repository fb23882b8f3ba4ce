import {
  Finding, compareVersions, controllerArg, diagnose, explainEvent, imageTag, isControllerService, policyReference,
} from '../../../../lib/experiment/doctor/diagnose';
import { DoctorFacts, EventFact, SubnetFact } from '../../../../lib/experiment/doctor/facts';
import { COMMERCIAL_POLICIES, POLICIES_V3_5_0 } from '../../../../lib/private/official-policy';

const ROLE = 'arn:aws:iam::111122223333:role/lbc';
const CREATED = '2026-11-02T09:00:00.000Z';
const NOW = '2026-11-02T09:20:00.000Z';

/** A healthy lab: controller v3.5.0 with its policy, two Ingresses and an NLB Service with addresses, tagged subnets. */
function healthy(over: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    now: NOW,
    namespace: 'kube-system',
    clusterName: 'lab',
    controller: {
      namespace: 'kube-system', name: 'aws-load-balancer-controller',
      labels: {
        'helm.sh/chart': 'aws-load-balancer-controller-3.5.0', 'app.kubernetes.io/version': 'v3.5.0',
        'app.kubernetes.io/instance': 'aws-load-balancer-controller',
      },
      image: 'public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0',
      args: ['--cluster-name=lab', '--ingress-class=alb'],
      serviceAccountName: 'aws-load-balancer-controller', replicas: 2, readyReplicas: 2,
    },
    identity: { via: 'irsa', roleArn: ROLE },
    policies: [{ source: 'arn:aws:iam::111122223333:policy/P (v1)', document: POLICIES_V3_5_0.aws }],
    ingressClasses: [{ name: 'alb', controller: 'ingress.k8s.aws/alb', isDefault: false }],
    ingresses: [
      { namespace: 'ip-mode', name: 'echo', className: 'alb', addresses: ['a.elb.amazonaws.com'], created: CREATED },
      { namespace: 'instance-mode', name: 'echo', className: 'alb', addresses: ['b.elb.amazonaws.com'], created: CREATED },
    ],
    services: [{ namespace: 'nlb', name: 'echo', loadBalancerClass: 'service.k8s.aws/nlb', annotations: {}, addresses: ['c.elb.amazonaws.com'], created: CREATED }],
    targetGroupBindings: [{ namespace: 'tgb', name: 'echo-ip', generation: 1, observedGeneration: 1, conditions: [], created: CREATED }],
    events: [],
    webhook: { namespace: 'kube-system', name: 'aws-load-balancer-webhook-service', exists: true, ready: 2, notReady: 0, source: 'EndpointSlice' },
    vpcId: 'vpc-1',
    subnets: [
      { id: 'subnet-a1', zone: 'us-east-1a', tags: { 'kubernetes.io/role/elb': '1', 'kubernetes.io/cluster/lab': 'shared' } },
      { id: 'subnet-a2', zone: 'us-east-1b', tags: { 'kubernetes.io/role/elb': '' } },
      { id: 'subnet-b1', zone: 'us-east-1a', tags: { 'kubernetes.io/role/internal-elb': '1', 'kubernetes.io/cluster/lab': 'owned' } },
      { id: 'subnet-b2', zone: 'us-east-1b', tags: { 'kubernetes.io/role/internal-elb': '1' } },
    ],
    unchecked: [],
    ...over,
  };
}

function withController(over: Partial<NonNullable<DoctorFacts['controller']>>, facts: Partial<DoctorFacts> = {}): DoctorFacts {
  const base = healthy();
  return healthy({ controller: { ...base.controller!, ...over }, ...facts });
}

function lines(findings: readonly Finding[]): string[] {
  return findings.map((f) => `[${f.check}] ${f.subject}: ${f.problem}. Fix: ${f.fix}.`);
}

function warning(kind: string, namespace: string, name: string, reason: string, message: string, lastSeen = '2026-11-02T09:19:00.000Z'): EventFact {
  return { object: { kind, namespace, name }, reason, message, lastSeen };
}

const DENIED = 'Failed deploy model due to operation error Elastic Load Balancing v2: DescribeListenerAttributes, https response error ' +
  'StatusCode: 403, RequestID: 9c8b7a6f, api error AccessDenied: User: arn:aws:sts::111122223333:assumed-role/lbc/1761992400 is not ' +
  'authorized to perform: elasticloadbalancing:DescribeListenerAttributes because no identity-based policy allows the ' +
  'elasticloadbalancing:DescribeListenerAttributes action';

describe('helpers', () => {
  test('imageTag: the tag after the last colon of the name, without a digest', () => {
    expect(imageTag('public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0')).toBe('v3.5.0');
    expect(imageTag('registry:5000/aws-load-balancer-controller:v2.8.3@sha256:abc')).toBe('v2.8.3');
    expect(imageTag('registry:5000/aws-load-balancer-controller')).toBe('');
  });

  test('controllerArg: --name=value and --name value', () => {
    expect(controllerArg(['--cluster-name=lab', '--aws-region', 'eu-west-1'], 'cluster-name')).toBe('lab');
    expect(controllerArg(['--cluster-name=lab', '--aws-region', 'eu-west-1'], 'aws-region')).toBe('eu-west-1');
    expect(controllerArg(['--cluster-name=lab'], 'aws-vpc-id')).toBeUndefined();
  });

  test('compareVersions orders releases by number, with or without the v', () => {
    expect([compareVersions('v2.10.1', 'v2.9.2') > 0, compareVersions('2.13.0', 'v2.13.0'), compareVersions('v3.5.0', 'v3.10.0') < 0])
      .toEqual([true, 0, true]);
    expect(compareVersions('latest', 'v2.13.0')).toBeNaN();
  });

  test('policyReference: the release itself, else the newest known one not newer, else the oldest', () => {
    expect(policyReference('v2.8.3')).toMatchObject({ version: { version: 'v2.8.3' }, exact: true });
    expect(policyReference('v2.10.4')).toMatchObject({ version: { version: 'v2.10.0' }, exact: false });
    expect(policyReference('v3.6.0')).toMatchObject({ version: { version: 'v3.5.0' }, exact: false });
    expect(policyReference('v2.1.0')).toMatchObject({ version: { version: 'v2.4.7' }, exact: false });
    expect(policyReference('latest')).toBeUndefined();
  });

  test('isControllerService: its class, or the annotations of older releases without a class', () => {
    expect(isControllerService({ loadBalancerClass: 'service.k8s.aws/nlb', annotations: {} })).toBe(true);
    expect(isControllerService({ loadBalancerClass: 'other', annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb-ip' } })).toBe(false);
    expect(isControllerService({ annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb-ip' } })).toBe(true);
    expect(isControllerService({ annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external', 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip' } })).toBe(true);
    expect(isControllerService({ annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external' } })).toBe(false);
    expect(isControllerService({ annotations: {} })).toBe(false);
  });
});

describe('diagnose', () => {
  test('a healthy lab: nothing', () => {
    expect(diagnose(healthy())).toEqual([]);
  });

  test('no controller Deployment: one finding, and nothing that needs the controller', () => {
    const facts = healthy({ controller: undefined, ingresses: [{ namespace: 'a', name: 'x', className: 'alb', addresses: [], created: CREATED }] });
    expect(lines(diagnose(facts))).toEqual([
      '[controller] namespace kube-system: no AWS Load Balancer Controller Deployment (label app.kubernetes.io/name=aws-load-balancer-controller), ' +
      'so nothing reconciles Ingresses of class alb, Services of class service.k8s.aws/nlb or TargetGroupBindings. Fix: install the eks-charts ' +
      'aws-load-balancer-controller chart, or pass --namespace where the controller runs.',
    ]);
  });

  describe('chart', () => {
    test('an image other than the chart\'s app version: the chart that ships the image, or the image back', () => {
      const facts = withController({
        labels: { 'helm.sh/chart': 'aws-load-balancer-controller-1.8.4', 'app.kubernetes.io/version': 'v2.8.3', 'app.kubernetes.io/instance': 'lbc' },
      });
      expect(lines(diagnose(facts))).toEqual([
        '[chart] Deployment kube-system/aws-load-balancer-controller: runs image v3.5.0 from chart 1.8.4, which was made for v2.8.3 ' +
        '(label app.kubernetes.io/version): its RBAC rules, webhooks and CRDs are those of v2.8.3, not of the controller that runs. ' +
        'Fix: helm upgrade lbc eks/aws-load-balancer-controller -n kube-system --version 3.5.0 --reuse-values (chart 3.5.0 ships v3.5.0), ' +
        'or set image.tag back to v2.8.3.',
      ]);
    });

    test('an image of a release this library has no chart for: the advice without a chart version; no labels: nothing', () => {
      const facts = withController({ image: 'x/aws-load-balancer-controller:v3.6.0', labels: { 'app.kubernetes.io/version': 'v3.5.0' } }, { policies: undefined });
      expect(diagnose(facts).map((f) => f.fix)).toEqual(['upgrade the release to the chart that ships v3.6.0, or set image.tag back to v3.5.0']);
      expect(diagnose(withController({ labels: {} }))).toEqual([]);
      expect(diagnose(withController({ labels: { 'app.kubernetes.io/version': '3.5.0' } }))).toEqual([]);
    });
  });

  describe('policy', () => {
    const V2_8_3_LACKS = [
      'ec2:DescribeIpamPools', 'ec2:DescribeRouteTables', 'ec2:GetSecurityGroupsForVpc',
      'elasticloadbalancing:DescribeCapacityReservation', 'elasticloadbalancing:DescribeListenerAttributes',
      'elasticloadbalancing:ModifyCapacityReservation', 'elasticloadbalancing:ModifyIpPools',
      'elasticloadbalancing:ModifyListenerAttributes', 'elasticloadbalancing:SetRulePriorities',
    ];

    test('v3.5.0 with the v2.8.3 policy: one line per missing action, with what it breaks and the fix', () => {
      const findings = diagnose(healthy({ policies: [{ source: 'p', document: COMMERCIAL_POLICIES['v2.8.3'] }] }));
      expect(findings.map((f) => [f.check, f.subject, /^lacks (\S+), which controller v3\.5\.0 needs: /.exec(f.problem)?.[1]]))
        .toEqual(V2_8_3_LACKS.map((a) => ['policy', 'role lbc', a]));
      expect(lines(findings)).toContain('[policy] role lbc: lacks elasticloadbalancing:DescribeListenerAttributes, which controller v3.5.0 ' +
        'needs: the controller reads listener attributes on every listener reconcile except for TLS listeners (NLB TCP listeners from v2.9.0, ALB listeners from v2.10.1, the isolated partitions from v3.2.2), so every Ingress and LoadBalancer Service fails to reconcile; in the official policy since v2.9.0. Fix: give the role the official v3.5.0 policy (eks-lb-lab policy ' +
        'show --version v3.5.0 --partition aws; compare a managed policy with eks-lb-lab policy diff --policy-arn <arn>).');
    });

    test('the union of managed and inline policies counts; an unknown release is held to the nearest known one', () => {
      const split = POLICIES_V3_5_0.aws.Statement;
      const facts = healthy({
        policies: [{ source: 'a', document: { Statement: split.slice(0, 5) } }, { source: 'inline b', document: { Statement: split.slice(5) } }],
      });
      expect(diagnose(facts)).toEqual([]);
      const newer = withController({ image: 'x:v2.10.4', labels: {} }, { policies: [{ source: 'p', document: COMMERCIAL_POLICIES['v2.8.3'] }] });
      expect(diagnose(newer).map((f) => f.problem.split(':')[0] + ':' + f.problem.split(':')[1])).toEqual([
        'lacks ec2:GetSecurityGroupsForVpc, which controller v2.10.4 needs (by the policy of v2.10.0, the nearest known release)',
        'lacks elasticloadbalancing:DescribeListenerAttributes, which controller v2.10.4 needs (by the policy of v2.10.0, the nearest known release)',
        'lacks elasticloadbalancing:ModifyListenerAttributes, which controller v2.10.4 needs (by the policy of v2.10.0, the nearest known release)',
      ]);
    });

    test('a statement granted more narrowly: one line naming its actions and what breaks', () => {
      const document = { Statement: POLICIES_V3_5_0.aws.Statement.filter((s) => !JSON.stringify(s).includes('elasticloadbalancing:CreateAction')) };
      expect(lines(diagnose(healthy({ policies: [{ source: 'p', document }] })))).toEqual([expect.stringMatching(
        /^\[policy\] role lbc: grants elasticloadbalancing:AddTags on fewer resources or under more conditions than statement \d+ of the official v3\.5\.0 policy: creating load balancers and target groups fails: .+\. Fix: give the role the official v3\.5\.0 policy/)]);
    });

    test('a document that is not IAM JSON: one line saying so', () => {
      expect(lines(diagnose(healthy({ policies: [{ source: 'p', document: { Version: '2012-10-17' } }] })))).toEqual([
        expect.stringMatching(/^\[policy\] role lbc: holds a policy that is not an IAM document: the policy document has no Statement\. Fix: /),
      ]);
    });

    test('the partition of the role\'s ARN chooses the official file', () => {
      const cn = healthy({ identity: { via: 'pod-identity', roleArn: 'arn:aws-cn:iam::111122223333:role/lbc' }, policies: [{ source: 'p', document: POLICIES_V3_5_0['aws-cn'] }] });
      expect(diagnose(cn)).toEqual([]);
    });
  });

  describe('webhook', () => {
    test('no ready endpoint: what is refused, and how to look at the pods', () => {
      const facts = withController({ readyReplicas: 0 }, { webhook: { ...healthy().webhook!, ready: 0, notReady: 2 } });
      expect(lines(diagnose(facts))).toEqual([
        '[webhook] webhook Service kube-system/aws-load-balancer-webhook-service: has no ready endpoint (2 not ready, from its EndpointSlice; ' +
        '0 of 2 controller pods ready): its webhooks fail closed, so creating Services and creating or updating Ingresses and ' +
        'TargetGroupBindings is refused with "failed calling webhook". Fix: get the controller\'s pods ready: kubectl -n kube-system ' +
        'describe pods -l app.kubernetes.io/name=aws-load-balancer-controller, and their logs.',
      ]);
    });

    test('no webhook Service at all', () => {
      const facts = healthy({ webhook: { ...healthy().webhook!, exists: false, ready: 0 } });
      expect(diagnose(facts).map((f) => [f.check, f.problem.split(':')[0], f.fix])).toEqual([['webhook', 'does not exist', 'reinstall the chart, which creates it']]);
    });
  });

  describe('subnets', () => {
    const untagged: SubnetFact[] = [
      { id: 'subnet-a1', zone: 'us-east-1a', tags: { Name: 'public-a' } },
      { id: 'subnet-b1', zone: 'us-east-1b', tags: { Name: 'private-b', 'kubernetes.io/role/internal-elb': '1', 'kubernetes.io/cluster/other': 'owned' } },
    ];

    test('a release without the route-table fallback: both roles untagged, each with the tags to add', () => {
      const facts = withController({ image: 'x:v2.12.0', labels: {} }, { subnets: untagged, policies: [{ source: 'p', document: COMMERCIAL_POLICIES['v2.12.0'] }] });
      expect(lines(diagnose(facts))).toEqual([
        '[subnets] subnets of vpc-1: none is tagged kubernetes.io/role/elb (value 1 or empty) for this cluster: controller v2.12.0 finds ' +
        'subnets for internet-facing load balancers only by this tag, so creating them fails ("unable to resolve at least one subnet") ' +
        'unless each names its subnets. Fix: tag the public subnets, one in each of two zones or more, kubernetes.io/role/elb=1 and ' +
        'kubernetes.io/cluster/lab=shared.',
        '[subnets] subnets of vpc-1: none is tagged kubernetes.io/role/internal-elb (value 1 or empty) for this cluster (1 tagged only for ' +
        'other clusters): controller v2.12.0 finds subnets for internal load balancers only by this tag, so creating them fails ("unable ' +
        'to resolve at least one subnet") unless each names its subnets. Fix: tag the private subnets, one in each of two zones or more, ' +
        'kubernetes.io/role/internal-elb=1 and kubernetes.io/cluster/lab=shared.',
      ]);
    });

    test('a release with the fallback: which subnets it falls back to, or that its role cannot read route tables', () => {
      const withFallback = diagnose(healthy({ subnets: untagged })).map((f) => f.problem.split(': ')[1]);
      expect(withFallback).toEqual([
        'controller v3.5.0 falls back to every subnet with a route to an internet gateway in the VPC, which may not be the ones meant for internet-facing load balancers',
        'controller v3.5.0 falls back to every subnet with no route to an internet gateway in the VPC, which may not be the ones meant for internal load balancers',
      ]);
      const noRouteTables = diagnose(healthy({ subnets: untagged, policies: [{ source: 'p', document: COMMERCIAL_POLICIES['v2.12.0'] }] }))
        .filter((f) => f.check === 'subnets').map((f) => f.problem.split(': ')[1]);
      expect(noRouteTables[0]).toBe('controller v3.5.0 falls back to reading route tables, which its role may not (no ec2:DescribeRouteTables), ' +
        'so creating internet-facing load balancers fails');
    });

    test('tagged subnets in one zone only: an ALB needs two', () => {
      const facts = healthy({ subnets: healthy().subnets!.map((s) => ({ ...s, zone: 'us-east-1a' })) });
      expect(diagnose(facts).map((f) => f.problem)).toEqual([
        'only zone us-east-1a has a subnet tagged kubernetes.io/role/elb: an internet-facing ALB needs subnets in two zones, so creating one fails',
        'only zone us-east-1a has a subnet tagged kubernetes.io/role/internal-elb: an internal ALB needs subnets in two zones, so creating one fails',
      ]);
    });
  });

  describe('ingress', () => {
    const stuckIngress = (over: Partial<DoctorFacts['ingresses'][number]> = {}) =>
      [{ namespace: 'ip-mode', name: 'echo', className: 'alb', addresses: [], created: CREATED, ...over }];

    test('no address and a FailedDeployModel AccessDenied event: the action, the status and the policy to attach', () => {
      const facts = healthy({ ingresses: stuckIngress(), events: [warning('Ingress', 'ip-mode', 'echo', 'FailedDeployModel', DENIED)] });
      expect(lines(diagnose(facts))).toEqual([
        '[ingress] Ingress ip-mode/echo: has no address 20 min after its creation; the last warning is FailedDeployModel: AccessDenied (403) ' +
        'on elasticloadbalancing:DescribeListenerAttributes. Fix: give the controller\'s role elasticloadbalancing:DescribeListenerAttributes: ' +
        'attach the official v3.5.0 policy (eks-lb-lab policy show --version v3.5.0).',
      ]);
    });

    test('the latest warning explains it; older ones and those of other objects do not', () => {
      const facts = healthy({
        ingresses: stuckIngress(),
        events: [
          warning('Ingress', 'ip-mode', 'echo', 'FailedDeployModel', DENIED, '2026-11-02T09:02:00.000Z'),
          warning('Ingress', 'ip-mode', 'echo', 'FailedBuildModel', "Failed build model due to couldn't auto-discover subnets: unable to resolve at least one subnet (0 match VPC and tags: [kubernetes.io/role/elb])"),
          warning('Ingress', 'other', 'echo', 'FailedDeployModel', 'Failed deploy model due to something else', '2026-11-02T09:19:59.000Z'),
        ],
      });
      expect(lines(diagnose(facts))).toEqual([
        '[ingress] Ingress ip-mode/echo: has no address 20 min after its creation; the last warning is FailedBuildModel: Failed build model ' +
        'due to couldn\'t auto-discover subnets: unable to resolve at least one subnet (0 match VPC and tags: [kubernetes.io/role/elb]). Fix: ' +
        'tag the subnets kubernetes.io/role/elb=1 (public, internet-facing) or kubernetes.io/role/internal-elb=1 (private, internal), in two ' +
        'zones or more, or name them in the object\'s subnets annotation.',
      ]);
    });

    test('no address and no warning: reported after five minutes with the log to read, not before', () => {
      const old = diagnose(healthy({ ingresses: stuckIngress() }));
      expect(lines(old)).toEqual(['[ingress] Ingress ip-mode/echo: has no address 20 min after its creation, and no warning event says why. ' +
        'Fix: read the controller\'s log: kubectl -n kube-system logs deploy/aws-load-balancer-controller.']);
      expect(diagnose(healthy({ ingresses: stuckIngress({ created: '2026-11-02T09:16:00.000Z' }) }))).toEqual([]);
      const days = diagnose(healthy({ ingresses: stuckIngress({ created: '2026-10-30T09:00:00.000Z' }) }));
      expect(days[0].problem).toBe('has no address 3 days after its creation, and no warning event says why');
    });

    test('no class and no default IngressClass: set the controller\'s class; a default IngressClass gives it one', () => {
      const facts = healthy({ ingresses: stuckIngress({ className: undefined }) });
      expect(lines(diagnose(facts))).toEqual([
        '[ingress] Ingress ip-mode/echo: has no class: no spec.ingressClassName, no kubernetes.io/ingress.class annotation and no default ' +
        'IngressClass, so no controller reconciles it. Fix: set spec.ingressClassName: alb.',
      ]);
      const defaulted = healthy({ ingresses: stuckIngress({ className: undefined }), ingressClasses: [{ name: 'alb', controller: 'ingress.k8s.aws/alb', isDefault: true }] });
      expect(diagnose(defaulted).map((f) => f.problem)).toEqual(['has no address 20 min after its creation, and no warning event says why']);
    });

    test('a class that does not exist: the controller ignores it', () => {
      const facts = healthy({ ingresses: stuckIngress({ className: 'aws-alb' }) });
      expect(lines(diagnose(facts))).toEqual([
        '[ingress] Ingress ip-mode/echo: names IngressClass aws-alb, which does not exist, so the controller ignores it. Fix: set ' +
        'spec.ingressClassName: alb, or create IngressClass aws-alb with spec.controller ingress.k8s.aws/alb.',
      ]);
    });

    test('another controller\'s class, or the class annotation of another: none of the controller\'s business', () => {
      const nginx = healthy({
        ingressClasses: [...healthy().ingressClasses, { name: 'nginx', controller: 'k8s.io/ingress-nginx', isDefault: false }],
        ingresses: [...stuckIngress({ className: 'nginx' }), ...stuckIngress({ name: 'legacy', className: undefined, classAnnotation: 'nginx' })],
      });
      expect(diagnose(nginx)).toEqual([]);
      const annotated = healthy({ ingresses: stuckIngress({ className: undefined, classAnnotation: 'alb' }) });
      expect(diagnose(annotated).map((f) => f.subject)).toEqual(['Ingress ip-mode/echo']);
    });

    test('a webhook refusal or any other warning: the event in short and where to look', () => {
      const refused = explainEvent(warning('Ingress', 'a', 'b', 'FailedDeployModel',
        'Failed deploy model due to Internal error occurred: failed calling webhook "mtargetgroupbinding.elbv2.k8s.aws": no endpoints available'), healthy());
      expect(refused.fix).toBe('get the controller\'s webhook answering: kubectl -n kube-system get endpointslices ' +
        '-l kubernetes.io/service-name=aws-load-balancer-webhook-service');
      const other = explainEvent(warning('Ingress', 'a', 'b', 'FailedBuildModel', `Failed build model due to ${'x'.repeat(400)}`), healthy());
      expect(other.summary).toHaveLength('FailedBuildModel: '.length + 240);
      expect(other.summary.endsWith('…')).toBe(true);
      expect(other.fix).toBe('read the controller\'s log: kubectl -n kube-system logs deploy/aws-load-balancer-controller');
    });
  });

  describe('service, TargetGroupBinding, Gateway', () => {
    test('a LoadBalancer Service of the controller without an address, with its warning; others are not looked at', () => {
      const facts = healthy({
        services: [
          { namespace: 'nlb', name: 'echo', loadBalancerClass: 'service.k8s.aws/nlb', annotations: {}, addresses: [], created: CREATED },
          { namespace: 'clb', name: 'legacy', annotations: {}, addresses: [], created: CREATED },
        ],
        events: [warning('Service', 'nlb', 'echo', 'FailedDeployModel', DENIED)],
      });
      expect(diagnose(facts).map((f) => [f.check, f.subject, f.problem])).toEqual([['service', 'Service nlb/echo',
        'has no address 20 min after its creation; the last warning is FailedDeployModel: AccessDenied (403) on elasticloadbalancing:DescribeListenerAttributes']]);
    });

    test('a TargetGroupBinding not reconciled at its generation, or with Ready False', () => {
      const facts = healthy({
        targetGroupBindings: [
          { namespace: 'tgb', name: 'echo-ip', generation: 2, observedGeneration: 1, conditions: [], created: CREATED },
          { namespace: 'tgb', name: 'echo-instance', generation: 1, observedGeneration: 1, conditions: [{ type: 'Ready', status: 'False', reason: 'FailedCleanup', message: 'target group not found' }], created: CREATED },
        ],
        events: [warning('TargetGroupBinding', 'tgb', 'echo-ip', 'FailedReconcile',
          'Failed reconcile due to operation error Elastic Load Balancing v2: RegisterTargets, https response error StatusCode: 400, RequestID: 1, TargetGroupNotFound: One or more target groups not found')],
      });
      expect(lines(diagnose(facts))).toEqual([
        '[target-group-binding] TargetGroupBinding tgb/echo-ip: is not reconciled (status.observedGeneration 1, generation 2) 20 min after ' +
        'its creation; the last warning is FailedReconcile: Failed reconcile due to operation error Elastic Load Balancing v2: RegisterTargets, ' +
        'https response error StatusCode: 400, RequestID: 1, TargetGroupNotFound: One or more target groups not found. Fix: read the ' +
        'controller\'s log: kubectl -n kube-system logs deploy/aws-load-balancer-controller.',
        '[target-group-binding] TargetGroupBinding tgb/echo-instance: is not ready (Ready False, FailedCleanup: target group not found) 20 min ' +
        'after its creation, and no warning event says why. Fix: read the controller\'s log: kubectl -n kube-system logs ' +
        'deploy/aws-load-balancer-controller.',
      ]);
    });

    test('a Gateway of the controller\'s class not programmed; another controller\'s Gateway is not looked at', () => {
      const facts = healthy({
        gatewayClasses: [{ name: 'aws-alb', controllerName: 'gateway.k8s.aws/alb' }, { name: 'istio', controllerName: 'istio.io/gateway-controller' }],
        gateways: [
          { namespace: 'gw', name: 'web', className: 'aws-alb', conditions: [{ type: 'Accepted', status: 'True' }, { type: 'Programmed', status: 'False', reason: 'Pending' }], created: CREATED },
          { namespace: 'gw', name: 'ok', className: 'aws-alb', conditions: [{ type: 'Programmed', status: 'True' }], created: CREATED },
          { namespace: 'gw', name: 'mesh', className: 'istio', conditions: [], created: CREATED },
        ],
        events: [warning('Gateway', 'gw', 'web', 'FailedDeployModel', DENIED)],
      });
      expect(lines(diagnose(facts))).toEqual([
        '[gateway] Gateway gw/web: is not programmed (Programmed False, Pending) 20 min after its creation; the last warning is ' +
        'FailedDeployModel: AccessDenied (403) on elasticloadbalancing:DescribeListenerAttributes. Fix: give the controller\'s role ' +
        'elasticloadbalancing:DescribeListenerAttributes: attach the official v3.5.0 policy (eks-lb-lab policy show --version v3.5.0).',
      ]);
    });
  });

  test('findings come in the order of the checks', () => {
    const facts = withController({ readyReplicas: 0 }, {
      ingresses: [{ namespace: 'ip-mode', name: 'echo', addresses: [], created: CREATED }],
      webhook: { ...healthy().webhook!, ready: 0, notReady: 2 },
      policies: [{ source: 'p', document: COMMERCIAL_POLICIES['v2.13.0'] }],
      subnets: [],
    });
    expect([...new Set(diagnose(facts).map((f) => f.check))]).toEqual(['webhook', 'subnets', 'ingress']);
  });
});
