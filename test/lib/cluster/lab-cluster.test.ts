import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Stack } from 'aws-cdk-lib';
import { KubectlLayer, LabCluster, LabClusterProps, LabVpc } from '../../../lib';
import { createdAfter, logicalId, newApp, newStack } from '../../fixtures';

function build(props: Partial<LabClusterProps> = {}, stack: Stack = newStack()) {
  const labVpc = new LabVpc(stack, 'Vpc', { clusterName: props.clusterName ?? 'eks-lb-lab' });
  const labCluster = new LabCluster(stack, 'Cluster', { vpc: labVpc.vpc, ...props });
  return { stack, labCluster };
}

function layerDescription(template: Template): string[] {
  return Object.values(template.findResources('AWS::Lambda::LayerVersion'))
    .map((r) => r.Properties.Description as string)
    .filter((d) => d.includes('kubectl'));
}

describe('LabCluster defaults', () => {
  let template: Template;
  let labCluster: LabCluster;
  beforeAll(() => {
    const built = build();
    labCluster = built.labCluster;
    labCluster.addLoadBalancerController();
    template = Template.fromStack(built.stack);
  });

  test('native EKS cluster at 1.36, without Auto Mode compute or load balancing', () => {
    template.resourceCountIs('AWS::EKS::Cluster', 1);
    template.hasResourceProperties('AWS::EKS::Cluster', {
      Name: 'eks-lb-lab',
      Version: '1.36',
      BootstrapSelfManagedAddons: false,
      ComputeConfig: { Enabled: false },
      KubernetesNetworkConfig: Match.objectLike({ ElasticLoadBalancing: { Enabled: false } }),
    });
    template.resourceCountIs('AWS::CloudFormation::Stack', 0);
  });

  test('a managed node group of two t3.medium nodes in the private subnets', () => {
    template.resourceCountIs('AWS::EKS::Nodegroup', 1);
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      InstanceTypes: ['t3.medium'],
      ScalingConfig: { DesiredSize: 2, MinSize: 2, MaxSize: 2 },
      Subnets: [{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('VpcPrivateSubnet2') }],
    });
  });

  test('vpc-cni and kube-proxy alongside the nodes, coredns after them', () => {
    const addons = template.findResources('AWS::EKS::Addon');
    const idOf = (name: string) => Object.entries(addons).find(([, r]) => r.Properties.AddonName === name)![0];
    expect(Object.values(addons).map((r) => r.Properties.AddonName).sort()).toEqual(['coredns', 'kube-proxy', 'vpc-cni']);
    const nodegroupId = logicalId(template, 'AWS::EKS::Nodegroup');
    const clusterId = logicalId(template, 'AWS::EKS::Cluster');
    // The DaemonSets join each node as it registers; neither waits for the other, both for the cluster.
    for (const name of ['vpc-cni', 'kube-proxy']) {
      expect([name, createdAfter(template, nodegroupId, idOf(name)), createdAfter(template, idOf(name), nodegroupId)]).toEqual([name, false, false]);
      expect(createdAfter(template, idOf(name), clusterId)).toBe(true);
    }
    expect(addons[idOf('coredns')].DependsOn).toContain(nodegroupId);
    for (const addon of Object.values(addons)) expect(addon.Properties.PreserveOnDelete).toBe(false);
  });

  test('the control plane starts before the NAT gateway is up; the nodes and the kubectl handler wait for it', () => {
    const clusterId = logicalId(template, 'AWS::EKS::Cluster');
    const nat = logicalId(template, 'AWS::EC2::NatGateway');
    const privateRoutes = Object.keys(template.findResources('AWS::EC2::Route')).filter((id) => /^VpcPrivate/.test(id));
    expect(privateRoutes).toHaveLength(2);
    expect(template.toJSON().Resources[clusterId].DependsOn).toEqual([logicalId(template, 'Custom::LabCleanup')]);
    expect(createdAfter(template, clusterId, nat)).toBe(false);
    // Created after the routes through NAT, so deleted before them: images pull and kubectl reaches AWS until the end.
    const kubectlFunctions = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => /^ClusterKubectlProvider/.test(id));
    expect(kubectlFunctions).toHaveLength(2);
    for (const id of [logicalId(template, 'AWS::EKS::Nodegroup'), logicalId(template, 'Custom::AWSCDK-EKS-HelmChart', /LoadBalancerController/), ...kubectlFunctions]) {
      for (const route of privateRoutes) expect([id, route, createdAfter(template, id, route)]).toEqual([id, route, true]);
    }
  });

  test('IRSA through the native IAM OIDC provider, not the custom-resource one', () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 0);
  });

  test('one kubectl handler, from the kubectl 1.36 layer', () => {
    expect(layerDescription(template)).toEqual([expect.stringMatching(/kubectl 1\.36\./)]);
    template.resourcePropertiesCountIs('AWS::Lambda::Function',
      { Description: 'onEvent handler for EKS kubectl resource provider' }, 1);
    expect(labCluster.kubectlVersion).toBe('1.36');
  });

  test('an admin role the account can assume is mapped to cluster admin through an access entry', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({
        Principal: { AWS: { 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
      })] },
    });
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ClusterAdminRole'), 'Arn'] },
      AccessPolicies: [Match.objectLike({ PolicyArn: { 'Fn::Join': ['', Match.arrayWith([':eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy'])] } })],
    });
  });

  test('the controller chart waits for nodes and all three add-ons', () => {
    const chart = template.toJSON().Resources[logicalId(template, 'Custom::AWSCDK-EKS-HelmChart', /LoadBalancerController/)];
    const ids = (type: string) => Object.keys(template.findResources(type));
    expect(chart.DependsOn).toEqual(expect.arrayContaining([...ids('AWS::EKS::Addon'), ...ids('AWS::EKS::Nodegroup')]));
  });
});

describe('LabCluster security defaults and teardown', () => {
  let template: Template;
  beforeAll(() => {
    const built = build();
    built.labCluster.addLoadBalancerController();
    template = Template.fromStack(built.stack);
  });

  test('nodes require IMDSv2 with a hop limit of 1, through a launch template, on the AL2023 AMI', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' } },
    });
    const lt = logicalId(template, 'AWS::EC2::LaunchTemplate');
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_x86_64_STANDARD',
      LaunchTemplate: { Id: { Ref: lt }, Version: { 'Fn::GetAtt': [lt, 'LatestVersionNumber'] } },
    });
    // The node group keeps the logical id it had as the cluster's default capacity.
    expect(logicalId(template, 'AWS::EKS::Nodegroup')).toMatch(/^ClusterNodegroupDefaultCapacity/);
  });

  test('the public endpoint is open to 0.0.0.0/0 by default, the private endpoint on, no control-plane logs', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: true, EndpointPrivateAccess: true, PublicAccessCidrs: ['0.0.0.0/0'] }),
      Logging: Match.absent(),
    });
  });

  test('teardown: controller before nodes, nodes before the cluster, the cluster before the cleanup, the cleanup before the subnets, the internet gateway and the VPC', () => {
    const chart = logicalId(template, 'Custom::AWSCDK-EKS-HelmChart', /LoadBalancerController/);
    const nodegroup = logicalId(template, 'AWS::EKS::Nodegroup');
    const cluster = logicalId(template, 'AWS::EKS::Cluster');
    const cleanup = logicalId(template, 'Custom::LabCleanup');
    const role = logicalId(template, 'AWS::IAM::Role', /LoadBalancerControllerServiceAccountRole/);
    const policy = logicalId(template, 'AWS::IAM::ManagedPolicy');
    const resources = template.toJSON().Resources as Record<string, { Type: string }>;
    const vpcParts = Object.keys(resources).filter((id) => /^Vpc/.test(id) &&
      ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::InternetGateway', 'AWS::EC2::VPCGatewayAttachment'].includes(resources[id].Type));
    expect(vpcParts).toHaveLength(7);
    expect(createdAfter(template, chart, nodegroup)).toBe(true);
    // The controller's role and policy are created before it and so outlive it.
    expect(createdAfter(template, chart, role)).toBe(true);
    expect(createdAfter(template, chart, policy)).toBe(true);
    expect(createdAfter(template, nodegroup, cluster)).toBe(true);
    expect(createdAfter(template, cluster, cleanup)).toBe(true);
    for (const part of vpcParts) expect([part, createdAfter(template, cleanup, part)]).toEqual([part, true]);
    expect(createdAfter(template, cleanup, chart)).toBe(false);
  });
});

describe('LabCluster and the Gateway API CRDs', () => {
  let template: Template;
  let labCluster: LabCluster;
  beforeAll(() => {
    const built = build();
    labCluster = built.labCluster;
    labCluster.addLoadBalancerController();
    template = Template.fromStack(built.stack);
  });

  test('the CRDs are a Helm release of a chart asset, installed before the controller and so deleted after it', () => {
    const crds = logicalId(template, 'Custom::AWSCDK-EKS-HelmChart', /GatewayApiCrds/);
    const controller = logicalId(template, 'Custom::AWSCDK-EKS-HelmChart', /LoadBalancerController/);
    const resources = template.toJSON().Resources;
    expect(resources[controller].DependsOn).toContain(crds);
    expect(createdAfter(template, crds, controller)).toBe(false);
    expect(resources[crds].Properties).toEqual(expect.objectContaining({
      Release: 'gateway-api-crds', Namespace: 'kube-system', Wait: true, Timeout: '300s',
      ChartAssetURL: expect.objectContaining({ 'Fn::Sub': expect.stringMatching(/^s3:\/\/cdk-[^/]+-assets-.*\.zip$/) }),
    }));
    expect(resources[crds].Properties).not.toHaveProperty('Repository');
    expect(resources[crds].Properties).not.toHaveProperty('Chart');
  });

  test('the kubectl handler may read the chart asset', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map((p) => JSON.stringify(p.Properties.PolicyDocument));
    expect(policies.some((p) => p.includes('s3:GetObject*') && p.includes('cdk-hnb659fds-assets'))).toBe(true);
  });

  test('off by default before Kubernetes 1.30, refused there when asked for', () => {
    const { labCluster: old } = build({ version: eks.KubernetesVersion.V1_29 });
    expect(old.gatewayApiCrds).toBeUndefined();
    expect(() => build({ version: eks.KubernetesVersion.V1_29, gatewayApiCrds: true })).toThrow("'gatewayApiCrds' needs Kubernetes 1.30 " +
      'or later: the Gateway API v1.6.1 CRDs come with a ValidatingAdmissionPolicy of admissionregistration.k8s.io/v1, which 1.29 does ' +
      'not serve; got true with version 1.29. Leave it unset (off before 1.30), or use 1.36.');
    expect(build({ version: eks.KubernetesVersion.V1_35 }).labCluster.gatewayApiCrds).toBeDefined();
  });

  test('left out with gatewayApiCrds: false, and the controller does not wait for them', () => {
    const { stack, labCluster: without } = build({ gatewayApiCrds: false });
    without.addLoadBalancerController();
    const t = Template.fromStack(stack);
    t.resourceCountIs('Custom::AWSCDK-EKS-HelmChart', 1);
    expect(without.gatewayApiCrds).toBeUndefined();
  });
});

describe('LabCluster options', () => {
  test('public endpoint CIDRs, control-plane logs, no cleanup', () => {
    const { stack, labCluster } = build({
      publicEndpointCidrs: ['203.0.113.7/32'], cleanup: false,
      controlPlaneLogging: [eks.ClusterLoggingTypes.API, eks.ClusterLoggingTypes.AUDIT],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ PublicAccessCidrs: ['203.0.113.7/32'] }),
      Logging: { ClusterLogging: { EnabledTypes: [{ Type: 'api' }, { Type: 'audit' }] } },
    });
    template.resourceCountIs('Custom::LabCleanup', 0);
    expect(labCluster.cleanup).toBeUndefined();
    // Nothing left to wait for but what the control plane references.
    expect(template.toJSON().Resources[logicalId(template, 'AWS::EKS::Cluster')].DependsOn).toBeUndefined();
  });

  test('an Arm instance type gets the Arm AMI type', () => {
    const { stack } = build({ nodeInstanceType: new ec2.InstanceType('m7g.large') });
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::Nodegroup', { AmiType: 'AL2023_ARM_64_STANDARD', InstanceTypes: ['m7g.large'] });
  });
});

describe('LabCluster versions', () => {
  test('1.29 takes the bundled v29 layer and warns that EKS no longer creates it', () => {
    const { stack } = build({ version: eks.KubernetesVersion.V1_29 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EKS::Cluster', { Version: '1.29' });
    expect(layerDescription(template)).toEqual([expect.stringMatching(/kubectl 1\.29\./)]);
    Annotations.fromStack(stack).hasWarning('/Test/Cluster',
      Match.stringLikeRegexp('EKS ended support on 2026-03-23 and no longer creates 1.29 clusters'));
  });

  test('1.37 is served by the 1.36 layer, within one minor version', () => {
    const { labCluster } = build({ version: eks.KubernetesVersion.V1_37 });
    expect(labCluster.kubectlVersion).toBe('1.36');
  });

  test('a caller layer is accepted with its own version', () => {
    const stack = newStack();
    const layer = lambda.LayerVersion.fromLayerVersionArn(stack, 'Own', 'arn:aws:lambda:us-east-1:123456789012:layer:kubectl135:1');
    const { labCluster } = build({ version: eks.KubernetesVersion.of('1.35'), kubectlLayer: KubectlLayer.of('1.35', layer) }, stack);
    expect(labCluster.kubectlVersion).toBe('1.35');
  });

  test.each([
    ['cluster 1.36 with kubectl 1.29', { version: eks.KubernetesVersion.V1_36, kubectlLayer: KubectlLayer.V1_29 },
      "'kubectlLayer' must be within one minor version of the cluster's 1.36, as kubectl requires; got kubectl 1.29. Use KubectlV36Layer from @aws-cdk/lambda-layer-kubectl-v36."],
    ['cluster 1.29 with kubectl 1.36', { version: eks.KubernetesVersion.V1_29, kubectlLayer: KubectlLayer.V1_36 },
      "'kubectlLayer' must be within one minor version of the cluster's 1.29, as kubectl requires; got kubectl 1.36. Use KubectlV29Layer from @aws-cdk/lambda-layer-kubectl-v29."],
    ['version 1.33 (no bundled layer)', { version: eks.KubernetesVersion.V1_33 },
      "'version' 1.33 has no bundled kubectl layer within one minor version; got '1.33'. Install @aws-cdk/lambda-layer-kubectl-v33 and pass 'kubectlLayer': KubectlLayer.of('1.33', new KubectlV33Layer(this, 'Kubectl'))."],
    ['version 1.28 (retired)', { version: eks.KubernetesVersion.V1_28 },
      "'version' 1.28 is retired: EKS no longer creates clusters of it; got '1.28'. Use 1.36."],
    ['version latest', { version: eks.KubernetesVersion.of('latest') },
      "'version' must be a Kubernetes version like '1.36'; got 'latest'. Use eks.KubernetesVersion.V1_36."],
    ['nodeCount 0', { nodeCount: 0 }, "'nodeCount' must be a whole number between 1 and 450; got 0. Use 2 nodes (one per zone) for the experiment."],
  ])('rejects %s', (_name, props, message) => {
    expect(() => build(props as Partial<LabClusterProps>)).toThrow(`Test/Cluster: ${message}`);
  });

  test('rejects a cluster name EKS would refuse', () => {
    const stack = newStack();
    const vpc = new LabVpc(stack, 'Vpc', { clusterName: 'lab' }).vpc;
    expect(() => new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab cluster' }))
      .toThrow("Test/Cluster: 'clusterName' must be an EKS cluster name: 1 to 100 letters, digits, '-' or '_', " +
        "starting with a letter or digit; got 'lab cluster'. Use a name such as 'eks-lb-lab'.");
  });

  test('without the native OIDC provider flag, IRSA warns how to set it; Pod Identity, needing no provider, does not', () => {
    const stack = newStack('us-east-1', newApp({ '@aws-cdk/aws-eks:useNativeOidcProvider': false }));
    const deprecation = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    build({}, stack).labCluster.addLoadBalancerController();
    // aws-cdk-lib says so too, once, when the deprecated provider is built.
    expect(deprecation.mock.calls.map((c) => c.join(' '))).toEqual([expect.stringMatching(/^\[WARNING\] aws-cdk-lib.aws_eks_v2.OpenIdConnectProvider is deprecated/)]);
    deprecation.mockRestore();
    Annotations.fromStack(stack).hasWarning('/Test/Cluster',
      Match.stringLikeRegexp('Set "@aws-cdk/aws-eks:useNativeOidcProvider": true in cdk.json context'));
    const podIdentity = newStack('us-east-1', newApp({ '@aws-cdk/aws-eks:useNativeOidcProvider': false }));
    build({}, podIdentity).labCluster.addLoadBalancerController({ identity: 'pod-identity' });
    Annotations.fromStack(podIdentity).hasNoWarning('/Test/Cluster', Match.stringLikeRegexp('useNativeOidcProvider'));
    Template.fromStack(podIdentity).resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 0);
  });

  test('a single node is allowed with a warning about the cross-node path', () => {
    const { stack } = build({ nodeCount: 1 });
    Annotations.fromStack(stack).hasWarning('/Test/Cluster', Match.stringLikeRegexp("'nodeCount' is 1: with one node"));
  });
});

describe('LabCluster, IPv6', () => {
  function ipv6(region: string) {
    const stack = newStack(region);
    const labVpc = new LabVpc(stack, 'Vpc', { clusterName: 'eks-lb-lab', ipProtocol: ec2.IpProtocol.DUAL_STACK });
    const labCluster = new LabCluster(stack, 'Cluster', { vpc: labVpc.vpc, ipFamily: eks.IpFamily.IP_V6 });
    return { labCluster, template: Template.fromStack(stack) };
  }
  /** Whether a statement grants `action` on exactly `resource`. */
  const allows = (statements: { Action: string | string[]; Resource: string | string[] }[], action: string, resource: string) =>
    statements.some((st) => [st.Action].flat().includes(action) && [st.Resource].flat().includes(resource));
  const nodeStatements = (template: Template) => Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes('NodeGroupRole')).flatMap((p) => p.Properties.PolicyDocument.Statement);

  test('an IPv6 cluster, and the VPC CNI\'s IPv6 policy on the nodes\' role with the partition in its ARN', () => {
    const { labCluster, template } = ipv6('us-east-1');
    template.hasResourceProperties('AWS::EKS::Cluster', { KubernetesNetworkConfig: Match.objectLike({ IpFamily: 'ipv6' }) });
    expect(labCluster.ipFamily).toBe(eks.IpFamily.IP_V6);
    for (const action of ['ec2:AssignIpv6Addresses', 'ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets',
      'ec2:DescribeTags', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeInstanceTypes', 'ec2:ModifyNetworkInterfaceAttribute']) {
      expect([action, allows(nodeStatements(template), action, '*')]).toEqual([action, true]);
    }
    expect(allows(nodeStatements(template), 'ec2:CreateTags', 'arn:aws:ec2:*:*:network-interface/*')).toBe(true);
  });

  test.each(['cn-north-1', 'us-gov-west-1'])('%s: the CNI can assign IPv6 prefixes to its own partition\'s interfaces', (region) => {
    const statements = nodeStatements(ipv6(region).template);
    const partition = region.startsWith('cn-') ? 'aws-cn' : 'aws-us-gov';
    expect(allows(statements, 'ec2:AssignIpv6Addresses', '*')).toBe(true);
    expect(allows(statements, 'ec2:CreateTags', `arn:${partition}:ec2:*:*:network-interface/*`)).toBe(true);
  });

  test('IPv4 by default: no IPv6 statement on the nodes\' role', () => {
    const { labCluster, stack } = build();
    expect(labCluster.ipFamily).toBe(eks.IpFamily.IP_V4);
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'))).not.toContain('AssignIpv6Addresses');
  });

  test('refused in an IPv4-only LabVpc, and with a service CIDR', () => {
    expect(() => build({ ipFamily: eks.IpFamily.IP_V6 })).toThrow("Test/Cluster: 'ipFamily' 'ipv6' needs a VPC with IPv6 blocks on every " +
      "subnet (EKS assigns pods and nodes IPv6 addresses from them); got ipFamily 'ipv6' with an IPv4-only LabVpc. Give LabVpc ipProtocol: ec2.IpProtocol.DUAL_STACK.");
    const stack = newStack();
    const labVpc = new LabVpc(stack, 'Vpc', { clusterName: 'eks-lb-lab', ipProtocol: ec2.IpProtocol.DUAL_STACK });
    expect(() => new LabCluster(stack, 'Cluster', { vpc: labVpc.vpc, ipFamily: eks.IpFamily.IP_V6, serviceCidr: '172.20.0.0/16' }))
      .toThrow("Test/Cluster: 'serviceCidr' applies to IPv4 clusters only: in an IPv6 cluster EKS assigns Service addresses from an IPv6 block of its own; got '172.20.0.0/16' with ipFamily 'ipv6'. Remove it.");
  });
});
