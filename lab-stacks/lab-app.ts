import { App } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { IPV6_IP_TARGETS_ONLY, PATH_STACKS, PathStack, stackPaths } from './catalogue';
import type { LabSettings } from './settings';
import { IngressLabStack } from './ingress-lab-stack';
import { GatewayLabStack } from './gateway-lab-stack';
import { LabClusterStack } from './lab-cluster-stack';
import { NlbLabStack } from './nlb-lab-stack';
import { checkPodCapacity } from './pod-capacity';
import { TgbLabStack } from './tgb-lab-stack';


/** The lab's stacks; an IPv6 lab has no `instance` path, so neither the instance stacks nor TgbLab. */
export interface Lab {
  readonly cluster: LabClusterStack;
  readonly ipMode: IngressLabStack;
  readonly instanceMode?: IngressLabStack;
  readonly nlbIpMode: NlbLabStack;
  readonly nlbInstanceMode?: NlbLabStack;
  readonly tgb?: TgbLabStack;
  readonly gatewayAlb?: GatewayLabStack;
  readonly gatewayNlb?: GatewayLabStack;
}

const COST_NOTE = 'bills by the hour until destroyed';

/**
 * Builds the lab: `LabCluster` (VPC, cluster, controller) and the paths on it: the two ALB halves
 * `IpModeLab` and `InstanceModeLab`, which differ only in target type and Service, the NLB paths
 * `NlbIpModeLab` and `NlbInstanceModeLab`, `TgbLab`, whose ALB and target groups CloudFormation owns, and
 * `GatewayAlbLab` and `GatewayNlbLab`, both target types through Gateway API.
 */
export function createLab(app: App, settings: LabSettings): Lab {
  const env = { region: settings.region };
  const ipv6 = settings.ipFamily === 'ipv6';
  const cluster = new LabClusterStack(app, 'LabCluster', {
    env,
    description: `eks-lb-lab: VPC, EKS ${settings.kubernetesVersion.version} cluster and AWS Load Balancer Controller (${COST_NOTE})`,
    clusterName: settings.clusterName,
    vpc: {
      cidr: settings.vpcCidr, azCount: settings.azCount, natGateways: settings.natGateways,
      ...(ipv6 ? { ipProtocol: ec2.IpProtocol.DUAL_STACK } : {}),
    },
    cluster: {
      version: settings.kubernetesVersion,
      nodeInstanceType: settings.nodeInstanceType,
      nodeCount: settings.nodeCount,
      publicEndpointCidrs: settings.publicEndpointCidrs,
      controlPlaneLogging: settings.controlPlaneLogging,
      serviceCidr: settings.serviceCidr,
      ...(ipv6 ? { ipFamily: eks.IpFamily.IP_V6 } : {}),
    },
    controller: {
      version: settings.controllerVersion,
      policyVersion: settings.controllerPolicyVersion,
      enableServiceMutatorWebhook: settings.serviceMutatorWebhook,
      identity: settings.controllerIdentity,
    },
  });
  const common = (stack: PathStack, description: string) => ({ env, description: `eks-lb-lab: ${description} (${COST_NOTE})`, labCluster: cluster, settings });
  const one = (stack: PathStack) => stackPaths(stack, settings)[0];
  // A stack is made when the lab's settings leave it a path to deploy.
  const has = (stack: PathStack) => stackPaths(stack, settings).length > 0;
  const ipMode = new IngressLabStack(app, 'IpModeLab', {
    ...common('IpModeLab', 'ALB target type ip over a ClusterIP Service'), path: one('IpModeLab'),
  });
  const instanceMode = has('InstanceModeLab') ? new IngressLabStack(app, 'InstanceModeLab', {
    ...common('InstanceModeLab', 'ALB target type instance over a NodePort Service'), path: one('InstanceModeLab'),
  }) : undefined;
  const nlbIpMode = new NlbLabStack(app, 'NlbIpModeLab', {
    ...common('NlbIpModeLab', 'NLB with ip targets over a LoadBalancer Service'), path: one('NlbIpModeLab'),
  });
  const nlbInstanceMode = has('NlbInstanceModeLab') ? new NlbLabStack(app, 'NlbInstanceModeLab', {
    ...common('NlbInstanceModeLab', 'NLB with instance targets over a LoadBalancer Service'), path: one('NlbInstanceModeLab'),
  }) : undefined;
  const tgb = has('TgbLab') ? new TgbLabStack(app, 'TgbLab', {
    ...common('TgbLab', 'CloudFormation-owned ALB and target groups fed by TargetGroupBindings'), paths: stackPaths('TgbLab', settings),
  }) : undefined;
  const gatewayAlb = has('GatewayAlbLab') ? new GatewayLabStack(app, 'GatewayAlbLab', {
    ...common('GatewayAlbLab', 'Gateway API: HTTPRoutes to ip and instance targets on one ALB'), paths: stackPaths('GatewayAlbLab', settings),
  }) : undefined;
  const gatewayNlb = has('GatewayNlbLab') ? new GatewayLabStack(app, 'GatewayNlbLab', {
    ...common('GatewayNlbLab', 'Gateway API: TCPRoutes to ip and instance targets on one NLB'), paths: stackPaths('GatewayNlbLab', settings),
  }) : undefined;
  checkPodCapacity(cluster.labCluster, [ipMode, instanceMode, nlbIpMode, nlbInstanceMode, tgb, gatewayAlb, gatewayNlb]
    .flatMap((stack) => (stack ? [{ stack, chart: stack.workload.chart }] : [])), settings.nodeInstanceType.toString());
  return { cluster, ipMode, instanceMode, nlbIpMode, nlbInstanceMode, tgb, gatewayAlb, gatewayNlb };
}

/**
 * One line on the path stacks the lab leaves out with `settings`, and why, for the app to print: `cdk deploy` of such
 * a stack otherwise answers only that no stack matches. Undefined when every stack is there.
 */
export function absentStacksNote(settings: LabSettings): string | undefined {
  const absent = PATH_STACKS.filter((stack) => stackPaths(stack, settings).length === 0);
  if (absent.length === 0) return undefined;
  const names = absent.length === 1 ? absent[0] : `${absent.slice(0, -1).join(', ')} and ${absent[absent.length - 1]}`;
  return `-c ipFamily=${settings.ipFamily} leaves out ${names}: ${IPV6_IP_TARGETS_ONLY}.`;
}
