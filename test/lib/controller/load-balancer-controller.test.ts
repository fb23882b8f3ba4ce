import { Match, Template } from 'aws-cdk-lib/assertions';
import { Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { KubectlLayer, LabCluster, LabVpc, LoadBalancerController, LoadBalancerControllerOptions, LoadBalancerControllerVersion } from '../../../lib';
import { controllerHelmValues } from '../../../lib/controller/load-balancer-controller';
import { COMMERCIAL_POLICIES, POLICIES_V3_5_0 } from '../../../lib/private/official-policy';
import officialAws from '../../../lib/private/policies/v3.5.0/iam_policy.json';
import officialCn from '../../../lib/private/policies/v3.5.0/iam_policy_cn.json';
import officialUsGov from '../../../lib/private/policies/v3.5.0/iam_policy_us-gov.json';
import { controllerChartId, flatten, helmValues, logicalId, newStack, statementSet } from '../../fixtures';

function build(region: string | null, options: LoadBalancerControllerOptions = {}) {
  const stack: Stack = newStack(region);
  const vpc = new LabVpc(stack, 'Vpc', { clusterName: 'lab' }).vpc;
  const labCluster = new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab' });
  const controller = labCluster.addLoadBalancerController(options);
  return { stack, controller, template: Template.fromStack(stack) };
}

function policyDocument(template: Template) {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument;
}

describe('LoadBalancerController in us-east-1', () => {
  let template: Template;
  let controller: LoadBalancerController;
  beforeAll(() => ({ template, controller } = build('us-east-1')));

  test('the role carries the official v3.5.0 policy, statement for statement', () => {
    expect(statementSet(policyDocument(template))).toEqual(statementSet(officialAws));
    expect(JSON.stringify(policyDocument(template))).toContain('elasticloadbalancing:DescribeListenerAttributes');
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: Match.stringLikeRegexp('LoadBalancerControllerServiceAccountRole') }],
    });
    expect(controller.policy.version).toBe(LoadBalancerControllerVersion.V3_5_0);
  });

  test('the policy keeps the logical id it had before it became a LoadBalancerControllerPolicy', () => {
    // A new logical id would replace the policy of a deployed stack.
    expect(Object.keys(template.findResources('AWS::IAM::ManagedPolicy'))).toEqual(['ClusterLoadBalancerControllerPolicy40CB56B8']);
  });

  test('IRSA service account kube-system/aws-load-balancer-controller with the role annotation', () => {
    const sa = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .map((r) => flatten(r.Properties.Manifest)).find((m) => m.includes('"kind":"ServiceAccount"'))!;
    expect(JSON.parse(sa.replace(/<[^>]+>/g, 'X'))[0]).toMatchObject({
      metadata: {
        name: 'aws-load-balancer-controller',
        namespace: 'kube-system',
        annotations: { 'eks.amazonaws.com/role-arn': expect.any(String) },
      },
    });
    expect(controller.serviceAccount!.serviceAccountName).toBe('aws-load-balancer-controller');
    expect([controller.identity, controller.role]).toEqual(['irsa', controller.serviceAccount!.role]);
    expect(controller.podIdentityAssociation).toBeUndefined();
  });

  test('chart aws-load-balancer-controller 3.5.0 from eks-charts, waiting for readiness', () => {
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'aws-load-balancer-controller',
      Release: 'aws-load-balancer-controller',
      Repository: 'https://aws.github.io/eks-charts',
      Version: '3.5.0',
      Namespace: 'kube-system',
      Wait: true,
      Timeout: '600s',
    });
  });

  test('values set cluster, region and VPC, use the pre-created service account and the chart image at v3.5.0', () => {
    expect(helmValues(template)).toEqual({
      clusterName: expect.stringMatching(/^<Cluster/),
      region: 'us-east-1',
      vpcId: expect.stringMatching(/^<Vpc/),
      serviceAccount: { create: false, name: 'aws-load-balancer-controller' },
      image: { tag: 'v3.5.0' },
    });
    // enableServiceMutatorWebhook is absent: the chart's default (true) applies.
    expect(controller.serviceMutatorWebhook).toBe(true);
  });

  test('the chart depends on the service account, its policy and the OIDC provider', () => {
    const chart = template.findResources('Custom::AWSCDK-EKS-HelmChart')[controllerChartId(template)];
    const ids = (type: string) => Object.keys(template.findResources(type));
    expect(chart.DependsOn).toEqual(expect.arrayContaining([
      ...ids('AWS::IAM::OIDCProvider'), ...ids('AWS::IAM::ManagedPolicy'),
      expect.stringMatching(/ServiceAccountResource/), expect.stringMatching(/ServiceAccountRole/),
    ]));
  });
});

describe('LoadBalancerController by partition', () => {
  test('cn-north-1: aws-cn policy, China registry image, Shield and WAF off', () => {
    const { template } = build('cn-north-1');
    const document = policyDocument(template);
    expect(statementSet(document)).toEqual(statementSet(officialCn));
    expect(JSON.stringify(document)).toContain('arn:aws-cn:');
    expect(JSON.stringify(document)).not.toContain('arn:aws:');
    expect(helmValues(template)).toMatchObject({
      region: 'cn-north-1',
      image: { repository: '918309763551.dkr.ecr.cn-north-1.amazonaws.com.cn/amazon/aws-load-balancer-controller', tag: 'v3.5.0' },
      enableShield: false, enableWaf: false, enableWafv2: false,
    });
  });

  test('cn-northwest-1 pulls from its own registry', () => {
    const { template } = build('cn-northwest-1');
    expect(helmValues(template).image.repository)
      .toBe('961992271922.dkr.ecr.cn-northwest-1.amazonaws.com.cn/amazon/aws-load-balancer-controller');
  });

  test('us-gov-west-1: aws-us-gov policy and the chart default image', () => {
    const { template } = build('us-gov-west-1');
    expect(statementSet(policyDocument(template))).toEqual(statementSet(officialUsGov));
    expect(helmValues(template)).not.toHaveProperty('enableWaf');
    expect(helmValues(template).image).toEqual({ tag: 'v3.5.0' });
  });

  test('an environment-agnostic stack substitutes ${AWS::Partition} into the commercial statements', () => {
    const { template } = build(null);
    const document = policyDocument(template);
    const text = JSON.stringify(document);
    expect(text).not.toContain('arn:aws:');
    expect(text).toContain('{"Ref":"AWS::Partition"}');
    const asAws = JSON.parse(text, (_k, v) => (v && typeof v === 'object' && 'Fn::Join' in v ? flatten(v).replace('<AWS::Partition>', 'aws') : v));
    expect(statementSet(asAws)).toEqual(statementSet(officialAws));
    expect(helmValues(template).region).toBe('<AWS::Region>');
  });
});

describe('LoadBalancerController options', () => {
  test('version: image tag, chart version and policy come from the one version object', () => {
    const { template } = build('us-east-1', { version: LoadBalancerControllerVersion.V2_8_3 });
    expect(statementSet(policyDocument(template))).toEqual(statementSet(COMMERCIAL_POLICIES['v2.8.3']));
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Version: '1.8.4' });
    expect(helmValues(template).image).toEqual({ tag: 'v2.8.3' });
  });

  test('strictPolicy turns a caller policy that lacks actions into an error', () => {
    const lacking = { Version: '2012-10-17', Statement: POLICIES_V3_5_0.aws.Statement.slice(1) };
    expect(() => build('us-east-1', { version: LoadBalancerControllerVersion.of('v3.5.0', '3.5.0', lacking), strictPolicy: true }))
      .toThrow(/Test\/Cluster\/LoadBalancerController\/Policy: 'version' v3.5.0 carries a policy that does not grant 1 action\(s\) .*got a document without iam:CreateServiceLinkedRole\./);
  });

  test('helmValues merge last and deep', () => {
    const { template } = build('cn-north-1', {
      helmValues: { image: { pullPolicy: 'Always' }, replicaCount: 1, enableWafv2: false, podLabels: { lab: 'yes' } },
    });
    expect(helmValues(template)).toMatchObject({
      image: { repository: expect.stringContaining('cn-north-1'), tag: 'v3.5.0', pullPolicy: 'Always' },
      replicaCount: 1,
      enableWafv2: false,
      podLabels: { lab: 'yes' },
    });
  });

  test('enableServiceMutatorWebhook: written only when set; helmValues have the last word', () => {
    const input = { version: LoadBalancerControllerVersion.V3_5_0, clusterName: 'lab', region: 'us-east-1', vpcId: 'vpc-1' };
    expect(controllerHelmValues(input)).not.toHaveProperty('enableServiceMutatorWebhook');
    expect(controllerHelmValues({ ...input, enableServiceMutatorWebhook: false })).toMatchObject({ enableServiceMutatorWebhook: false });
    expect(controllerHelmValues({ ...input, enableServiceMutatorWebhook: true })).toMatchObject({ enableServiceMutatorWebhook: true });
    expect(controllerHelmValues({ ...input, enableServiceMutatorWebhook: false, helmValues: { enableServiceMutatorWebhook: true } }))
      .toMatchObject({ enableServiceMutatorWebhook: true });
  });
});

describe('LoadBalancerController with EKS Pod Identity', () => {
  let template: Template;
  let controller: LoadBalancerController;
  beforeAll(() => ({ template, controller } = build('us-east-1', { identity: 'pod-identity' })));

  const serviceAccountManifest = () => JSON.parse(Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
    .map((r) => flatten(r.Properties.Manifest)).find((m) => m.includes('"kind":"ServiceAccount"'))!)[0];

  test('a role only EKS Pod Identity may assume and tag, holding the same official policy', () => {
    const roleId = Object.entries(template.findResources('AWS::IAM::Role'))
      .find(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('pods.eks.amazonaws.com'))![0];
    expect(template.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
    ]);
    expect(statementSet(policyDocument(template))).toEqual(statementSet(officialAws));
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: [{ Ref: roleId }] });
    // The policy and the role keep the logical ids of IRSA's: switching identity changes the role's trust in place.
    expect(Object.keys(template.findResources('AWS::IAM::ManagedPolicy'))).toEqual(['ClusterLoadBalancerControllerPolicy40CB56B8']);
    const irsa = build('us-east-1');
    expect(roleId).toBe(irsa.stack.resolve((irsa.controller.role.node.defaultChild as iam.CfnRole).logicalId));
    expect([controller.identity, controller.serviceAccount]).toEqual(['pod-identity', undefined]);
    expect(Stack.of(controller).resolve((controller.role.node.defaultChild as iam.CfnRole).logicalId)).toBe(roleId);
  });

  test('an association of kube-system/aws-load-balancer-controller with that role on the cluster', () => {
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 1);
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      ClusterName: { Ref: Match.stringLikeRegexp('^Cluster') },
      Namespace: 'kube-system',
      ServiceAccount: 'aws-load-balancer-controller',
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('LoadBalancerControllerServiceAccountRole'), 'Arn'] },
    });
    expect(controller.podIdentityAssociation?.namespace).toBe('kube-system');
  });

  test('the eks-pod-identity-agent add-on, deleted with the cluster; no IAM OIDC provider', () => {
    const agent = Object.values(template.findResources('AWS::EKS::Addon')).filter((r) => r.Properties.AddonName === 'eks-pod-identity-agent');
    expect(agent.map((r) => [r.Properties.AddonVersion, r.Properties.PreserveOnDelete])).toEqual([[undefined, false]]);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    template.resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 0);
  });

  test('the lab creates the service account, without the IRSA annotation; the chart does not create it', () => {
    const sa = serviceAccountManifest();
    expect(sa).toMatchObject({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'aws-load-balancer-controller', namespace: 'kube-system' } });
    expect(sa.metadata).not.toHaveProperty('annotations');
    expect(helmValues(template).serviceAccount).toEqual({ create: false, name: 'aws-load-balancer-controller' });
  });

  test('the same service account manifest resource as IRSA\'s, so a switch updates it in place; the pods are annotated, so a switch rolls them', () => {
    const irsa = build('us-east-1').template;
    const saId = (t: Template) => Object.entries(t.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .find(([, r]) => flatten(r.Properties.Manifest).includes('"kind":"ServiceAccount"'))![0];
    expect(saId(template)).toBe(saId(irsa));
    expect(helmValues(template).podAnnotations).toEqual({ 'eks-lb-lab/controller-identity': 'pod-identity' });
    expect(helmValues(irsa)).not.toHaveProperty('podAnnotations');
  });

  test('the chart waits for the association, the service account, the role, its policy and the agent', () => {
    const chart = template.findResources('Custom::AWSCDK-EKS-HelmChart')[controllerChartId(template)];
    const ids = (type: string) => Object.keys(template.findResources(type));
    const agentId = Object.entries(template.findResources('AWS::EKS::Addon')).find(([, r]) => r.Properties.AddonName === 'eks-pod-identity-agent')![0];
    expect(chart.DependsOn).toEqual(expect.arrayContaining([
      ...ids('AWS::EKS::PodIdentityAssociation'), ...ids('AWS::IAM::ManagedPolicy'), agentId,
      expect.stringMatching(/ServiceAccountResource/), expect.stringMatching(/ServiceAccountRole/),
    ]));
  });

  test('addonVersions pins the agent', () => {
    const stack = newStack('us-east-1');
    const vpc = new LabVpc(stack, 'Vpc', { clusterName: 'lab' }).vpc;
    new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab', addonVersions: { 'eks-pod-identity-agent': 'v1.3.10-eksbuild.2' } })
      .addLoadBalancerController({ identity: 'pod-identity' });
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::Addon', { AddonName: 'eks-pod-identity-agent', AddonVersion: 'v1.3.10-eksbuild.2' });
  });

  test.each(['cn-north-1', 'us-gov-west-1'])('%s: the same principal, the partition\'s policy', (region) => {
    const { template: t } = build(region, { identity: 'pod-identity' });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'pods.eks.amazonaws.com' } })] },
    });
    expect(statementSet(policyDocument(t))).toEqual(statementSet(region === 'cn-north-1' ? officialCn : officialUsGov));
  });

  test('on a cluster of the app\'s own, without LabCluster: aws-eks-v2\'s agent add-on', () => {
    const stack = newStack('us-east-1');
    const vpc = new LabVpc(stack, 'Vpc', { clusterName: 'lab' }).vpc;
    const cluster = new eks.Cluster(stack, 'Plain', {
      version: eks.KubernetesVersion.V1_36, vpc, defaultCapacityType: eks.DefaultCapacityType.NODEGROUP, defaultCapacity: 0,
      kubectlProviderOptions: { kubectlLayer: KubectlLayer.V1_36.produce(stack, 'Kubectl') },
    });
    new LoadBalancerController(stack, 'Controller', { cluster, identity: 'pod-identity' });
    const t = Template.fromStack(stack);
    t.resourcePropertiesCountIs('AWS::EKS::Addon', { AddonName: 'eks-pod-identity-agent' }, 1);
    const chart = Object.values(t.findResources('Custom::AWSCDK-EKS-HelmChart'))[0];
    expect(chart.DependsOn).toContain(logicalId(t, 'AWS::EKS::Addon'));
    t.resourceCountIs('AWS::IAM::OIDCProvider', 0);
  });

  test('refused on a FargateCluster, whose pods EKS Pod Identity cannot serve', () => {
    const stack = newStack('us-east-1');
    const vpc = new LabVpc(stack, 'Vpc', { clusterName: 'lab' }).vpc;
    const cluster = new eks.FargateCluster(stack, 'Fargate', {
      version: eks.KubernetesVersion.V1_36, vpc, kubectlProviderOptions: { kubectlLayer: KubectlLayer.V1_36.produce(stack, 'Kubectl') },
    });
    expect(() => new LoadBalancerController(stack, 'Controller', { cluster, identity: 'pod-identity' })).toThrow(
      "Test/Controller: 'identity' 'pod-identity' cannot reach pods on Fargate, where a FargateCluster runs the controller: " +
      "EKS Pod Identity serves only pods on Linux EC2 nodes; got 'pod-identity'. Use 'irsa' on Fargate.");
  });
});
