import { KubeConfig } from '@kubernetes/client-node';
import { Template } from 'aws-cdk-lib/assertions';
import { LabCluster, LabVpc } from '../../../../lib';
import { flatten, newStack } from '../../../fixtures';
import { diagnose } from '../../../../lib/experiment/doctor/diagnose';
import { ClusterUnreachableError, GatherOptions, gatherFacts } from '../../../../lib/experiment/doctor/gather';
import { Recording, answerFrom, awsCommandsSent, awsMocks, loadRecording } from '../../../doctor-recordings';
import { KubernetesStandIn, startKubernetesStandIn, writeKubeconfig } from '../../../kubernetes-stand-in';

let standIn: KubernetesStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

/** Serves a recording (with `kubernetes` paths replaced) and gathers from it. */
async function gather(recording: Recording, kubernetes: Record<string, unknown> = {}, options: Partial<GatherOptions> = {}) {
  answerFrom(recording);
  standIn = await startKubernetesStandIn({ ...recording.kubernetes, ...kubernetes });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(standIn.kubeconfig);
  return gatherFacts({ kubeConfig, namespace: 'kube-system', now: new Date(recording.now), ...options });
}

const healthy = loadRecording('healthy');
const ROLE_ARN = 'arn:aws:iam::111122223333:role/LabCluster-ClusterLoadBalancerControllerServiceAc-1Q2W3E4R5T6Y';

describe('gatherFacts', () => {
  test('the healthy lab: the controller, its IRSA role and policy, the objects, Warning events of theirs only, webhook, subnets', async () => {
    const facts = await gather(healthy);
    expect(facts.controller).toMatchObject({
      name: 'aws-load-balancer-controller', image: 'public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0',
      serviceAccountName: 'aws-load-balancer-controller', replicas: 2, readyReplicas: 2,
      labels: expect.objectContaining({ 'helm.sh/chart': 'aws-load-balancer-controller-3.5.0' }),
    });
    expect([facts.clusterName, facts.identity, facts.vpcId]).toEqual(['eks-lb-lab', { via: 'irsa', roleArn: ROLE_ARN }, 'vpc-0a1b2c3d4e5f67890']);
    expect(facts.policies?.map((p) => p.source)).toEqual(['arn:aws:iam::111122223333:policy/AWSLoadBalancerControllerIAMPolicy-eks-lb-lab-us-east-1 (v1)']);
    expect(facts.ingresses.map((i) => [i.namespace, i.className, i.addresses.length, i.created])).toEqual([
      ['ip-mode', 'alb', 1, '2026-11-02T09:00:00.000Z'], ['instance-mode', 'alb', 1, '2026-11-02T09:00:00.000Z']]);
    expect(facts.services.map((s) => s.namespace)).toEqual(['nlb-ip-mode', 'nlb-instance-mode']);
    expect(facts.targetGroupBindings?.map((t) => [t.name, t.generation, t.observedGeneration])).toEqual([['echo-ip', 1, 1], ['echo-instance', 1, 1]]);
    expect(facts).not.toHaveProperty('gateways');
    expect(facts.events.map((e) => [e.object.namespace, e.reason, e.lastSeen])).toEqual([['instance-mode', 'FailedDeployModel', '2026-11-02T09:01:00.000Z']]);
    expect(facts.webhook).toEqual({ namespace: 'kube-system', name: 'aws-load-balancer-webhook-service', exists: true, ready: 2, notReady: 0, source: 'EndpointSlice' });
    expect(facts.subnets?.map((s) => [s.zone, Object.keys(s.tags).length])).toEqual([['us-east-1a', 3], ['us-east-1b', 3], ['us-east-1a', 3], ['us-east-1b', 3]]);
    expect(facts.unchecked).toEqual([]);
    expect(diagnose(facts)).toEqual([]);
  });

  test('reads only: GET requests, the controller by its label, Warning events per namespace; AWS calls that describe, list or get', async () => {
    await gather(healthy);
    const requests = standIn!.requests;
    expect(requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(requests[0]).toEqual({ method: 'GET', path: '/apis/apps/v1/namespaces/kube-system/deployments',
      query: { labelSelector: 'app.kubernetes.io/name=aws-load-balancer-controller', limit: '500' } });
    expect(requests.filter((r) => r.path.endsWith('/events')).map((r) => [r.path.split('/')[4], r.query.fieldSelector])).toEqual(
      ['instance-mode', 'ip-mode', 'nlb-instance-mode', 'nlb-ip-mode', 'tgb'].map((ns) => [ns, 'type=Warning']));
    expect(awsCommandsSent().filter((c) => !/^(Describe|List|Get)/.test(c))).toEqual([]);
    expect([...new Set(awsCommandsSent())].sort()).toEqual([
      'DescribeSubnetsCommand', 'GetPolicyCommand', 'GetPolicyVersionCommand', 'ListAttachedRolePoliciesCommand', 'ListRolePoliciesCommand']);
  });

  test('the staged 403: the v2.8.3 document on the role, no address anywhere, a FailedDeployModel event for each', async () => {
    const facts = await gather(loadRecording('staged-403'));
    expect(JSON.stringify(facts.policies)).not.toContain('DescribeListenerAttributes');
    expect([...facts.ingresses, ...facts.services].map((o) => o.addresses)).toEqual([[], [], [], []]);
    expect(facts.events.map((e) => `${e.object.kind} ${e.object.namespace}`)).toEqual(
      ['Ingress instance-mode', 'Ingress ip-mode', 'Service nlb-instance-mode', 'Service nlb-ip-mode']);
    expect(facts.events.find((e) => e.object.namespace === 'ip-mode')).toMatchObject({
      object: { kind: 'Ingress', name: 'echo' }, reason: 'FailedDeployModel', count: 9,
      message: expect.stringContaining('api error AccessDenied'),
    });
  });

  test('the webhook from the Endpoints object where no EndpointSlice API answers', async () => {
    const down = loadRecording('webhook-down');
    const facts = await gather(down, { '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices': undefined });
    expect(facts.webhook).toMatchObject({ exists: true, ready: 0, notReady: 2, source: 'Endpoints' });
    await standIn!.close();
    const missing = await gather(healthy, { '/api/v1/namespaces/kube-system/services/aws-load-balancer-webhook-service': undefined });
    expect(missing.webhook).toMatchObject({ exists: false });
  });

  test('EKS Pod Identity when the service account has no IRSA annotation; EKS for the VPC without --aws-vpc-id', async () => {
    const deployment = JSON.parse(JSON.stringify(healthy.kubernetes['/apis/apps/v1/namespaces/kube-system/deployments']));
    deployment.items[0].spec.template.spec.containers[0].args = ['--cluster-name=eks-lb-lab', '--aws-region=us-east-1'];
    const recording: Recording = {
      ...healthy,
      aws: {
        ...healthy.aws, clusters: { 'eks-lb-lab': 'vpc-0a1b2c3d4e5f67890' },
        podIdentityAssociations: [{ namespace: 'kube-system', serviceAccount: 'aws-load-balancer-controller', roleArn: ROLE_ARN }],
      },
    };
    const facts = await gather(recording, {
      '/apis/apps/v1/namespaces/kube-system/deployments': deployment,
      '/api/v1/namespaces/kube-system/serviceaccounts/aws-load-balancer-controller': { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'aws-load-balancer-controller', namespace: 'kube-system' } },
    });
    expect([facts.identity, facts.vpcId, facts.subnets?.length, facts.unchecked]).toEqual([{ via: 'pod-identity', roleArn: ROLE_ARN }, 'vpc-0a1b2c3d4e5f67890', 4, []]);
    expect(awsMocks.eks.calls().map((c) => (c.args[0].input as Record<string, unknown>))).toEqual([
      { clusterName: 'eks-lb-lab', namespace: 'kube-system', serviceAccount: 'aws-load-balancer-controller' },
      { clusterName: 'eks-lb-lab', associationId: 'a-0' },
      { name: 'eks-lb-lab' },
    ]);
  });

  describe('the lab with -c controllerIdentity=pod-identity', () => {
    let template: Template;
    // Synthesizing the cluster stack is the slow part; the gathering itself is quick.
    beforeAll(() => {
      const stack = newStack('us-east-1');
      const { vpc } = new LabVpc(stack, 'Vpc', { clusterName: 'eks-lb-lab' });
      new LabCluster(stack, 'Cluster', { vpc }).addLoadBalancerController({ identity: 'pod-identity' });
      template = Template.fromStack(stack);
    }, 60_000);

    test('its service account and association lead to the role and its policy', async () => {
      const serviceAccount = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
        .map((r) => JSON.parse(flatten(r.Properties.Manifest))[0]).find((o) => o.kind === 'ServiceAccount');
      const association = Object.values(template.findResources('AWS::EKS::PodIdentityAssociation'))[0].Properties;
      const recording: Recording = {
        ...healthy,
        aws: { ...healthy.aws, podIdentityAssociations: [{ namespace: association.Namespace, serviceAccount: association.ServiceAccount, roleArn: ROLE_ARN }] },
      };
      const facts = await gather(recording, {
        [`/api/v1/namespaces/kube-system/serviceaccounts/${serviceAccount.metadata.name}`]: serviceAccount,
      }, { clusterName: 'eks-lb-lab', region: 'us-east-1' });
      expect([facts.identity, facts.unchecked]).toEqual([{ via: 'pod-identity', roleArn: ROLE_ARN }, []]);
      expect(facts.policies?.map((p) => p.source)).toEqual(['arn:aws:iam::111122223333:policy/AWSLoadBalancerControllerIAMPolicy-eks-lb-lab-us-east-1 (v1)']);
      expect(diagnose(facts)).toEqual([]);
    });
  });

  test('no role at all: the checks that need it are listed as not made', async () => {
    const facts = await gather(healthy, {
      '/api/v1/namespaces/kube-system/serviceaccounts/aws-load-balancer-controller': { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'aws-load-balancer-controller' } },
    });
    expect(facts.unchecked).toEqual([{ check: 'policy', reason: 'the service account kube-system/aws-load-balancer-controller has no ' +
      'eks.amazonaws.com/role-arn and no EKS Pod Identity association: the controller runs with the node\'s role' }]);
  });

  test('what AWS or the API server refuses is listed as not made, and the rest is still looked at', async () => {
    const facts = await gather(healthy, { '/apis/networking.k8s.io/v1/ingresses': { $status: 403 } });
    expect(facts.unchecked).toEqual([{ check: 'ingress', reason: 'cannot read Ingresses: the API server answered 403 (forbidden to the kubeconfig\'s user)' }]);
    awsMocks.iam.reset();
    awsMocks.iam.rejects(Object.assign(new Error('User: arn:aws:iam::111122223333:user/ro is not authorized to perform: iam:ListAttachedRolePolicies'), { name: 'AccessDenied' }));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(standIn!.kubeconfig);
    const denied = await gatherFacts({ kubeConfig, namespace: 'kube-system' });
    expect(denied.unchecked.map((u) => u.reason)).toContain(`cannot read the policies of ${ROLE_ARN} from IAM: AccessDenied: User: ` +
      'arn:aws:iam::111122223333:user/ro is not authorized to perform: iam:ListAttachedRolePolicies');
    expect(denied.subnets).toHaveLength(4);
  });

  test('no controller Deployment in the namespace: no controller, the cluster\'s objects still read', async () => {
    const facts = await gather(healthy, {}, { namespace: 'other' });
    expect([facts.controller, facts.ingresses.length, standIn!.requests.some((r) => r.path.includes('serviceaccounts'))]).toEqual([undefined, 2, false]);
  });

  test('Gateways of the Gateway API, when its CRDs are installed', async () => {
    const facts = await gather(healthy, {
      '/apis/gateway.networking.k8s.io/v1/gatewayclasses': { items: [{ metadata: { name: 'aws-alb' }, spec: { controllerName: 'gateway.k8s.aws/alb' } }], metadata: {} },
      '/apis/gateway.networking.k8s.io/v1/gateways': { items: [{ metadata: { name: 'web', namespace: 'gw', creationTimestamp: '2026-11-02T09:00:00Z' }, spec: { gatewayClassName: 'aws-alb' }, status: { conditions: [{ type: 'Programmed', status: 'False', reason: 'Pending', message: '' }] } }], metadata: {} },
      '/api/v1/namespaces/gw/events': { items: [], metadata: {} },
    });
    expect(facts.gateways).toEqual([{ namespace: 'gw', name: 'web', className: 'aws-alb', conditions: [{ type: 'Programmed', status: 'False', reason: 'Pending' }], created: '2026-11-02T09:00:00.000Z' }]);
    expect(diagnose(facts).map((f) => f.subject)).toEqual(['Gateway gw/web']);
  });

  test('an API server that does not answer, or refuses the credentials: ClusterUnreachableError', async () => {
    const closed = await startKubernetesStandIn({});
    await closed.close();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(writeKubeconfig(closed.server));
    await expect(gatherFacts({ kubeConfig, namespace: 'kube-system' })).rejects.toThrow(new ClusterUnreachableError(
      `cannot reach the Kubernetes API at ${closed.server} (context stand-in): connect ECONNREFUSED ${closed.server.replace('http://', '')}`));
    await expect(gather(healthy, { '/apis/apps/v1/namespaces/kube-system/deployments': { $status: 401 } })).rejects.toThrow(
      /^the Kubernetes API at http:\/\/127\.0\.0\.1:\d+ refused to list Deployments in kube-system to context stand-in \(401\); use credentials that may read the cluster$/);
  });
});
