import { App } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ExternalTrafficPolicy, IngressWorkloadChartProps, TargetType } from '../lib';
import { IngressLabStack } from './ingress-lab-stack';
import { LabClusterStack } from './lab-cluster-stack';

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
}

const COST_NOTE = 'bills by the hour until destroyed';

/** The chart props of the two halves, which differ only in target type and Service. */
export function labWorkloads(settings: Omit<LabSettings, 'region'>): Record<TargetType, IngressWorkloadChartProps> {
  const common = { image: settings.image, replicas: settings.replicas, inboundCidrs: settings.allowedCidr };
  return {
    ip: { ...common, targetType: 'ip' },
    instance: {
      ...common,
      targetType: 'instance',
      nodePort: settings.nodePort,
      externalTrafficPolicy: settings.externalTrafficPolicy,
    },
  };
}

/**
 * Builds the lab: `LabCluster` (VPC, cluster, controller) and the two halves of the experiment on it,
 * `IpModeLab` and `InstanceModeLab`, which differ only in target type and Service.
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
  return { cluster, ipMode, instanceMode };
}
