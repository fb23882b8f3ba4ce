import { App } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ExternalTrafficPolicy, IngressWorkloadChartProps, LoadBalancerControllerVersion, NlbWorkloadChartProps, TargetType } from '../lib';
import { IngressLabStack } from './ingress-lab-stack';
import { LabClusterStack } from './lab-cluster-stack';
import { NlbLabStack } from './nlb-lab-stack';
import { TgbLabStack, TgbLabStackProps } from './tgb-lab-stack';

/** Everything the lab app can be told through cdk context, resolved to values. */
export interface LabSettings {
  readonly region: string;
  readonly clusterName: string;
  readonly kubernetesVersion: string;
  readonly nodeInstanceType: string;
  readonly nodeCount: number;
  readonly vpcCidr: string;
  readonly azCount: number;
  readonly natGateways: number;
  readonly allowedCidr: readonly string[];
  readonly image: string;
  readonly replicas: number;
  readonly externalTrafficPolicy: ExternalTrafficPolicy;
  readonly nodePort: number;
  /** AWS Load Balancer Controller image tag, one of `LoadBalancerControllerVersion.KNOWN`. */
  readonly controllerVersion: string;
  /** Image tag whose IAM policy the controller's role gets instead of that of `controllerVersion`; absent for that one. */
  readonly controllerPolicyVersion?: string;
  /** Both ALB Ingresses in one IngressGroup: one ALB, paths `/ip` and `/instance`. */
  readonly sharedAlb: boolean;
  /** `preserve_client_ip.enabled` of the NLB ip-target group. */
  readonly nlbPreserveClientIp: boolean;
  /** PROXY protocol v2 on both NLB paths. */
  readonly nlbProxyProtocol: boolean;
  /** NodePort of the TargetGroupBinding lab's instance Service. */
  readonly tgbNodePort: number;
  /** The controller's service mutator webhook. */
  readonly serviceMutatorWebhook: boolean;
  readonly publicEndpointCidrs: readonly string[];
  readonly controlPlaneLogging: readonly string[];
  /** Empty for the EKS default. */
  readonly serviceCidr?: string;
}

/** The lab's stacks. */
export interface Lab {
  readonly cluster: LabClusterStack;
  readonly ipMode: IngressLabStack;
  readonly instanceMode: IngressLabStack;
  readonly nlbIpMode: NlbLabStack;
  readonly nlbInstanceMode: NlbLabStack;
  readonly tgb: TgbLabStack;
}

/** The IngressGroup both ALB Ingresses join when `sharedAlb` is on. */
export const SHARED_ALB_GROUP = 'eks-lb-lab';

const COST_NOTE = 'bills by the hour until destroyed';

/** The chart props of the two ALB halves, which differ only in target type and Service (and path, on a shared ALB). */
export function labWorkloads(settings: Omit<LabSettings, 'region'>): Record<TargetType, IngressWorkloadChartProps> {
  const common = { image: settings.image, replicas: settings.replicas, inboundCidrs: settings.allowedCidr };
  // One IngressGroup: both target groups behind one ALB, told apart by path, in a fixed rule order.
  const shared = (target: TargetType, groupOrder: number) => (settings.sharedAlb
    ? { groupName: SHARED_ALB_GROUP, groupOrder, path: `/${target}` } : {});
  return {
    ip: { ...common, targetType: 'ip', ...shared('ip', 10) },
    instance: {
      ...common,
      targetType: 'instance',
      nodePort: settings.nodePort,
      externalTrafficPolicy: settings.externalTrafficPolicy,
      ...shared('instance', 20),
    },
  };
}

/** The chart props of the two NLB paths. */
export function labNlbWorkloads(settings: Omit<LabSettings, 'region'>): Record<TargetType, NlbWorkloadChartProps> {
  const common = {
    image: settings.image, replicas: settings.replicas, loadBalancerSourceRanges: settings.allowedCidr,
    proxyProtocolV2: settings.nlbProxyProtocol,
  };
  return {
    ip: { ...common, targetType: 'ip', preserveClientIp: settings.nlbPreserveClientIp },
    instance: { ...common, targetType: 'instance', externalTrafficPolicy: settings.externalTrafficPolicy },
  };
}

/** The workload props of the TargetGroupBinding lab: its instance Service on `tgbNodePort`. */
export function labTgbWorkload(settings: Omit<LabSettings, 'region'>): TgbLabStackProps['workload'] {
  return {
    image: settings.image,
    replicas: settings.replicas,
    inboundCidrs: settings.allowedCidr,
    nodePort: settings.tgbNodePort,
    externalTrafficPolicy: settings.externalTrafficPolicy,
  };
}

/**
 * Builds the lab: `LabCluster` (VPC, cluster, controller) and the paths on it: the two ALB halves
 * `IpModeLab` and `InstanceModeLab`, which differ only in target type and Service, the NLB paths
 * `NlbIpModeLab` and `NlbInstanceModeLab`, and `TgbLab`, whose ALB and target groups CloudFormation owns.
 */
export function createLab(app: App, settings: LabSettings): Lab {
  const env = { region: settings.region };
  const cluster = new LabClusterStack(app, 'LabCluster', {
    env,
    description: `eks-lb-lab: VPC, EKS ${settings.kubernetesVersion} cluster and AWS Load Balancer Controller (${COST_NOTE})`,
    clusterName: settings.clusterName,
    kubernetesVersion: settings.kubernetesVersion,
    nodeInstanceType: settings.nodeInstanceType,
    nodeCount: settings.nodeCount,
    vpcCidr: settings.vpcCidr,
    azCount: settings.azCount,
    natGateways: settings.natGateways,
    controllerVersion: LoadBalancerControllerVersion.tryFind(settings.controllerVersion),
    controllerPolicyVersion: settings.controllerPolicyVersion === undefined ? undefined
      : LoadBalancerControllerVersion.tryFind(settings.controllerPolicyVersion),
    enableServiceMutatorWebhook: settings.serviceMutatorWebhook,
    publicEndpointCidrs: settings.publicEndpointCidrs,
    controlPlaneLogging: settings.controlPlaneLogging as eks.ClusterLoggingTypes[],
    serviceCidr: settings.serviceCidr,
  });
  const workloads = labWorkloads(settings);
  const ipMode = new IngressLabStack(app, 'IpModeLab', {
    env,
    description: `eks-lb-lab: ALB target type ip over a ClusterIP Service (${COST_NOTE})`,
    labCluster: cluster,
    workload: workloads.ip,
  });
  const instanceMode = new IngressLabStack(app, 'InstanceModeLab', {
    env,
    description: `eks-lb-lab: ALB target type instance over a NodePort Service (${COST_NOTE})`,
    labCluster: cluster,
    workload: workloads.instance,
  });
  const nlb = labNlbWorkloads(settings);
  const nlbIpMode = new NlbLabStack(app, 'NlbIpModeLab', {
    env,
    description: `eks-lb-lab: NLB with ip targets over a LoadBalancer Service (${COST_NOTE})`,
    labCluster: cluster,
    workload: nlb.ip,
  });
  const nlbInstanceMode = new NlbLabStack(app, 'NlbInstanceModeLab', {
    env,
    description: `eks-lb-lab: NLB with instance targets over a LoadBalancer Service (${COST_NOTE})`,
    labCluster: cluster,
    workload: nlb.instance,
  });
  const tgb = new TgbLabStack(app, 'TgbLab', {
    env,
    description: `eks-lb-lab: CloudFormation-owned ALB and target groups fed by TargetGroupBindings (${COST_NOTE})`,
    labCluster: cluster,
    workload: labTgbWorkload(settings),
  });
  return { cluster, ipMode, instanceMode, nlbIpMode, nlbInstanceMode, tgb };
}
