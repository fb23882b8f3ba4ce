import { Annotations, CfnCondition, CfnElement, CfnResource, FeatureFlags, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct, DependencyGroup, IConstruct, IDependable } from 'constructs';
import { LabValidationError } from '../errors';
import { GatewayApiCrds } from './gateway-api-crds';
import { KubectlLayer } from './kubectl-layer';
import { LabCleanup } from './lab-cleanup';
import { LabVpc } from './lab-vpc';
import { LoadBalancerController, LoadBalancerControllerOptions } from '../controller/load-balancer-controller';
import { acknowledgeNag, managedPolicyFinding } from '../private/nag';
import { vpcCniMaxPods } from './private/max-pods';
import { INSTANCE_TYPE_ID, requireClusterName, requireKnownInstanceType } from '../private/names';
import { minorOf, minorSkew } from '../private/versions';
import { cidrWithin, cidrsOverlap, nonPublicBlock, parseIpv4Cidr, PUBLIC_ENDPOINT_CIDRS, requireInteger, requireIpv4Cidr, show } from '../private/validate';

/** The Kubernetes version LabCluster runs unless told otherwise. */
export const DEFAULT_KUBERNETES_VERSION = eks.KubernetesVersion.V1_36;

/**
 * Kubernetes versions EKS has retired (end of extended support), with the date. EKS refuses to create
 * clusters of these versions; they stay selectable so older layers and manifests can still be synthesized.
 */
export const EKS_RETIRED_VERSIONS: Readonly<Record<string, string>> = {
  '1.29': '2026-03-23',
  '1.30': '2026-07-23',
};

/** The first Kubernetes minor version that serves admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy. */
const GATEWAY_API_MIN_MINOR = 30;

/** Oldest version accepted at all: older ones cannot be created and no kubectl layer for them ships here. */
const OLDEST_SELECTABLE_MINOR = 29;

/** The EKS managed add-ons LabCluster installs, in creation order. */
export const LAB_ADDONS = ['vpc-cni', 'kube-proxy', 'coredns'] as const;

/** The EKS managed add-on LabCluster adds for a controller with `identity: 'pod-identity'`. */
export const POD_IDENTITY_AGENT_ADDON = 'eks-pod-identity-agent';

/** Properties of a {@link LabCluster}. */
export interface LabClusterProps {
  /** The VPC; nodes go into its private subnets, which need NAT. */
  readonly vpc: ec2.IVpc;

  /**
   * Cluster name; must match the `kubernetes.io/cluster/<name>` subnet tags.
   * @default 'eks-lb-lab'
   */
  readonly clusterName?: string;

  /**
   * Kubernetes version of the control plane and nodes.
   * @default eks.KubernetesVersion.V1_36
   */
  readonly version?: eks.KubernetesVersion;

  /**
   * Layer with kubectl and helm for the kubectl handler; must be within one minor version of `version`.
   * @default - the bundled layer matching `version` (KubectlLayer.V1_36 for 1.35-1.37, KubectlLayer.V1_29 for 1.28-1.30,
   * which needs the optional package `@aws-cdk/lambda-layer-kubectl-v29`)
   */
  readonly kubectlLayer?: KubectlLayer;

  /**
   * EC2 instance type of the managed node group.
   * @default t3.medium
   */
  readonly nodeInstanceType?: ec2.InstanceType;

  /**
   * Number of nodes. Two or more lets instance mode show the cross-node hop.
   * @default 2
   */
  readonly nodeCount?: number;

  /**
   * IAM role mapped to cluster admin for people running kubectl (`aws eks update-kubeconfig --role-arn`).
   * @default - a new role that IAM principals of this account may assume when their policies allow sts:AssumeRole on it
   */
  readonly adminRole?: iam.IRole;

  /**
   * Versions of the managed add-ons, by add-on name (`vpc-cni`, `kube-proxy`, `coredns`, and `eks-pod-identity-agent`
   * when the controller uses EKS Pod Identity).
   * @default - the default version EKS picks for the cluster's Kubernetes version
   */
  readonly addonVersions?: Readonly<Record<string, string>>;

  /**
   * CIDR blocks allowed to reach the cluster's public Kubernetes API endpoint (the private endpoint is always on).
   * @default ['0.0.0.0/0']
   */
  readonly publicEndpointCidrs?: readonly string[];

  /**
   * CIDR block Kubernetes assigns Service cluster IPs from: private (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16),
   * /12 to /24, outside the VPC.
   * @default - EKS picks 10.100.0.0/16 or 172.20.0.0/16, whichever does not overlap the VPC
   */
  readonly serviceCidr?: string;

  /**
   * IP family of pods and Services. `eks.IpFamily.IP_V6` needs a dual-stack VPC (`LabVpc` with
   * `ipProtocol: ec2.IpProtocol.DUAL_STACK`); the VPC CNI then runs in IPv6 mode (prefix delegation, a /80 per node),
   * the nodes' role gets the CNI's IPv6 permissions, and load balancers reach pods with ip targets only.
   * @default eks.IpFamily.IP_V4
   */
  readonly ipFamily?: eks.IpFamily;

  /**
   * Control-plane log types sent to CloudWatch Logs.
   * @default - none
   */
  readonly controlPlaneLogging?: readonly eks.ClusterLoggingTypes[];

  /**
   * Delete, on stack deletion, the load balancers, target groups and security groups the controller left in the VPC.
   * @default true
   */
  readonly cleanup?: boolean;

  /**
   * Install the Gateway API v1.6.1 standard-channel CRDs, before the controller so that it serves Gateway API. They
   * include a ValidatingAdmissionPolicy of `admissionregistration.k8s.io/v1`, which Kubernetes serves from 1.30.
   * @default - true from Kubernetes 1.30, false before
   */
  readonly gatewayApiCrds?: boolean;
}

/** Control-plane log types EKS knows. */
const LOG_TYPES: readonly string[] = Object.values(eks.ClusterLoggingTypes);

/**
 * An EKS cluster for the experiment: native `AWS::EKS::Cluster`, a managed node group across the VPC's
 * private subnets, the VPC CNI, kube-proxy and CoreDNS as EKS managed add-ons, the IAM OIDC provider for IRSA or
 * the EKS Pod Identity Agent add-on, as the controller's identity needs, and one kubectl handler for every manifest
 * and chart.
 */
export class LabCluster extends Construct {
  /** The cluster. */
  public readonly cluster: eks.Cluster;

  /** The managed node group. */
  public readonly nodegroup: eks.Nodegroup;

  /** The managed add-ons by name. */
  public get addons(): Readonly<Record<string, eks.Addon>> {
    return { ...this.addonsByName };
  }

  /** Done when nodes are up with networking and DNS: what in-cluster workloads need. */
  public readonly capacity: IDependable;

  /** The role mapped to cluster admin for kubectl users. */
  public readonly adminRole: iam.IRole;

  /** The kubectl version of the handler's layer. */
  public readonly kubectlVersion: string;

  /** Nodes in the managed node group. */
  public readonly nodeCount: number;

  /**
   * Pods each node takes with the VPC CNI's one address per pod (kubelet's max-pods, as EKS's node AMIs compute it
   * from the instance type's ENIs); undefined for an instance type EKS's table lacks, or a token.
   */
  public readonly maxPodsPerNode?: number;

  /** Node launch template: IMDSv2 only, one network hop, so pods cannot take the nodes' credentials. */
  public readonly launchTemplate: ec2.CfnLaunchTemplate;

  /** IP family of pods and Services. */
  public readonly ipFamily: eks.IpFamily;

  /** The cleanup that runs after the cluster is deleted, if enabled. */
  public readonly cleanup?: LabCleanup;

  private readonly addonsByName: Record<string, eks.Addon> = {};
  private readonly addonVersions: Readonly<Record<string, string>>;
  /** The Gateway API CRDs, if installed. */
  public readonly gatewayApiCrds?: GatewayApiCrds;

  constructor(scope: Construct, id: string, props: LabClusterProps) {
    super(scope, id);
    const clusterName = props.clusterName ?? 'eks-lb-lab';
    const version = props.version ?? DEFAULT_KUBERNETES_VERSION;
    const nodeCount = props.nodeCount ?? 2;
    requireClusterName(this, 'clusterName', clusterName);
    requireInteger(this, 'nodeCount', nodeCount, 1, 450, 'Use 2 nodes (one per zone) for the experiment.');
    const instanceType = props.nodeInstanceType ?? new ec2.InstanceType('t3.medium');
    if (!Token.isUnresolved(instanceType.toString()) && !INSTANCE_TYPE_ID.test(instanceType.toString())) {
      throw new LabValidationError(this, 'nodeInstanceType', `must be an EC2 instance type; got ` +
        `${show(instanceType.toString())}. Use one such as 't3.medium' or 'm7g.large'.`);
    }
    requireKnownInstanceType(this, instanceType.toString());
    const publicEndpointCidrs = props.publicEndpointCidrs ?? ['0.0.0.0/0'];
    if (publicEndpointCidrs.length === 0) {
      throw new LabValidationError(this, 'publicEndpointCidrs', `must list at least one CIDR block; got []. ` +
        `Use ['0.0.0.0/0'] for anywhere, or your address as ['203.0.113.7/32'].`);
    }
    publicEndpointCidrs.forEach((cidr, i) => requireIpv4Cidr(this, `publicEndpointCidrs[${i}]`, cidr));
    if (publicEndpointCidrs.length > PUBLIC_ENDPOINT_CIDRS) {
      throw new LabValidationError(this, 'publicEndpointCidrs', `must list at most ${PUBLIC_ENDPOINT_CIDRS} CIDR blocks ` +
        `(the EKS quota, not adjustable); got ${publicEndpointCidrs.length}. Merge them into wider blocks.`);
    }
    publicEndpointCidrs.forEach((cidr, i) => {
      const block = Token.isUnresolved(cidr) ? undefined : nonPublicBlock(cidr);
      if (block !== undefined) {
        throw new LabValidationError(this, `publicEndpointCidrs[${i}]`, `must be a public block: ${cidr} lies in ${block}, ` +
          `which no internet client has, and EKS refuses it; got ${show(cidr)}. Callers inside the VPC use the private ` +
          'endpoint already; list the public address you connect from, such as \'203.0.113.7/32\'.');
      }
    });
    for (const type of props.controlPlaneLogging ?? []) {
      if (!LOG_TYPES.includes(type)) {
        throw new LabValidationError(this, 'controlPlaneLogging', `must hold EKS log types (${LOG_TYPES.join(', ')}); ` +
          `got ${show(type)}. Use eks.ClusterLoggingTypes.API and its siblings.`);
      }
    }
    const labVpc = props.vpc.node.scope;
    if (labVpc instanceof LabVpc && !Token.isUnresolved(labVpc.clusterName) && labVpc.clusterName !== clusterName) {
      throw new LabValidationError(this, 'clusterName', `must match the VPC's subnet tags (kubernetes.io/cluster/` +
        `${labVpc.clusterName}); got ${show(clusterName)}. Give LabVpc and LabCluster the same clusterName.`);
    }
    this.ipFamily = this.checkIpFamily(props, labVpc instanceof LabVpc ? labVpc : undefined);
    if (props.serviceCidr !== undefined) this.checkServiceCidr(props.serviceCidr, labVpc instanceof LabVpc ? labVpc.cidr : undefined);
    const kubectlLayer = this.checkVersions(version.version, props.kubectlLayer);
    if (props.gatewayApiCrds === true && minorOf(version.version) < GATEWAY_API_MIN_MINOR) {
      throw new LabValidationError(this, 'gatewayApiCrds', `needs Kubernetes 1.${GATEWAY_API_MIN_MINOR} or later: the Gateway API ` +
        `v1.6.1 CRDs come with a ValidatingAdmissionPolicy of admissionregistration.k8s.io/v1, which ${version.version} does not ` +
        `serve; got true with version ${version.version}. Leave it unset (off before 1.${GATEWAY_API_MIN_MINOR}), or use ${DEFAULT_KUBERNETES_VERSION.version}.`);
    }
    this.kubectlVersion = kubectlLayer.kubectlVersion;
    this.nodeCount = nodeCount;
    this.maxPodsPerNode = Token.isUnresolved(instanceType.toString()) ? undefined : vpcCniMaxPods(instanceType.toString());
    if (nodeCount < 2) {
      Annotations.of(this).addWarningV2('eks-lb-lab:singleNode', `'nodeCount' is ${nodeCount}: with one node, ` +
        'instance mode cannot show traffic entering one node and served on another. Use 2 or more.');
    }

    // CloudFormation's role creates the cluster and so is its only admin; people need a role of their own.
    this.adminRole = props.adminRole ?? new iam.Role(this, 'AdminRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: `kubectl access to EKS cluster ${clusterName}`,
    });
    this.cluster = new eks.Cluster(this, 'Resource', {
      clusterName,
      version,
      vpc: props.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      // Managed node group, not Auto Mode: Auto Mode's own load balancing would replace the controller under test.
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      // The add-ons below are EKS managed, so EKS must not install its self-managed copies first.
      bootstrapSelfManagedAddons: false,
      kubectlProviderOptions: { kubectlLayer: kubectlLayer.produce(this, 'KubectlLayer') },
      mastersRole: this.adminRole,
      outputConfigCommand: false,
      endpointAccess: eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...publicEndpointCidrs),
      clusterLogging: props.controlPlaneLogging ? [...props.controlPlaneLogging] : undefined,
      serviceIpv4Cidr: props.serviceCidr,
      ipFamily: this.ipFamily,
    });

    this.acknowledgeInternals();
    this.startBeforeNat(props.vpc);

    // Hop limit 1: a pod's packets to the metadata service take a second hop through the node and are dropped.
    // The controller gets region and VPC from its values, so it needs no metadata either.
    this.launchTemplate = new ec2.CfnLaunchTemplate(this, 'NodeLaunchTemplate', {
      launchTemplateData: {
        metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1, httpEndpoint: 'enabled' },
      },
    });
    // Same id the cluster's default capacity would use, so the node group keeps its logical id.
    this.nodegroup = this.cluster.addNodegroupCapacity('DefaultCapacity', {
      instanceTypes: [instanceType],
      minSize: nodeCount,
      maxSize: nodeCount,
      desiredSize: nodeCount,
      // With a launch template EKS cannot infer the AMI type from the instance type.
      amiType: instanceType.architecture === ec2.InstanceArchitecture.ARM_64
        ? eks.NodegroupAmiType.AL2023_ARM_64_STANDARD : eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
      launchTemplateSpec: { id: this.launchTemplate.ref, version: this.launchTemplate.attrLatestVersionNumber },
    });

    if (this.ipFamily === eks.IpFamily.IP_V6) this.grantCniIpv6(this.nodegroup.role);

    this.addonVersions = props.addonVersions ?? {};
    for (const name of LAB_ADDONS) this.addAddon(name);
    const addons = this.addonsByName;
    // vpc-cni and kube-proxy are DaemonSets: created alongside the node group, they land on each node as it joins,
    // and the node group's wait for Ready nodes covers them (nodes stay NotReady only until the CNI runs).
    // CoreDNS is a Deployment and waits for the nodes: without them its pods pend and the add-on does not become
    // active. The nodes pull images through NAT, so they wait for the private subnets' default routes.
    addons.coredns.node.addDependency(this.nodegroup);
    this.nodegroup.node.addDependency(props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).internetConnectivityEstablished);
    acknowledgeNag(this.nodegroup.role, ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly']
      .map(managedPolicyFinding), 'A managed node group\'s role needs the AWS managed worker node, VPC CNI and ECR ' +
      'read-only policies; EKS documents no narrower replacement.');
    this.capacity = new DependencyGroup(this.nodegroup, ...Object.values(addons));

    if (props.cleanup ?? true) {
      this.cleanup = new LabCleanup(this, 'Cleanup', { clusterName, vpc: props.vpc });
      // Created before the cluster, so deleted after it: by then the controller, the nodes and the cluster
      // security group the controller's rules point at are gone, and only the controller's leftovers remain.
      this.cluster.node.addDependency(this.cleanup.resource);
    }

    if (props.gatewayApiCrds ?? minorOf(version.version) >= GATEWAY_API_MIN_MINOR) {
      this.gatewayApiCrds = new GatewayApiCrds(this, 'GatewayApiCrds', { cluster: this.cluster });
    }
  }

  /**
   * Installs the AWS Load Balancer Controller once nodes, networking and DNS are up, so Helm's wait sees
   * ready pods and the controller's webhooks answer before any workload is applied; and after the Gateway API CRDs,
   * which it looks for when it starts (deleted in the reverse order: the controller first). With IRSA the cluster
   * gets its IAM OIDC provider; with EKS Pod Identity the `eks-pod-identity-agent` add-on, and no OIDC provider.
   */
  public addLoadBalancerController(options: LoadBalancerControllerOptions = {}): LoadBalancerController {
    let podIdentityAgent: eks.Addon | undefined;
    if (options.identity === 'pod-identity') {
      // A DaemonSet like vpc-cni: it lands on each node as it joins.
      podIdentityAgent = this.addonsByName[POD_IDENTITY_AGENT_ADDON] ?? this.addAddon(POD_IDENTITY_AGENT_ADDON);
    } else if (!FeatureFlags.of(this).isEnabled(cxapi.EKS_USE_NATIVE_OIDC_PROVIDER)) {
      Annotations.of(this).addWarningV2('eks-lb-lab:customResourceOidcProvider', 'The IAM OIDC provider is the ' +
        `deprecated custom-resource one. Set "${cxapi.EKS_USE_NATIVE_OIDC_PROVIDER}": true in cdk.json context ` +
        'for the native AWS::IAM::OIDCProvider.');
    }
    const controller = new LoadBalancerController(this, 'LoadBalancerController', { ...options, cluster: this.cluster, podIdentityAgent });
    controller.chart.node.addDependency(this.capacity);
    if (this.gatewayApiCrds) controller.chart.node.addDependency(this.gatewayApiCrds.chart);
    return controller;
  }

  private addAddon(name: string): eks.Addon {
    const addon = new eks.Addon(this, `Addon-${name}`, {
      cluster: this.cluster,
      addonName: name,
      addonVersion: this.addonVersions[name],
      preserveOnDelete: false,
    });
    this.addonsByName[name] = addon;
    return addon;
  }

  /**
   * aws-eks-v2 makes the control plane wait for every resource of the VPC, the NAT gateway and routes included, so
   * that kubectl still reaches the cluster while its objects are deleted. What reaches anything through NAT here
   * carries its own dependency: the kubectl handler's functions on the private routes (aws-cdk-lib adds it) and the
   * node group on the private subnets' connectivity (above). The control plane itself needs only the subnets and
   * the security group it references, so it starts while the NAT gateway is still pending (about 90 seconds).
   */
  private startBeforeNat(vpc: ec2.IVpc): void {
    const resource = this.cluster.node.defaultChild as CfnResource;
    const stack = Stack.of(this);
    resource.addOverride('DependsOn', Lazy.list({
      produce: () => {
        const inVpc = new Set<IConstruct>(vpc.node.findAll());
        return resource.obtainDependencies()
          .filter((d): d is CfnResource => CfnResource.isCfnResource(d) && !inVpc.has(d))
          .map((d) => stack.resolve(d.logicalId) as string).sort();
      },
    }, { omitEmpty: true }));
  }

  /** aws-cdk-lib's own resources for the cluster and its kubectl handler, which this construct cannot change. */
  private acknowledgeInternals(): void {
    acknowledgeNag(this.cluster.role, [managedPolicyFinding('AmazonEKSClusterPolicy')],
      'EKS requires the AWS managed AmazonEKSClusterPolicy on the cluster role; aws-eks-v2 attaches it.');
    const provider = this.cluster.kubectlProvider;
    if (!provider) return;
    const stack = Stack.of(this);
    const handler = provider.node.findChild('Handler').node.defaultChild as CfnElement;
    const ecrPublic = provider.node.findAll().find((c): c is CfnCondition => c instanceof CfnCondition);
    const findings = [
      ...['service-role/AWSLambdaBasicExecutionRole', 'service-role/AWSLambdaVPCAccessExecutionRole',
        'AmazonEC2ContainerRegistryReadOnly'].map(managedPolicyFinding),
      `IAM5[Resource::<${stack.getLogicalId(handler)}.Arn>:*]`,
      'L1',
    ];
    if (ecrPublic) {
      findings.push(`IAM4[Policy::{"Fn::If":["${stack.getLogicalId(ecrPublic)}",{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},` +
        `":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]},{"Ref":"AWS::NoValue"}]}]`);
    }
    acknowledgeNag(provider, findings, 'aws-cdk-lib\'s kubectl provider: its handler and provider-framework functions come ' +
      'with AWS managed Lambda execution and ECR read-only policies, a runtime aws-cdk-lib chooses, and permission to ' +
      'invoke every version of the handler. None of it is configurable here.');
  }

  /**
   * The VPC CNI's IPv6 policy (AmazonEKS_CNI_IPv6_Policy in eksctl and the EKS user guide) on the nodes' role, which
   * the CNI uses here. aws-eks-v2 adds `ec2:AssignIpv6Addresses` for IPv6 clusters too, but on `arn:aws:` network
   * interfaces only, which match nothing in aws-cn or aws-us-gov.
   */
  private grantCniIpv6(role: iam.IRole): void {
    const stack = Stack.of(this);
    const networkInterfaces = stack.formatArn({ service: 'ec2', region: '*', account: '*', resource: 'network-interface', resourceName: '*' });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ec2:AssignIpv6Addresses', 'ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets',
        'ec2:DescribeTags', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeInstanceTypes', 'ec2:ModifyNetworkInterfaceAttribute'],
      resources: ['*'],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ec2:CreateTags'], resources: [networkInterfaces] }));
    const rendered = Token.isUnresolved(networkInterfaces) ? 'arn:<AWS::Partition>:ec2:*:*:network-interface/*' : networkInterfaces;
    acknowledgeNag(role, ['IAM5[Resource::*]', `IAM5[Resource::${rendered}]`, 'IAM5[Resource::arn:aws:ec2:*:*:network-interface/*]'],
      'The VPC CNI\'s IPv6 policy as the EKS user guide gives it: it assigns IPv6 prefixes to, and tags, network interfaces ' +
      'it creates at run time, whose ids no policy can name in advance.');
  }

  private checkIpFamily(props: LabClusterProps, labVpc: LabVpc | undefined): eks.IpFamily {
    const ipFamily = props.ipFamily ?? eks.IpFamily.IP_V4;
    if (!Object.values(eks.IpFamily).includes(ipFamily)) {
      throw new LabValidationError(this, 'ipFamily', `must be eks.IpFamily.IP_V4 or eks.IpFamily.IP_V6; got ${show(ipFamily)}. ` +
        'Use eks.IpFamily.IP_V6 for an IPv6 cluster.');
    }
    if (ipFamily !== eks.IpFamily.IP_V6) return ipFamily;
    if (labVpc && !labVpc.dualStack) {
      throw new LabValidationError(this, 'ipFamily', `'ipv6' needs a VPC with IPv6 blocks on every subnet (EKS assigns pods ` +
        `and nodes IPv6 addresses from them); got ipFamily 'ipv6' with an IPv4-only LabVpc. Give LabVpc ` +
        `ipProtocol: ec2.IpProtocol.DUAL_STACK.`);
    }
    if (props.serviceCidr !== undefined) {
      throw new LabValidationError(this, 'serviceCidr', `applies to IPv4 clusters only: in an IPv6 cluster EKS assigns Service ` +
        `addresses from an IPv6 block of its own; got ${show(props.serviceCidr)} with ipFamily 'ipv6'. Remove it.`);
    }
    return ipFamily;
  }

  private checkServiceCidr(serviceCidr: string, vpcCidr: string | undefined): void {
    requireIpv4Cidr(this, 'serviceCidr', serviceCidr, 12, 24);
    const service = parseIpv4Cidr(serviceCidr);
    const privateBlocks = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
    if (service && !privateBlocks.some((block) => cidrWithin(service, parseIpv4Cidr(block)!))) {
      throw new LabValidationError(this, 'serviceCidr', `must lie within ${privateBlocks.join(', ')}; got ${show(serviceCidr)}. ` +
        `Use a private block such as '172.20.0.0/16', or leave it unset for EKS to choose.`);
    }
    const vpc = vpcCidr !== undefined && !Token.isUnresolved(vpcCidr) ? parseIpv4Cidr(vpcCidr) : undefined;
    if (service && vpc && cidrsOverlap(service, vpc)) {
      throw new LabValidationError(this, 'serviceCidr', `overlaps the VPC's ${vpcCidr}; got ${show(serviceCidr)}. ` +
        `Service cluster IPs must not collide with node and pod addresses: pick a block outside ${vpcCidr}, or leave it unset.`);
    }
  }

  private checkVersions(version: string, layer: KubectlLayer | undefined): KubectlLayer {
    if (Token.isUnresolved(version)) {
      throw new LabValidationError(this, 'version', `must be known at synth to pair it with a kubectl layer; got a token. ` +
        `Use eks.KubernetesVersion.V1_36 or KubernetesVersion.of('1.36').`);
    }
    const minor = minorOf(version);
    if (Number.isNaN(minor)) {
      throw new LabValidationError(this, 'version', `must be a Kubernetes version like '1.36'; got ${show(version)}. ` +
        `Use eks.KubernetesVersion.V1_36.`);
    }
    if (minor < OLDEST_SELECTABLE_MINOR) {
      throw new LabValidationError(this, 'version', `${version} is retired: EKS no longer creates clusters of it; got ${show(version)}. ` +
        `Use ${DEFAULT_KUBERNETES_VERSION.version}.`);
    }
    const retired = EKS_RETIRED_VERSIONS[version];
    if (retired) {
      Annotations.of(this).addWarningV2('eks-lb-lab:retiredKubernetesVersion', `Kubernetes ${version}: EKS ended support on ` +
        `${retired} and no longer creates ${version} clusters, so deploying this will fail. ` +
        `Use ${DEFAULT_KUBERNETES_VERSION.version} (the default).`);
    }
    const chosen = layer ?? KubectlLayer.bundledFor(version);
    if (!chosen) {
      throw new LabValidationError(this, 'version', `${version} has no bundled kubectl layer within one minor version; ` +
        `got '${version}'. Install ${KubectlLayer.packageFor(version)} and pass 'kubectlLayer': ` +
        `KubectlLayer.of('${version}', new ${KubectlLayer.classFor(version)}(this, 'Kubectl')).`);
    }
    const skew = minorSkew(chosen.kubectlVersion, version);
    if (!(skew <= 1)) {
      throw new LabValidationError(this, 'kubectlLayer', `must be within one minor version of the cluster's ${version}, ` +
        `as kubectl requires; got kubectl ${chosen.kubectlVersion}. Use ${KubectlLayer.classFor(version)} from ${KubectlLayer.packageFor(version)}.`);
    }
    return chosen;
  }
}
