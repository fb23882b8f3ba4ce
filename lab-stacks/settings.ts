import { Node } from 'constructs';
import { ECHO_IMAGE, LoadBalancerControllerVersion } from '../lib';
import { INSTANCE_TYPE_ID } from '../lib/private/names';
import { parseIpv4Cidr, show } from '../lib/private/validate';
import { LabSettings } from './lab-app';

/** A cdk context value that cannot be used; the message says which, what it got and what to pass. */
export class ContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContextError';
  }
}

/** Defaults for every setting but `region`, which falls back to the CLI's default region, then us-east-1. */
export const LAB_DEFAULTS: Omit<LabSettings, 'region'> = {
  clusterName: 'eks-lb-lab',
  kubernetesVersion: '1.36',
  nodeInstanceType: 't3.medium',
  nodeCount: 2,
  vpcCidr: '10.0.0.0/16',
  azCount: 2,
  natGateways: 1,
  allowedCidr: ['0.0.0.0/0'],
  image: ECHO_IMAGE,
  replicas: 2,
  externalTrafficPolicy: 'Cluster',
  nodePort: 30080,
  controllerVersion: LoadBalancerControllerVersion.V3_5_0.version,
  sharedAlb: false,
  nlbPreserveClientIp: false,
  nlbProxyProtocol: false,
  tgbNodePort: 30081,
  serviceMutatorWebhook: true,
  publicEndpointCidrs: ['0.0.0.0/0'],
  controlPlaneLogging: [],
};

const LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/** Whether `-c nag=true` asks for the cdk-nag AwsSolutions checks. */
export function readNag(node: Node): boolean {
  const value = node.tryGetContext('nag');
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new ContextError(`Context 'nag' must be true or false; got ${show(value)}. Pass -c nag=true to run the cdk-nag AwsSolutions checks.`);
}

/** The form of an AWS region name: `us-east-1`, `cn-north-1`, `us-gov-west-1`. */
export const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;
const KUBERNETES_VERSION = /^1\.\d+$/;

/**
 * Reads the lab's settings from cdk context (`-c key=value` or cdk.json), checking the form of each value.
 * Ranges and combinations are checked by the constructs themselves.
 */
export function readLabSettings(node: Node, env: Readonly<Record<string, string | undefined>> = process.env): LabSettings {
  const raw = (key: string): unknown => node.tryGetContext(key);
  const text = (key: keyof LabSettings, fallback: string, pattern?: RegExp, example?: string): string => {
    const value = raw(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value.trim() === '' || (pattern && !pattern.test(value))) {
      throw new ContextError(`Context '${key}' is not valid; got ${show(value)}. Pass -c ${key}=${example ?? fallback}.`);
    }
    return value;
  };
  const whole = (key: keyof LabSettings, fallback: number): number => {
    const value = raw(key);
    if (value === undefined) return fallback;
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isInteger(n)) {
      throw new ContextError(`Context '${key}' must be a whole number; got ${show(value)}. Pass -c ${key}=${fallback}.`);
    }
    return n;
  };

  const flag = (key: keyof LabSettings, fallback: boolean): boolean => {
    const value = raw(key);
    if (value === undefined) return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new ContextError(`Context '${key}' must be true or false; got ${show(value)}. Pass -c ${key}=${!fallback}.`);
  };

  const allowedCidr = text('allowedCidr', LAB_DEFAULTS.allowedCidr.join(','), undefined, '203.0.113.7/32')
    .split(',').map((c) => c.trim());
  for (const cidr of allowedCidr) {
    if (!parseIpv4Cidr(cidr)) {
      throw new ContextError(`Context 'allowedCidr' must be IPv4 CIDR blocks with zero host bits, separated by commas; ` +
        `got ${show(cidr)}. Pass -c allowedCidr=203.0.113.7/32 (your address) or 0.0.0.0/0.`);
    }
  }
  const cidrList = (key: 'publicEndpointCidrs', fallback: readonly string[]): string[] => {
    const list = text(key, fallback.join(','), undefined, '203.0.113.7/32').split(',').map((c) => c.trim());
    for (const cidr of list) {
      if (!parseIpv4Cidr(cidr)) {
        throw new ContextError(`Context '${key}' must be IPv4 CIDR blocks with zero host bits, separated by commas; ` +
          `got ${show(cidr)}. Pass -c ${key}=203.0.113.7/32 (your address) or 0.0.0.0/0.`);
      }
    }
    return list;
  };
  const logging = raw('controlPlaneLogging');
  const controlPlaneLogging = logging === undefined || logging === '' || logging === 'none' ? []
    : String(logging).split(',').map((t) => t.trim());
  for (const type of controlPlaneLogging) {
    if (!LOG_TYPES.includes(type)) {
      throw new ContextError(`Context 'controlPlaneLogging' must be log types among ${LOG_TYPES.join(', ')}, separated by ` +
        `commas, or none; got ${show(type)}. Pass -c controlPlaneLogging=api,audit.`);
    }
  }
  const serviceCidr = raw('serviceCidr') === undefined ? undefined : text('serviceCidr', '', undefined, '172.20.0.0/16');
  if (serviceCidr !== undefined && !parseIpv4Cidr(serviceCidr)) {
    throw new ContextError(`Context 'serviceCidr' must be an IPv4 CIDR block with zero host bits; got ${show(serviceCidr)}. ` +
      `Pass -c serviceCidr=172.20.0.0/16, or leave it out for EKS to choose.`);
  }
  const policy = text('externalTrafficPolicy', LAB_DEFAULTS.externalTrafficPolicy);
  if (policy !== 'Cluster' && policy !== 'Local') {
    throw new ContextError(`Context 'externalTrafficPolicy' must be Cluster or Local; got ${show(policy)}. ` +
      `Pass -c externalTrafficPolicy=Local to keep traffic on the receiving node.`);
  }
  const vpcCidr = text('vpcCidr', LAB_DEFAULTS.vpcCidr);
  if (!parseIpv4Cidr(vpcCidr)) {
    throw new ContextError(`Context 'vpcCidr' must be an IPv4 CIDR block with zero host bits; got ${show(vpcCidr)}. ` +
      `Pass -c vpcCidr=10.0.0.0/16.`);
  }

  const controllerVersion = text('controllerVersion', LAB_DEFAULTS.controllerVersion);
  if (!LoadBalancerControllerVersion.tryFind(controllerVersion)) {
    throw new ContextError(`Context 'controllerVersion' must be a controller version with a known IAM policy ` +
      `(${LoadBalancerControllerVersion.KNOWN.map((v) => v.version).join(', ')}); got ${show(controllerVersion)}. ` +
      `Pass -c controllerVersion=${LAB_DEFAULTS.controllerVersion}.`);
  }
  const policyVersion = raw('controllerPolicyVersion');
  if (policyVersion !== undefined && (typeof policyVersion !== 'string' || !LoadBalancerControllerVersion.tryFind(policyVersion))) {
    throw new ContextError(`Context 'controllerPolicyVersion' must be a controller version with a known IAM policy ` +
      `(${LoadBalancerControllerVersion.KNOWN.map((v) => v.version).join(', ')}); got ${show(policyVersion)}. ` +
      `Pass -c controllerPolicyVersion=v2.8.3 to give the controller an older policy, or leave it out for the policy of ` +
      `controllerVersion.`);
  }
  const nodePort = whole('nodePort', LAB_DEFAULTS.nodePort);
  const tgbNodePort = whole('tgbNodePort', LAB_DEFAULTS.tgbNodePort);
  if (tgbNodePort === nodePort) {
    throw new ContextError(`Context 'tgbNodePort' must differ from 'nodePort'; got ${tgbNodePort} for both. ` +
      `Each NodePort Service needs its own port; pass -c tgbNodePort=${nodePort === 30081 ? 30082 : 30081}.`);
  }

  return {
    region: text('region', env.CDK_DEFAULT_REGION || 'us-east-1', REGION, 'eu-west-1'),
    clusterName: text('clusterName', LAB_DEFAULTS.clusterName),
    kubernetesVersion: text('kubernetesVersion', LAB_DEFAULTS.kubernetesVersion, KUBERNETES_VERSION),
    nodeInstanceType: text('nodeInstanceType', LAB_DEFAULTS.nodeInstanceType, INSTANCE_TYPE_ID),
    nodeCount: whole('nodeCount', LAB_DEFAULTS.nodeCount),
    vpcCidr,
    azCount: whole('azCount', LAB_DEFAULTS.azCount),
    natGateways: whole('natGateways', LAB_DEFAULTS.natGateways),
    allowedCidr,
    image: text('image', LAB_DEFAULTS.image),
    replicas: whole('replicas', LAB_DEFAULTS.replicas),
    externalTrafficPolicy: policy,
    nodePort,
    sharedAlb: flag('sharedAlb', LAB_DEFAULTS.sharedAlb),
    nlbPreserveClientIp: flag('nlbPreserveClientIp', LAB_DEFAULTS.nlbPreserveClientIp),
    nlbProxyProtocol: flag('nlbProxyProtocol', LAB_DEFAULTS.nlbProxyProtocol),
    tgbNodePort,
    serviceMutatorWebhook: flag('serviceMutatorWebhook', LAB_DEFAULTS.serviceMutatorWebhook),
    controllerVersion: LoadBalancerControllerVersion.tryFind(controllerVersion)!.version,
    ...(policyVersion !== undefined ? { controllerPolicyVersion: LoadBalancerControllerVersion.tryFind(policyVersion)!.version } : {}),
    publicEndpointCidrs: cidrList('publicEndpointCidrs', LAB_DEFAULTS.publicEndpointCidrs),
    controlPlaneLogging,
    ...(serviceCidr !== undefined ? { serviceCidr } : {}),
  };
}
