import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { App as Cdk8sApp } from 'cdk8s';
import { readLabSettings, readNag, SETTINGS, settingsMessage } from '../lab-stacks/settings';
import { createLab } from '../lab-stacks/lab-app';
import { GatewayWorkloadChart, GatewayWorkloadChartProps } from '../lib';
import { IngressWorkload, IngressWorkloadChart, IngressWorkloadChartProps, KubectlLayer, LabCleanup, LabCluster, LabClusterProps, LabVpc, LabVpcProps, LoadBalancerControllerOptions, LoadBalancerControllerPolicy, LoadBalancerControllerVersion, NlbWorkload, NlbWorkloadChart, NlbWorkloadChartProps, PolicyJson, TargetGroupBindingChart, TargetGroupBindingChartProps, TargetGroupBindingWorkload } from '../lib';
import { newApp, newStack } from './fixtures';
import { ROOT } from './paths';

// Builders: each returns a thunk that builds one configuration and is expected to throw.

/** The lab app from cdk context, as `cdk synth -c key=value` builds it. */
const context = (values: Record<string, unknown>) => () => {
  const app = newApp(values);
  try {
    readNag(app.node);
    createLab(app, readLabSettings(app.node, {}));
  } catch (error) {
    // As bin/app.ts reports it: under the context key the value came from.
    throw new Error(settingsMessage(error) ?? (error as Error).message);
  }
};

/** A LabVpc and a LabCluster in one stack. */
const cluster = (props: Partial<LabClusterProps>, vpcProps: Partial<LabVpcProps> = {}) => () => {
  const stack = newStack();
  const { vpc } = new LabVpc(stack, 'Vpc', { clusterName: 'lab', ...vpcProps });
  new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab', ...props });
};

/** The controller on a lab cluster in `region`. */
const controller = (region: string, options: LoadBalancerControllerOptions) => () => {
  const stack = newStack(region);
  const { vpc: v } = new LabVpc(stack, 'Vpc', { clusterName: 'lab' });
  new LabCluster(stack, 'Cluster', { vpc: v, clusterName: 'lab' }).addLoadBalancerController(options);
};

/** A workload on an IPv6 LabCluster in a dual-stack LabVpc. */
const ipv6Workload = (build: (c: { stack: Stack; cluster: eks.ICluster; controller: ReturnType<LabCluster['addLoadBalancerController']>; vpc: ec2.IVpc }) => void) => () => {
  const stack = newStack();
  const { vpc } = new LabVpc(stack, 'Vpc', { clusterName: 'lab', ipProtocol: ec2.IpProtocol.DUAL_STACK });
  const lab = new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab', ipFamily: eks.IpFamily.IP_V6 });
  build({ stack, cluster: lab.cluster, controller: lab.addLoadBalancerController(), vpc });
};

const chart = (props: Partial<IngressWorkloadChartProps>) => () =>
  new IngressWorkloadChart(new Cdk8sApp(), 'Chart', { targetType: 'ip', ...props });

const albAnnotation = (name: string, value: string) => chart({ annotations: { [`alb.ingress.kubernetes.io/${name}`]: value } });

/** Two workloads on one cluster. */
const twoWorkloads = (a: Partial<IngressWorkloadChartProps>, b: Partial<IngressWorkloadChartProps>) => () => {
  const stack = newStack();
  const { vpc: v } = new LabVpc(stack, 'Vpc', { clusterName: 'lab' });
  const lab = new LabCluster(stack, 'Cluster', { vpc: v, clusterName: 'lab' });
  const ctl = lab.addLoadBalancerController();
  new IngressWorkload(stack, 'First', { cluster: lab.cluster, controller: ctl, targetType: 'instance', ...a });
  new IngressWorkload(stack, 'Second', { cluster: lab.cluster, controller: ctl, targetType: 'instance', ...b });
};

/** The ALB, NLB and TargetGroupBinding workloads on one cluster, as `build` adds them. */
const mixedWorkloads = (build: (add: { cluster: eks.ICluster; controller: ReturnType<LabCluster['addLoadBalancerController']>; vpc: ec2.IVpc }, stack: Stack) => void) => () => {
  const stack = newStack();
  const { vpc } = new LabVpc(stack, 'Vpc', { clusterName: 'lab' });
  const lab = new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab' });
  build({ cluster: lab.cluster, controller: lab.addLoadBalancerController(), vpc }, stack);
};

const cleanup = (timeout: Duration) => () => {
  const stack: Stack = newStack();
  new LabCleanup(stack, 'Cleanup', { clusterName: 'lab', vpc: new LabVpc(stack, 'Vpc', { clusterName: 'lab' }).vpc, timeout });
};

/** A controller policy for `version` in a commercial-region stack. */
const policy = (version: LoadBalancerControllerVersion, strict = false) => () =>
  new LoadBalancerControllerPolicy(newStack('us-east-1'), 'Policy', { version, strict });

const nlbChart = (props: Partial<NlbWorkloadChartProps>) => () =>
  new NlbWorkloadChart(new Cdk8sApp(), 'Chart', { targetType: 'ip', ...props });

const tgbChart = (props: Partial<TargetGroupBindingChartProps>) => () => new TargetGroupBindingChart(new Cdk8sApp(), 'Chart', {
  ipTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/ip/0123456789abcdef',
  instanceTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/instance/fedcba9876543210',
  vpcId: 'vpc-0123456789abcdef0', loadBalancerSecurityGroupId: 'sg-0123456789abcdef0', nodePort: 30081, ...props,
});

/** 80 statements with long action names: twice the size IAM allows. */
const gatewayChart = (props: Partial<GatewayWorkloadChartProps>) => () =>
  new GatewayWorkloadChart(new Cdk8sApp(), 'Chart', { loadBalancer: 'NLB', ...props });

const OVERSIZED_POLICY: PolicyJson = {
  Version: '2012-10-17',
  Statement: Array.from({ length: 80 }, (_, i) => ({ Effect: 'Allow', Action: [`elasticloadbalancing:Describe${'X'.repeat(60)}${i}`], Resource: '*' })),
};

/** A document that grants only ec2:Describe* and elasticloadbalancing:*, as hand-made policies often do. */
const PARTIAL_POLICY: PolicyJson = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['ec2:Describe*', 'elasticloadbalancing:*'], Resource: '*' }],
};

/** Every context key the lab takes, as the unknown-key message lists them. */
const KNOWN_KEYS = [...Object.keys(SETTINGS), 'nag', 'newRegion'].join(', ');

/** [what is wrong, the configuration, the exact message]. Adding a case is one row. */
const CATALOGUE: readonly (readonly [string, () => unknown, string])[] = [
  ['Kubernetes version no kubectl layer ships for', context({ kubernetesVersion: '1.99' }), "Context 'kubernetesVersion' 1.99 has no bundled kubectl layer within one minor version; got '1.99'. Pass -c kubernetesVersion=1.36."],
  ['Kubernetes version EKS has retired', context({ kubernetesVersion: '1.28' }), "Context 'kubernetesVersion' 1.28 is retired: EKS no longer creates clusters of it; got '1.28'. Pass -c kubernetesVersion=1.36."],
  ['Kubernetes version between the bundled kubectl layers', context({ kubernetesVersion: '1.33' }), "Context 'kubernetesVersion' 1.33 has no bundled kubectl layer within one minor version; got '1.33'. Pass -c kubernetesVersion=1.36."],
  ['Kubernetes version that is not major.minor', context({ kubernetesVersion: 'v1.36' }), "Context 'kubernetesVersion' is not valid; got 'v1.36'. Pass -c kubernetesVersion=1.36."],
  ['kubectl layer two minor versions from the cluster', cluster({ version: eks.KubernetesVersion.V1_36, kubectlLayer: KubectlLayer.V1_29 }), "Test/Cluster: 'kubectlLayer' must be within one minor version of the cluster's 1.36, as kubectl requires; got kubectl 1.29. Use KubectlV36Layer from @aws-cdk/lambda-layer-kubectl-v36."],
  ['region that only looks like one', context({ region: 'us-east-12' }), "Context 'region' is not a region aws-cdk-lib 2.276.0 knows; got 'us-east-12'. Pass -c region=eu-west-1, or add -c newRegion=true for a region opened since."],
  ['Kubernetes version with a leading zero', context({ kubernetesVersion: '1.036' }), "Context 'kubernetesVersion' is not valid; got '1.036'. Pass -c kubernetesVersion=1.36."],
  ['instance type with a misspelt size', context({ nodeInstanceType: 't3.mediun' }), "Context 'nodeInstanceType' must be an EC2 instance type, but the size 'mediun' is not one EC2 has (as aws-cdk-lib knows them); got 't3.mediun'. Pass -c nodeInstanceType=t3.medium."],
  ['more client CIDRs than a security group holds', context({ allowedCidr: Array.from({ length: 61 }, (_, i) => `198.51.100.${i}/32`).join(',') }), "Context 'allowedCidr' must list at most 60 CIDR blocks, one inbound rule each on the load balancer's security group (the EC2 default quota); got 61. Merge them into wider blocks."],
  ['more zones than the VPC has room for', context({ vpcCidr: '10.0.0.0/24', azCount: '16' }), "Context 'azCount' 16 splits the VPC's 10.0.0.0/24 into 32 subnets of /29, smaller than the /28 EC2 allows; got 16. Use fewer zones, or a larger 'cidr' such as '10.0.0.0/16'."],
  ['misspelt context key', context({ allowedCIDR: '203.0.113.7/32' }), `Context 'allowedCIDR' is not a setting of the lab; got '203.0.113.7/32'. Did you mean 'allowedCidr'? The settings are ${KNOWN_KEYS}.`],
  ['one availability zone', context({ azCount: '1' }), "Context 'azCount' must be a whole number between 2 and 16; got 1. EKS requires subnets in at least two availability zones; use 2 or 3."],
  ['more NAT gateways than zones', context({ natGateways: '3' }), "Context 'natGateways' must be a whole number between 1 and 2; got 3. Nodes in private subnets need a NAT gateway to pull images; use 1 (cheapest) up to 2 (one per zone)."],
  ['region that is not a region name', context({ region: 'mars' }), "Context 'region' is not valid; got 'mars'. Pass -c region=eu-west-1."],
  ['VPC CIDR without a prefix length', context({ vpcCidr: '10.0.0.0' }), "Context 'vpcCidr' must be an IPv4 CIDR block with zero host bits, such as '10.0.0.0/16' or '203.0.113.7/32'; got '10.0.0.0'. Write the network address followed by '/' and the prefix length."],
  ['VPC CIDR with host bits set', context({ vpcCidr: '10.0.0.1/16' }), "Context 'vpcCidr' must be an IPv4 CIDR block with zero host bits, such as '10.0.0.0/16' or '203.0.113.7/32'; got '10.0.0.1/16'. Write the network address followed by '/' and the prefix length."],
  ['VPC CIDR larger than /16', context({ vpcCidr: '10.0.0.0/8' }), "Context 'vpcCidr' must have a prefix length between /16 and /24; got '10.0.0.0/8'. Choose a block such as '10.0.0.0/16'."],
  ['service CIDR overlapping the VPC', context({ serviceCidr: '10.0.128.0/20' }), "Context 'serviceCidr' overlaps the VPC's 10.0.0.0/16; got '10.0.128.0/20'. Service cluster IPs must not collide with node and pod addresses: pick a block outside 10.0.0.0/16, or leave it unset."],
  ['service CIDR outside the private ranges', context({ serviceCidr: '100.64.0.0/16' }), "Context 'serviceCidr' must lie within 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16; got '100.64.0.0/16'. Use a private block such as '172.20.0.0/16', or leave it unset for EKS to choose."],
  ['service CIDR smaller than /24', context({ serviceCidr: '172.20.0.0/25' }), "Context 'serviceCidr' must have a prefix length between /12 and /24; got '172.20.0.0/25'. Choose a block such as '10.0.0.0/16'."],
  ['allowed CIDR that is an address', context({ allowedCidr: '203.0.113.7' }), "Context 'allowedCidr' must be IPv4 CIDR blocks, separated by commas; got '203.0.113.7'. Pass -c allowedCidr=203.0.113.7/32 (your address) or 0.0.0.0/0."],
  ['allowed CIDR list with a malformed entry', context({ allowedCidr: '203.0.113.7/32,198.51.100.300/32' }), "Context 'allowedCidr' (entry 2) must be an IPv4 CIDR block with zero host bits, such as '10.0.0.0/16' or '203.0.113.7/32'; got '198.51.100.300/32'. Write the network address followed by '/' and the prefix length."],
  ['public endpoint CIDR that is a word', context({ publicEndpointCidrs: 'anywhere' }), "Context 'publicEndpointCidrs' must be IPv4 CIDR blocks, separated by commas; got 'anywhere'. Pass -c publicEndpointCidrs=203.0.113.7/32 (your address) or 0.0.0.0/0."],
  ['more public endpoint CIDRs than EKS takes', context({ publicEndpointCidrs: Array.from({ length: 41 }, (_, i) => `198.51.100.${i}/32`).join(',') }), "Context 'publicEndpointCidrs' must list at most 40 CIDR blocks (the EKS quota, not adjustable); got 41. Merge them into wider blocks."],
  ['private range as a public endpoint CIDR', context({ publicEndpointCidrs: '203.0.113.7/32,10.20.0.0/16' }), "Context 'publicEndpointCidrs' (entry 2) must be a public block: 10.20.0.0/16 lies in 10.0.0.0/8, which no internet client has, and EKS refuses it; got '10.20.0.0/16'. Callers inside the VPC use the private endpoint already; list the public address you connect from, such as '203.0.113.7/32'."],
  ['context key that only an object prototype has', context({ constructor: 'x' }), `Context 'constructor' is not a setting of the lab; got 'x'. Did you mean 'clusterName'? The settings are ${KNOWN_KEYS}.`],
  ['more echo pods than the nodes take', context({ replicas: '27' }), "Context 'replicas' is too large for the nodes: IpModeLab's 27 echo pods do not fit beside the 8 system pods on 2 t3.medium nodes, which take 17 pods each under the VPC CNI's one address per pod (34 in all); got 27. Use at most 26, or add nodes with -c nodeCount, or pick a larger -c nodeInstanceType."],
  ['nodes too small for the system pods', context({ nodeInstanceType: 't3.micro' }), "Context 'nodeInstanceType' is too small for the lab: 2 t3.micro nodes take 4 pods each under the VPC CNI's one address per pod (8 in all), and the 8 system pods leave no room for IpModeLab's echo pods; got 't3.micro'. Pick a type with more pods per node, such as t3.medium (17), or add nodes with -c nodeCount."],
  ['no public endpoint CIDR', cluster({ publicEndpointCidrs: [] }), "Test/Cluster: 'publicEndpointCidrs' must list at least one CIDR block; got []. Use ['0.0.0.0/0'] for anywhere, or your address as ['203.0.113.7/32']."],
  ['unknown control-plane log type', context({ controlPlaneLogging: 'api,debug' }), "Context 'controlPlaneLogging' must be log types among api, audit, authenticator, controllerManager, scheduler, separated by commas, or none; got 'debug'. Pass -c controlPlaneLogging=api,audit."],
  ['cluster name starting with a dash', context({ clusterName: '-lab' }), "Context 'clusterName' must be an EKS cluster name: 1 to 100 letters, digits, '-' or '_', starting with a letter or digit; got '-lab'. Use a name such as 'eks-lb-lab'."],
  ['cluster name with a space', cluster({ clusterName: 'my lab' }, { clusterName: 'my lab' }), "Test/Vpc: 'clusterName' must be an EKS cluster name: 1 to 100 letters, digits, '-' or '_', starting with a letter or digit; got 'my lab'. Use a name such as 'eks-lb-lab'."],
  ['cluster name longer than 100 characters', context({ clusterName: 'l'.repeat(101) }), "Context 'clusterName' must be an EKS cluster name: 1 to 100 letters, digits, '-' or '_', starting with a letter or digit; got 'lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll'. Use a name such as 'eks-lb-lab'."],
  ['cluster name unlike the VPC subnet tags', cluster({ clusterName: 'other' }), "Test/Cluster: 'clusterName' must match the VPC's subnet tags (kubernetes.io/cluster/lab); got 'other'. Give LabVpc and LabCluster the same clusterName."],
  ['no nodes', context({ nodeCount: '0' }), "Context 'nodeCount' must be a whole number between 1 and 450; got 0. Use 2 nodes (one per zone) for the experiment."],
  ['more nodes than a node group holds', context({ nodeCount: '451' }), "Context 'nodeCount' must be a whole number between 1 and 450; got 451. Use 2 nodes (one per zone) for the experiment."],
  ['node count that is not a number', context({ nodeCount: 'two' }), "Context 'nodeCount' must be a whole number; got 'two'. Pass -c nodeCount=2."],
  ['instance type without a size', context({ nodeInstanceType: 't3' }), "Context 'nodeInstanceType' must be an EC2 instance type; got 't3'. Pass -c nodeInstanceType=t3.medium."],
  ['instance type aws-cdk-lib cannot parse', cluster({ nodeInstanceType: new ec2.InstanceType('foo.bar') }), "Test/Cluster: 'nodeInstanceType' must be an EC2 instance type; got 'foo.bar'. Use one such as 't3.medium' or 'm7g.large'."],
  ['NodePort below the range', context({ nodePort: '29999' }), "Context 'nodePort' must be a whole number between 30000 and 32767; got 29999. Pick a port in the API server's NodePort range 30000-32767, e.g. 30080, or leave it unset."],
  ['NodePort above the range', context({ nodePort: '32768' }), "Context 'nodePort' must be a whole number between 30000 and 32767; got 32768. Pick a port in the API server's NodePort range 30000-32767, e.g. 30080, or leave it unset."],
  ['NodePort used by two labs on one cluster', twoWorkloads({ namespace: 'a', nodePort: 30080 }, { namespace: 'b', nodePort: 30080 }), "Test/Second: 'nodePort' is already used on this cluster by Test/First; got 30080. Give each NodePort Service its own port from 30000-32767, or leave 'nodePort' unset."],
  ['NodePort of an ALB workload taken again by an NLB workload', mixedWorkloads((on, stack) => {
    new IngressWorkload(stack, 'First', { ...on, targetType: 'instance', nodePort: 30080 });
    new NlbWorkload(stack, 'Second', { ...on, targetType: 'instance', nodePort: 30080 });
  }), "Test/Second: 'nodePort' is already used on this cluster by Test/First; got 30080. Give each NodePort Service its own port from 30000-32767, or leave 'nodePort' unset."],
  ['namespace of an NLB workload taken again by a TargetGroupBinding workload', mixedWorkloads((on, stack) => {
    new NlbWorkload(stack, 'First', { ...on, targetType: 'ip', namespace: 'lab' });
    new TargetGroupBindingWorkload(stack, 'Second', { ...on, namespace: 'lab', nodePort: 30081 });
  }), "Test/Second: 'namespace' is already used on this cluster by Test/First; got 'lab'. Give each workload its own namespace: teardown deletes the namespace with everything in it."],
  ['namespace shared by two labs on one cluster', twoWorkloads({ namespace: 'lab' }, { namespace: 'lab' }), "Test/Second: 'namespace' is already used on this cluster by Test/First; got 'lab'. Give each workload its own namespace: teardown deletes the namespace with everything in it."],
  ['instance mode over a ClusterIP Service', chart({ targetType: 'instance', serviceType: 'ClusterIP' }), "Chart: 'serviceType' must be NodePort when 'targetType' is instance; got 'ClusterIP'. The ALB registers nodes and sends to the Service's NodePort, which a ClusterIP Service does not open. Use serviceType 'NodePort' or targetType 'ip'."],
  ['nodePort on a ClusterIP Service', chart({ nodePort: 30080 }), "Chart: 'nodePort' applies only to a NodePort Service; got 30080 with serviceType 'ClusterIP'. Remove 'nodePort' or use serviceType 'NodePort'."],
  ['namespace the cluster owns', chart({ namespace: 'kube-system' }), "Chart: 'namespace' must be one of the workload's own: the chart creates it and deletes it with everything in it on teardown; got 'kube-system'. Use a namespace such as 'ip-mode'."],
  ['namespace that is not DNS-1123', chart({ namespace: 'IP_Mode' }), "Chart: 'namespace' must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters); got 'IP_Mode'. Use a name such as 'ip-mode'."],
  ['object name that is not DNS-1123', chart({ name: 'echo-' }), "Chart: 'name' must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters); got 'echo-'. Use a name such as 'echo'."],
  ['empty image', context({ image: '' }), "Context 'image' is not valid; got ''. Pass -c image=registry.k8s.io/e2e-test-images/echoserver:2.5."],
  ['image that is no image reference', context({ image: 'Echo Server:2.5' }), "Context 'image' must be an image reference as the container runtime parses it ([registry[:port]/]lower-case/path[:tag][@sha256:digest], at most 255 characters before the tag), or the pods never start (InvalidImageName); got 'Echo Server:2.5'. Leave it unset for registry.k8s.io/e2e-test-images/echoserver:2.5, or give a mirror of it."],
  ['blank image', chart({ image: ' ' }), "Chart: 'image' must name a container image; got ' '. Leave it unset for registry.k8s.io/e2e-test-images/echoserver:2.5, or give a mirror of it."],
  ['no replicas', context({ replicas: '0' }), "Context 'replicas' must be a whole number between 1 and 100; got 0. Use 2 replicas so pods land on both nodes."],
  ['external traffic policy in the wrong case', context({ externalTrafficPolicy: 'local' }), "Context 'externalTrafficPolicy' must be Cluster or Local; got 'local'. Pass -c externalTrafficPolicy=Local to keep traffic on the receiving node."],
  ['health check path without a slash', chart({ healthCheckPath: 'healthz' }), "Chart: 'healthCheckPath' must start with '/'; got 'healthz'. Use '/'."],
  ['listen-ports with the port as a string', albAnnotation('listen-ports', '[{"HTTP": "80"}]'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/listen-ports' must be a JSON list of objects mapping \"HTTP\" or \"HTTPS\" to ports from 1 to 65535, no port twice, such as '[{\"HTTP\": 80}, {\"HTTPS\": 443}]'; got '[{\"HTTP\": \"80\"}]'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['listen-ports that is not JSON', albAnnotation('listen-ports', 'HTTP:80'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/listen-ports' must be a JSON list of objects mapping \"HTTP\" or \"HTTPS\" to ports from 1 to 65535, no port twice, such as '[{\"HTTP\": 80}, {\"HTTPS\": 443}]'; got 'HTTP:80'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['listen-ports with one port twice', albAnnotation('listen-ports', '[{"HTTP": 80}, {"HTTPS": 80}]'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/listen-ports' must be a JSON list of objects mapping \"HTTP\" or \"HTTPS\" to ports from 1 to 65535, no port twice, such as '[{\"HTTP\": 80}, {\"HTTPS\": 443}]'; got '[{\"HTTP\": 80}, {\"HTTPS\": 80}]'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['group.name with upper case and underscore', albAnnotation('group.name', 'Lab_Group'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/group.name' must be lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 63 characters, such as 'lab.shared'; got 'Lab_Group'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['health check interval below 5 seconds', albAnnotation('healthcheck-interval-seconds', '1'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/healthcheck-interval-seconds' must be a whole number from 5 to 300, as a string such as '5'; got '1'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['target group attribute key that does not exist', albAnnotation('target-group-attributes', 'deregistration_delay=30'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/target-group-attributes' must be key=value pairs separated by commas with target group attribute keys, such as 'deregistration_delay.timeout_seconds=30'; got 'deregistration_delay=30'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['group.order beyond -1000 to 1000', albAnnotation('group.order', '-1001'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/group.order' must be an integer from -1000 to 1000, as a string such as '10'; got '-1001'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['boolean annotation that Go cannot parse', albAnnotation('shield-advanced-protection', 'yes'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/shield-advanced-protection' must be 'true' or 'false'; got 'yes'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['JSON annotation that is not JSON', albAnnotation('transforms.echo', '{"type": url-rewrite}'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/transforms.echo' must be JSON, such as '{\"type\": \"fixed-response\"}'; got '{\"type\": url-rewrite}'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['listener attributes for a protocol an ALB has not', albAnnotation('listener-attributes.TCP-80', 'tcp.idle_timeout.seconds=400'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/listener-attributes.TCP-80' is not of the documented form 'alb.ingress.kubernetes.io/listener-attributes.<HTTP|HTTPS>-<port>'; got 'tcp.idle_timeout.seconds=400'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['listener attributes that are not key=value pairs', albAnnotation('listener-attributes.HTTP-80', 'routing.http.response.server.enabled'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/listener-attributes.HTTP-80' must be key=value pairs separated by commas, such as 'key1=value1,key2=value2'; got 'routing.http.response.server.enabled'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['mutual authentication verify without a trust store', albAnnotation('mutual-authentication', '[{"port": 443, "mode": "verify"}]'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/mutual-authentication' must be a JSON list of {\"port\", \"mode\"} objects: mode 'off' or 'passthrough' without a trust store, 'verify' with \"trustStore\" (a name or an ARN), such as '[{\"port\": 443, \"mode\": \"verify\", \"trustStore\": \"my-store\"}]'; got '[{\"port\": 443, \"mode\": \"verify\"}]'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['load balancer name over 32 characters', albAnnotation('load-balancer-name', 'eks-lb-lab-shared-application-alb'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/load-balancer-name' must be at most 32 letters, digits or '-', not starting or ending with '-' nor starting with 'internal-', such as 'lab-alb'; got 'eks-lb-lab-shared-application-alb'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['target control port without the service port', albAnnotation('target-control-port.echo', '3000'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/target-control-port.echo' is not of the documented form 'alb.ingress.kubernetes.io/target-control-port.<service-name>.<service-port>'; got '3000'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['health check port that is no Service port name', albAnnotation('healthcheck-port', 'Health_Port'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/healthcheck-port' must be 'traffic-port', a port from 1 to 65535 or the name of a port of the backend Service, such as 'traffic-port'; got 'Health_Port'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['annotation misspelt', albAnnotation('listen-port', '[{"HTTP": 80}]'), "Chart: 'annotations' key 'alb.ingress.kubernetes.io/listen-port' is not an annotation the AWS Load Balancer Controller documents; got '[{\"HTTP\": 80}]'. Correct it against the AWS Load Balancer Controller's annotation reference, or remove it."],
  ['annotation that a prop sets', albAnnotation('target-type', 'instance'), "Chart: 'annotations' must not set 'alb.ingress.kubernetes.io/target-type', which comes from 'targetType'; got 'instance'. Set 'targetType' instead."],
  ['WAF enabled in China', controller('cn-north-1', { helmValues: { enableWaf: true } }), "Test/Cluster/LoadBalancerController: 'helmValues.enableWaf' must be false in cn-north-1: Shield, WAF and WAFv2 are not available in the China regions and the controller fails calling them; got true. Remove 'enableWaf'."],
  ['WAFv2 enabled in China', controller('cn-north-1', { helmValues: { enableWafv2: true } }), "Test/Cluster/LoadBalancerController: 'helmValues.enableWafv2' must be false in cn-north-1: Shield, WAF and WAFv2 are not available in the China regions and the controller fails calling them; got true. Remove 'enableWafv2'."],
  ['Shield enabled in China', controller('cn-northwest-1', { helmValues: { enableShield: true } }), "Test/Cluster/LoadBalancerController: 'helmValues.enableShield' must be false in cn-northwest-1: Shield, WAF and WAFv2 are not available in the China regions and the controller fails calling them; got true. Remove 'enableShield'."],
  ['controller values naming another region', controller('us-east-1', { helmValues: { region: 'us-west-2' } }), "Test/Cluster/LoadBalancerController: 'helmValues.region' must be the stack's region, 'us-east-1'; got 'us-west-2'. Remove 'region' from helmValues: it is set for you."],
  ['controller values creating their own service account', controller('us-east-1', { helmValues: { serviceAccount: { create: true } } }), "Test/Cluster/LoadBalancerController: 'helmValues.serviceAccount' must leave the IRSA service account kube-system/aws-load-balancer-controller in place; got {\"create\":true}. Remove 'serviceAccount' from helmValues: the construct creates it with the controller's IAM role."],
  ['controller wait beyond the kubectl handler', controller('us-east-1', { timeout: Duration.minutes(20) }), "Test/Cluster/LoadBalancerController: 'timeout' must be between 1 and 15 minutes (the kubectl handler's limit); got '20 minutes'. Use Duration.minutes(10)."],
  ['cleanup wait beyond one Lambda invocation', cleanup(Duration.minutes(15)), "Test/Cleanup: 'timeout' must be between 1 and 14 minutes; got '15 minutes'. The wait runs inside one Lambda invocation; use Duration.minutes(10)."],
  ['controller version without a vendored policy', context({ controllerVersion: 'v2.99.0' }), "Context 'controllerVersion' must be a controller version with a known IAM policy (v2.4.7, v2.7.2, v2.8.3, v2.9.2, v2.10.0, v2.11.0, v2.12.0, v2.13.0, v3.5.0); got 'v2.99.0'. Pass -c controllerVersion=v3.5.0."],
  ['controller policy version without a vendored policy', context({ controllerPolicyVersion: 'v2.8' }), "Context 'controllerPolicyVersion' must be a controller version with a known IAM policy (v2.4.7, v2.7.2, v2.8.3, v2.9.2, v2.10.0, v2.11.0, v2.12.0, v2.13.0, v3.5.0); got 'v2.8'. Pass -c controllerPolicyVersion=v2.8.3 to give the controller an older policy, or leave it out for the policy of controllerVersion."],
  ['custom controller version with no policy', policy(LoadBalancerControllerVersion.of('v9.9.9', '9.9.9')), "Test/Policy: 'version' v9.9.9 has no known IAM policy and none was supplied; got 'v9.9.9'. Use one of the known versions (v2.4.7, v2.7.2, v2.8.3, v2.9.2, v2.10.0, v2.11.0, v2.12.0, v2.13.0, v3.5.0) or pass the policy: LoadBalancerControllerVersion.of('v9.9.9', '9.9.9', policyDocument)."],
  ['custom policy over the IAM size limit', policy(LoadBalancerControllerVersion.of('v3.5.0', '3.5.0', OVERSIZED_POLICY)), "Test/Policy: 'version' v3.5.0 policy is 11148 characters as compact JSON, over the IAM limit of 6144 for a customer-managed policy; got 11148. Shorten the document (merge statements, drop Sids) or split it into two policies."],
  ['custom policy missing official actions, strict', policy(LoadBalancerControllerVersion.of('v3.5.0', '3.5.0', PARTIAL_POLICY), true), "Test/Policy: 'version' v3.5.0 carries a policy that does not grant 26 action(s) the official v3.5.0 policy grants; got a document without acm:DescribeCertificate, acm:ListCertificates, cognito-idp:DescribeUserPoolClient, ec2:AuthorizeSecurityGroupIngress, ec2:CreateSecurityGroup, ec2:CreateTags, ec2:DeleteSecurityGroup, ec2:DeleteTags, ec2:GetCoipPoolUsage, ec2:GetSecurityGroupsForVpc, ec2:RevokeSecurityGroupIngress, iam:CreateServiceLinkedRole, iam:GetServerCertificate, iam:ListServerCertificates, shield:CreateProtection, shield:DeleteProtection, shield:DescribeProtection, shield:GetSubscriptionState, waf-regional:AssociateWebACL, waf-regional:DisassociateWebACL, waf-regional:GetWebACL, waf-regional:GetWebACLForResource, wafv2:AssociateWebACL, wafv2:DisassociateWebACL, wafv2:GetWebACL, wafv2:GetWebACLForResource. Add them, or compare with `eks-lb-lab policy diff <file> --version v3.5.0`."],
  ['NLB PROXY protocol with instance targets and Local', nlbChart({ targetType: 'instance', externalTrafficPolicy: 'Local', proxyProtocolV2: true }), "Chart: 'proxyProtocolV2' cannot be combined with 'instance' targets and externalTrafficPolicy 'Local'; got proxyProtocolV2 true. With Local the NLB health-checks kube-proxy's health check NodePort over HTTP, which does not speak PROXY protocol, so every target would fail its check. Use externalTrafficPolicy 'Cluster' or targetType 'ip'."],
  ['NLB namespace the cluster owns', nlbChart({ namespace: 'default' }), "Chart: 'namespace' must be one of the workload's own: the chart creates it and deletes it with everything in it on teardown; got 'default'. Use a namespace such as 'nlb-ip-mode'."],
  ['NLB traffic policy with ip targets', nlbChart({ externalTrafficPolicy: 'Local' }), "Chart: 'externalTrafficPolicy' applies only to 'instance' targets; got 'Local' with targetType 'ip'. Remove it: the NLB sends straight to pod IPs, so no NodePort and no kube-proxy rule is on the path."],
  ['NLB scheme that does not exist', nlbChart({ scheme: 'public' as never }), "Chart: 'scheme' must be one of 'internet-facing', 'internal'; got 'public'. Use one of those."],
  ['TargetGroupBinding NodePort equal to the ALB lab\'s', context({ tgbNodePort: '30080' }), "Context 'tgbNodePort' must differ from 'nodePort'; got 30080 for both. Each NodePort Service needs its own port; pass -c tgbNodePort=30081."],
  ['TargetGroupBinding namespace the cluster owns', tgbChart({ namespace: 'kube-system' }), "Chart: 'namespace' must be one of the workload's own: the chart creates it and deletes it with everything in it on teardown; got 'kube-system'. Use a namespace such as 'tgb'."],
  ['TargetGroupBinding NodePort above the range', context({ tgbNodePort: '40000' }), "Context 'tgbNodePort' must be a whole number between 30000 and 32767; got 40000. Pick a port in the API server's NodePort range 30000-32767, e.g. 30081."],
  ['shared-ALB switch that is not a boolean', context({ sharedAlb: 'yes' }), "Context 'sharedAlb' must be true or false; got 'yes'. Pass -c sharedAlb=true."],
  ['cluster name too long for the controller policy name', context({ clusterName: 'l'.repeat(90) }), `LabCluster/Cluster/LoadBalancerController/Policy: 'managedPolicyName' must be 1 to 128 letters, digits or +=,.@_-; got 'AWSLoadBalancerControllerIAMPolicy-${'l'.repeat(90)}-us-east-1' (135 characters). Use a shorter name (with the lab app: a shorter clusterName).`],
  ['shutdown variant that does not exist', context({ shutdown: 'fast' }), "Context 'shutdown' must be graceful or naive; got 'fast'. Pass -c shutdown=naive for Kubernetes' and AWS's defaults (no readiness gate, no preStop delay, 300 s deregistration delay)."],
  ['readiness gate with instance targets', chart({ targetType: 'instance', readinessGate: true }), "Chart: 'readinessGate' applies only to ip targets; got true with targetType 'instance'. The controller's readiness gate reports the health of a pod's own target, and instance targets are nodes: its webhook injects no gate for them. Remove 'readinessGate', or use targetType 'ip'."],
  ['preStop delay as long as the grace period', chart({ preStopDelay: Duration.seconds(30), terminationGracePeriod: Duration.seconds(30) }), "Chart: 'preStopDelay' must be shorter than the termination grace period (30 s); got 30 s. The kubelet kills the pod when the grace period ends, preStop hook or not, so nginx never stops gracefully. Shorten 'preStopDelay' or set 'terminationGracePeriod' to Duration.seconds(45)."],
  ['preStop delay beyond the default grace period', chart({ preStopDelay: Duration.minutes(1) }), "Chart: 'preStopDelay' must be shorter than the termination grace period (30 s, the Kubernetes default); got 60 s. The kubelet kills the pod when the grace period ends, preStop hook or not, so nginx never stops gracefully. Shorten 'preStopDelay' or set 'terminationGracePeriod' to Duration.seconds(75)."],
  ['preStop delay in part seconds', chart({ preStopDelay: Duration.millis(1500) }), "Chart: 'preStopDelay' must be whole seconds from 0 to 86400; got 1 second 500 millis. Use Duration.seconds(15)."],
  ['deregistration delay beyond the ELB limit', chart({ deregistrationDelay: Duration.hours(2) }), "Chart: 'deregistrationDelay' must be whole seconds from 0 to 3600, as the ELB takes it; got 2 hours. Use Duration.seconds(30), or leave it unset for the ELB default of 300 seconds."],
  ['deregistration delay set twice', chart({ deregistrationDelay: Duration.seconds(30), annotations: { 'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=60' } }), "Chart: 'annotations' must not set deregistration_delay.timeout_seconds in 'alb.ingress.kubernetes.io/target-group-attributes' when 'deregistrationDelay' is set; got 'deregistration_delay.timeout_seconds=60'. Set it in one place."],
  ['cross-zone setting that is a word', context({ crossZoneLoadBalancing: 'off' }), "Context 'crossZoneLoadBalancing' must be one of true, false, use_load_balancer_configuration; got 'off'. Pass -c crossZoneLoadBalancing=false to keep each load balancer node's requests in its own zone."],
  ['cross-zone value ELB does not take', nlbChart({ crossZoneLoadBalancing: 'enabled' as never }), "Chart: 'crossZoneLoadBalancing' must be one of 'true', 'false', 'use_load_balancer_configuration'; got 'enabled'. Use one of those."],
  ['cross-zone set twice', chart({ crossZoneLoadBalancing: 'false', annotations: { 'alb.ingress.kubernetes.io/target-group-attributes': 'load_balancing.cross_zone.enabled=true' } }), "Chart: 'crossZoneLoadBalancing' is set and 'annotations' also sets load_balancing.cross_zone.enabled in 'alb.ingress.kubernetes.io/target-group-attributes'; got 'false'. Set it in one place: remove it from the annotation."],
  ['controller identity that is neither IRSA nor Pod Identity', context({ controllerIdentity: 'kiam' }), "Context 'controllerIdentity' must be irsa or pod-identity; got 'kiam'. Pass -c controllerIdentity=pod-identity for EKS Pod Identity, or leave it out for IRSA."],
  ['controller identity spelt as the aws-eks-v2 enum', controller('us-east-1', { identity: 'POD_IDENTITY' as never }), "Test/Cluster/LoadBalancerController: 'identity' must be one of 'irsa', 'pod-identity'; got 'POD_IDENTITY'. Use 'irsa' (the default) or 'pod-identity'."],
  ['IP family that is neither IPv4 nor IPv6', context({ ipFamily: 'dualstack' }), "Context 'ipFamily' must be ipv4 or ipv6; got 'dualstack'. Pass -c ipFamily=ipv6 for an IPv6 cluster in a dual-stack VPC, or leave it out for IPv4."],
  ['service CIDR in an IPv6 cluster', context({ ipFamily: 'ipv6', serviceCidr: '172.20.0.0/16' }), "Context 'serviceCidr' applies to IPv4 clusters only: in an IPv6 cluster EKS assigns Service addresses from an IPv6 block of its own; got '172.20.0.0/16' with ipFamily 'ipv6'. Remove it."],
  ['IPv6 cluster in an IPv4-only VPC', cluster({ ipFamily: eks.IpFamily.IP_V6 }), "Test/Cluster: 'ipFamily' 'ipv6' needs a VPC with IPv6 blocks on every subnet (EKS assigns pods and nodes IPv6 addresses from them); got ipFamily 'ipv6' with an IPv4-only LabVpc. Give LabVpc ipProtocol: ec2.IpProtocol.DUAL_STACK."],
  ['cluster IP family aws-eks-v2 does not know', cluster({ ipFamily: 'ipv5' as never }), "Test/Cluster: 'ipFamily' must be eks.IpFamily.IP_V4 or eks.IpFamily.IP_V6; got 'ipv5'. Use eks.IpFamily.IP_V6 for an IPv6 cluster."],
  ['VPC IP protocol aws-cdk-lib does not know', cluster({}, { ipProtocol: 'IPv6_Only' as never }), "Test/Vpc: 'ipProtocol' must be ec2.IpProtocol.IPV4_ONLY or ec2.IpProtocol.DUAL_STACK; got 'IPv6_Only'. Use ec2.IpProtocol.DUAL_STACK for an IPv6 cluster."],
  ['ALB instance targets in an IPv6 cluster', ipv6Workload((c) => new IngressWorkload(c.stack, 'Alb', { cluster: c.cluster, controller: c.controller, targetType: 'instance' })), "Test/Alb: 'targetType' 'instance' cannot serve an IPv6 cluster: EKS load balances to IPv6 pods with ip targets only, not instance targets; got 'instance'. Use 'ip'."],
  ['NLB instance targets in an IPv6 cluster', ipv6Workload((c) => new NlbWorkload(c.stack, 'Nlb', { cluster: c.cluster, controller: c.controller, targetType: 'instance' })), "Test/Nlb: 'targetType' 'instance' cannot serve an IPv6 cluster: EKS load balances to IPv6 pods with ip targets only, not instance targets; got 'instance'. Use 'ip'."],
  ['IPv4-only NLB in an IPv6 cluster', ipv6Workload((c) => new NlbWorkload(c.stack, 'Nlb', { cluster: c.cluster, controller: c.controller, targetType: 'ip', ipAddressType: 'ipv4' })), "Test/Nlb: 'ipAddressType' must be dual-stack in an IPv6 cluster: its Services are IPv6, so the controller makes IPv6 target groups and refuses an IPv4-only load balancer (\"unsupported IPv6 configuration, lb not dual-stack\"); got 'ipv4'. Use 'dualstack', or leave it unset."],
  ['TargetGroupBinding workload in an IPv6 cluster', ipv6Workload((c) => new TargetGroupBindingWorkload(c.stack, 'Tgb', { cluster: c.cluster, controller: c.controller, vpc: c.vpc, nodePort: 30081 })), "Test/Tgb: 'cluster' is an IPv6 cluster, where this workload's instance target group cannot serve: EKS load balances to IPv6 pods with ip targets only, not instance targets; got ipFamily 'ipv6'. Use IngressWorkload or NlbWorkload with 'ip' targets there."],
  ['ALB address type the controller does not know', chart({ ipAddressType: 'ipv6' as never }), "Chart: 'ipAddressType' must be one of 'ipv4', 'dualstack', 'dualstack-without-public-ipv4'; got 'ipv6'. Use one of those."],
  ['nag switch that is not a boolean', context({ nag: 'yes' }), "Context 'nag' must be true or false; got 'yes'. Pass -c nag=true to run the cdk-nag AwsSolutions checks."],
  ['Gateway load balancer kind neither ALB nor NLB', gatewayChart({ loadBalancer: 'GLB' as never }), "Chart: 'loadBalancer' must be one of 'ALB', 'NLB'; got 'GLB'. Use one of those."],
  ['Gateway NLB listeners on one port', gatewayChart({ listenerPorts: { ip: 81, instance: 81 } }), "Chart: 'listenerPorts' must give the two TCP listeners different ports; got 81 for both. Gateway API refuses two listeners with the same port and protocol, and each TCPRoute attaches to its own listener."],
  ['Gateway listener ports on an ALB', gatewayChart({ loadBalancer: 'ALB', listenerPorts: { ip: 8080 } }), "Chart: 'listenerPorts' applies only to an NLB Gateway; got {\"ip\":8080} with loadBalancer 'ALB'. Remove it: the ALB Gateway has one HTTP listener on 80 and tells the routes apart by path."],
  ['Gateway client IP preservation on an ALB', gatewayChart({ loadBalancer: 'ALB', preserveClientIp: { ip: true } }), "Chart: 'preserveClientIp' applies only to an NLB Gateway; got {\"ip\":true} with loadBalancer 'ALB'. Remove it: the ALB opens its own connections and carries the client in X-Forwarded-For."],
  ['Gateway API CRDs on a cluster older than 1.30', cluster({ version: eks.KubernetesVersion.V1_29, gatewayApiCrds: true }), "Test/Cluster: 'gatewayApiCrds' needs Kubernetes 1.30 or later: the Gateway API v1.6.1 CRDs come with a ValidatingAdmissionPolicy of admissionregistration.k8s.io/v1, which 1.29 does not serve; got true with version 1.29. Leave it unset (off before 1.30), or use 1.36."],
  ['GatewayClass name that is no DNS subdomain', gatewayChart({ gatewayClassName: 'Eks_Lab' }), "Chart: 'gatewayClassName' must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit, at most 253 characters), as the name of a cluster-scoped object; got 'Eks_Lab'. Use a name such as 'eks-lb-lab-nlb'."],
];

function messageOf(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    return (error as Error).message;
  }
  return '<no error>';
}

describe('bad-input catalogue', () => {
  test('each row names a different input, and the README gives their number', () => {
    const what = CATALOGUE.map(([w]) => w);
    expect(what.filter((w, i) => what.indexOf(w) !== i)).toEqual([]);
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme.match(/A catalogue of \*\*(\d+)\*\* invalid configurations/)?.[1]).toBe(String(CATALOGUE.length));
  });

  test('every message names the input, shows the value it got and says what to do', () => {
    for (const [, , message] of CATALOGUE) {
      expect(message).toMatch(/^(Context '[A-Za-z]+'|[\w/-]+: '[\w.[\]]+') .*; got .+\. [A-Z].*[.)]$/);
    }
  });

  test.each(CATALOGUE)('%s', (_what, build, message) => {
    expect(messageOf(build)).toBe(message);
  });
});
