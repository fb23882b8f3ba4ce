import { App } from 'aws-cdk-lib';
import { PathStack, stackPaths } from './catalogue';
import type { LabSettings } from './settings';
import { IngressLabStack } from './ingress-lab-stack';
import { GatewayLabStack } from './gateway-lab-stack';
import { LabClusterStack } from './lab-cluster-stack';
import { NlbLabStack } from './nlb-lab-stack';
import { TgbLabStack } from './tgb-lab-stack';


/** The lab's stacks. */
export interface Lab {
  readonly cluster: LabClusterStack;
  readonly ipMode: IngressLabStack;
  readonly instanceMode: IngressLabStack;
  readonly nlbIpMode: NlbLabStack;
  readonly nlbInstanceMode: NlbLabStack;
  readonly tgb: TgbLabStack;
  readonly gatewayAlb: GatewayLabStack;
  readonly gatewayNlb: GatewayLabStack;
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
  const cluster = new LabClusterStack(app, 'LabCluster', {
    env,
    description: `eks-lb-lab: VPC, EKS ${settings.kubernetesVersion.version} cluster and AWS Load Balancer Controller (${COST_NOTE})`,
    clusterName: settings.clusterName,
    vpc: { cidr: settings.vpcCidr, azCount: settings.azCount, natGateways: settings.natGateways },
    cluster: {
      version: settings.kubernetesVersion,
      nodeInstanceType: settings.nodeInstanceType,
      nodeCount: settings.nodeCount,
      publicEndpointCidrs: settings.publicEndpointCidrs,
      controlPlaneLogging: settings.controlPlaneLogging,
      serviceCidr: settings.serviceCidr,
    },
    controller: {
      version: settings.controllerVersion,
      policyVersion: settings.controllerPolicyVersion,
      enableServiceMutatorWebhook: settings.serviceMutatorWebhook,
    },
  });
  const common = (stack: PathStack, description: string) => ({ env, description: `eks-lb-lab: ${description} (${COST_NOTE})`, labCluster: cluster, settings });
  const one = (stack: PathStack) => stackPaths(stack, settings)[0];
  const ipMode = new IngressLabStack(app, 'IpModeLab', {
    ...common('IpModeLab', 'ALB target type ip over a ClusterIP Service'), path: one('IpModeLab'),
  });
  const instanceMode = new IngressLabStack(app, 'InstanceModeLab', {
    ...common('InstanceModeLab', 'ALB target type instance over a NodePort Service'), path: one('InstanceModeLab'),
  });
  const nlbIpMode = new NlbLabStack(app, 'NlbIpModeLab', {
    ...common('NlbIpModeLab', 'NLB with ip targets over a LoadBalancer Service'), path: one('NlbIpModeLab'),
  });
  const nlbInstanceMode = new NlbLabStack(app, 'NlbInstanceModeLab', {
    ...common('NlbInstanceModeLab', 'NLB with instance targets over a LoadBalancer Service'), path: one('NlbInstanceModeLab'),
  });
  const tgb = new TgbLabStack(app, 'TgbLab', {
    ...common('TgbLab', 'CloudFormation-owned ALB and target groups fed by TargetGroupBindings'), paths: stackPaths('TgbLab', settings),
  });
  const gatewayAlb = new GatewayLabStack(app, 'GatewayAlbLab', {
    ...common('GatewayAlbLab', 'Gateway API: HTTPRoutes to ip and instance targets on one ALB'), paths: stackPaths('GatewayAlbLab', settings),
  });
  const gatewayNlb = new GatewayLabStack(app, 'GatewayNlbLab', {
    ...common('GatewayNlbLab', 'Gateway API: TCPRoutes to ip and instance targets on one NLB'), paths: stackPaths('GatewayNlbLab', settings),
  });
  return { cluster, ipMode, instanceMode, nlbIpMode, nlbInstanceMode, tgb, gatewayAlb, gatewayNlb };
}
