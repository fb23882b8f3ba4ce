import { App } from 'cdk8s';
import {
  GatewayWorkloadChart, GatewayWorkloadChartProps, IngressWorkloadChart, IngressWorkloadChartProps, NlbWorkloadChart, NlbWorkloadChartProps,
  TargetGroupBindingChart, TargetType,
} from '../lib';
import { TargetGroupBindingWorkloadProps } from '../lib/workloads/target-group-binding-workload';
import { DeployedPath, ExpectedPath, KubernetesObject, PathModelOptions, expectedPaths } from '../lib/experiment';
import type { LabSettings } from './settings';
import type { ShutdownVariant } from '../lib/experiment/disruption/types';
import { Duration } from 'aws-cdk-lib';

/** The lab stacks that hold workload paths, in report order. */
export const PATH_STACKS = ['IpModeLab', 'InstanceModeLab', 'NlbIpModeLab', 'NlbInstanceModeLab', 'TgbLab',
  'GatewayAlbLab', 'GatewayNlbLab'] as const;
export type PathStack = typeof PATH_STACKS[number];

/** The settings a path's chart reads; every other setting shapes the VPC, the cluster or the controller. */
export type PathSettings = Pick<LabSettings, 'image' | 'replicas' | 'allowedCidr' | 'externalTrafficPolicy' | 'nodePort'
  | 'sharedAlb' | 'nlbPreserveClientIp' | 'nlbProxyProtocol' | 'tgbNodePort' | 'shutdown' | 'crossZoneLoadBalancing' | 'ipFamily'>;

/** The keys of {@link PathSettings}, in the order a stack records them. */
export const PATH_SETTING_KEYS: readonly (keyof PathSettings)[] = [
  'image', 'replicas', 'allowedCidr', 'externalTrafficPolicy', 'nodePort', 'sharedAlb', 'nlbPreserveClientIp', 'nlbProxyProtocol',
  'tgbNodePort', 'shutdown', 'crossZoneLoadBalancing', 'ipFamily',
];

/** TgbLab's workload, less what only the deployed stack knows (its cluster, controller and VPC). */
export type TgbWorkloadSettings = Omit<TargetGroupBindingWorkloadProps, 'cluster' | 'controller' | 'vpc'>;

/** The chart a path's stack applies: which chart class, with which props. */
export type LabChart =
  | { readonly kind: 'ingress'; readonly props: IngressWorkloadChartProps }
  | { readonly kind: 'nlb'; readonly props: NlbWorkloadChartProps }
  | { readonly kind: 'tgb'; readonly props: TgbWorkloadSettings }
  | { readonly kind: 'gateway'; readonly props: GatewayWorkloadChartProps };

/** One path the lab can stand up. */
export interface LabPath {
  /** The name `probe --url`, `local --modes` and the reports use. */
  readonly id: string;
  /** The stack that deploys it. */
  readonly stack: PathStack;
  readonly targetType: TargetType;
  /** The settings that choose this variant of its stack's path; a stack deploys the variant the lab's settings match. */
  readonly variant: Readonly<Partial<PathSettings>>;
  /** What it is, e.g. `ALB instance, Local`. */
  readonly title: string;
  /** Whether `eks-lb-lab local` builds it; the TargetGroupBinding paths are the ALB data paths, fed another way. */
  readonly emulated: boolean;
}

/** Every path the lab can stand up: the single place a path meets its stack, chart and variant. */
export const LAB_PATHS: readonly LabPath[] = [
  { id: 'ip', stack: 'IpModeLab', targetType: 'ip', variant: {}, title: 'ALB ip', emulated: true },
  { id: 'instance', stack: 'InstanceModeLab', targetType: 'instance', variant: { externalTrafficPolicy: 'Cluster' }, title: 'ALB instance, Cluster', emulated: true },
  { id: 'instance-local', stack: 'InstanceModeLab', targetType: 'instance', variant: { externalTrafficPolicy: 'Local' }, title: 'ALB instance, Local', emulated: true },
  { id: 'nlb-ip', stack: 'NlbIpModeLab', targetType: 'ip', variant: { nlbPreserveClientIp: false }, title: 'NLB ip, preservation off', emulated: true },
  { id: 'nlb-ip-preserve', stack: 'NlbIpModeLab', targetType: 'ip', variant: { nlbPreserveClientIp: true }, title: 'NLB ip, preservation on', emulated: true },
  { id: 'nlb-instance', stack: 'NlbInstanceModeLab', targetType: 'instance', variant: { externalTrafficPolicy: 'Cluster' }, title: 'NLB instance, Cluster', emulated: true },
  { id: 'nlb-instance-local', stack: 'NlbInstanceModeLab', targetType: 'instance', variant: { externalTrafficPolicy: 'Local' }, title: 'NLB instance, Local', emulated: true },
  { id: 'tgb-ip', stack: 'TgbLab', targetType: 'ip', variant: {}, title: 'TargetGroupBinding ip (ALB)', emulated: false },
  { id: 'tgb-instance', stack: 'TgbLab', targetType: 'instance', variant: { externalTrafficPolicy: 'Cluster' }, title: 'TargetGroupBinding instance, Cluster (ALB)', emulated: false },
  { id: 'tgb-instance-local', stack: 'TgbLab', targetType: 'instance', variant: { externalTrafficPolicy: 'Local' }, title: 'TargetGroupBinding instance, Local (ALB)', emulated: false },
  { id: 'gateway-ip', stack: 'GatewayAlbLab', targetType: 'ip', variant: {}, title: 'Gateway API HTTPRoute, ALB ip', emulated: true },
  { id: 'gateway-instance', stack: 'GatewayAlbLab', targetType: 'instance', variant: { externalTrafficPolicy: 'Cluster' }, title: 'Gateway API HTTPRoute, ALB instance, Cluster', emulated: true },
  { id: 'gateway-instance-local', stack: 'GatewayAlbLab', targetType: 'instance', variant: { externalTrafficPolicy: 'Local' }, title: 'Gateway API HTTPRoute, ALB instance, Local', emulated: true },
  { id: 'gateway-nlb-ip', stack: 'GatewayNlbLab', targetType: 'ip', variant: {}, title: 'Gateway API TCPRoute, NLB ip, preservation off', emulated: true },
  { id: 'gateway-nlb-instance', stack: 'GatewayNlbLab', targetType: 'instance', variant: { externalTrafficPolicy: 'Cluster' }, title: 'Gateway API TCPRoute, NLB instance, Cluster', emulated: true },
  { id: 'gateway-nlb-instance-local', stack: 'GatewayNlbLab', targetType: 'instance', variant: { externalTrafficPolicy: 'Local' }, title: 'Gateway API TCPRoute, NLB instance, Local', emulated: true },
];

/** The stacks whose paths run through an NLB. */
const NLB_STACKS: readonly PathStack[] = ['NlbIpModeLab', 'NlbInstanceModeLab', 'GatewayNlbLab'];

/** Whether `path` runs through an NLB (else an ALB). */
export function isNlbPath(path: LabPath): boolean {
  return NLB_STACKS.includes(path.stack);
}

/** The stacks whose paths start at a Gateway API route. */
const GATEWAY_STACKS: readonly PathStack[] = ['GatewayAlbLab', 'GatewayNlbLab'];

/** Whether `path` is reached through Gateway API (a route on a Gateway) rather than an Ingress, a Service or a binding. */
export function isGatewayPath(path: LabPath): boolean {
  return GATEWAY_STACKS.includes(path.stack);
}

const BY_ID = new Map(LAB_PATHS.map((p) => [p.id, p]));

/** The path named `id`; undefined for any other name. */
export function labPath(id: string): LabPath | undefined {
  return BY_ID.get(id);
}

/** The ways `-c shutdown` lets the ALB paths' pods stop, the default first. */
export const SHUTDOWN_VARIANTS: readonly ShutdownVariant[] = ['graceful', 'naive'];

/** The knobs of an ALB path's chart that decide what a rollout or a drain costs. */
export type ShutdownProps = Pick<IngressWorkloadChartProps, 'readinessGate' | 'preStopDelay' | 'stopSignal' | 'terminationGracePeriod' | 'deregistrationDelay'>;

/**
 * Both ways the ALB paths' pods can stop, by `-c shutdown`. `graceful` is the production practice: a readiness gate
 * (ip targets; instance targets have none), a preStop delay longer than the controller's deregistration lag, then nginx's
 * graceful quit, a grace period covering both, and a deregistration delay that suits requests of milliseconds.
 * `naive` keeps every default and stops nginx at once (SIGTERM, its fast shutdown), as a server does that exits on the
 * kubelet's SIGTERM.
 */
export function shutdownProps(variant: ShutdownVariant, targetType: TargetType): ShutdownProps {
  return variant === 'graceful'
    ? {
      readinessGate: targetType === 'ip', preStopDelay: Duration.seconds(15), stopSignal: 'SIGQUIT',
      terminationGracePeriod: Duration.seconds(30), deregistrationDelay: Duration.seconds(30),
    }
    : { stopSignal: 'SIGTERM' };
}

/** The IngressGroup both ALB Ingresses join when `sharedAlb` is on. */
export const SHARED_ALB_GROUP = 'eks-lb-lab';

/**
 * The chart of `path` with the lab's `settings` and the path's variant on top. The ALB halves differ only in target
 * type and Service (and path, on a shared ALB); the NLB paths in target type, preservation and traffic policy.
 */
export function pathChart(path: LabPath, settings: PathSettings): LabChart {
  const s = { ...settings, ...path.variant };
  // An IPv6 cluster's Services are IPv6: only a dual-stack load balancer can use their IPv6 target groups.
  const echo = {
    image: s.image, replicas: s.replicas, ...(s.crossZoneLoadBalancing !== undefined ? { crossZoneLoadBalancing: s.crossZoneLoadBalancing } : {}),
    ...(s.ipFamily === 'ipv6' ? { ipAddressType: 'dualstack' as const } : {}),
  };
  // One IngressGroup: both target groups behind one ALB, told apart by path, in a fixed rule order.
  const shared = (groupOrder: number) => (s.sharedAlb ? { groupName: SHARED_ALB_GROUP, groupOrder, path: `/${path.targetType}` } : {});
  switch (path.stack) {
    case 'IpModeLab':
      return { kind: 'ingress', props: { ...echo, inboundCidrs: s.allowedCidr, targetType: 'ip', ...shared(10), ...shutdownProps(s.shutdown, 'ip') } };
    case 'InstanceModeLab':
      return {
        kind: 'ingress',
        props: {
          ...echo, inboundCidrs: s.allowedCidr, targetType: 'instance', nodePort: s.nodePort,
          externalTrafficPolicy: s.externalTrafficPolicy, ...shared(20), ...shutdownProps(s.shutdown, 'instance'),
        },
      };
    case 'NlbIpModeLab':
      return {
        kind: 'nlb',
        props: { ...echo, loadBalancerSourceRanges: s.allowedCidr, proxyProtocolV2: s.nlbProxyProtocol, targetType: 'ip', preserveClientIp: s.nlbPreserveClientIp },
      };
    case 'NlbInstanceModeLab':
      return {
        kind: 'nlb',
        props: {
          ...echo, loadBalancerSourceRanges: s.allowedCidr, proxyProtocolV2: s.nlbProxyProtocol, targetType: 'instance',
          externalTrafficPolicy: s.externalTrafficPolicy,
        },
      };
    case 'TgbLab':
      return { kind: 'tgb', props: { image: s.image, replicas: s.replicas, inboundCidrs: s.allowedCidr, nodePort: s.tgbNodePort, externalTrafficPolicy: s.externalTrafficPolicy } };
    case 'GatewayAlbLab':
    case 'GatewayNlbLab':
      // Both target types on one Gateway; the instance Service's NodePort is left to Kubernetes.
      return {
        kind: 'gateway',
        props: {
          image: s.image, replicas: s.replicas, loadBalancer: path.stack === 'GatewayAlbLab' ? 'ALB' : 'NLB', inboundCidrs: s.allowedCidr,
          externalTrafficPolicy: s.externalTrafficPolicy,
        },
      };
  }
}

/** The paths of `stack` that the lab deploys with `settings`: the variants whose settings match. */
export function stackPaths(stack: PathStack, settings: PathSettings): LabPath[] {
  return LAB_PATHS.filter((p) => p.stack === stack && matches(p, settings) && unavailable(p, settings) === undefined);
}

/** The paths the lab deploys with `settings`, in report order. */
export function deployedPaths(settings: PathSettings): LabPath[] {
  return LAB_PATHS.filter((p) => matches(p, settings) && unavailable(p, settings) === undefined);
}

/**
 * Why the lab with `settings` cannot deploy `path` at all, whatever its variant; undefined when it can. An IPv6
 * cluster has ip paths only, and TgbLab, whose stack holds an instance target group beside the ip one, not at all.
 */
export function unavailable(path: LabPath, settings: Pick<PathSettings, 'ipFamily'>): string | undefined {
  if (settings.ipFamily !== 'ipv6') return undefined;
  if (path.targetType === 'instance') return `${path.id} is an instance path, and ${IPV6_IP_TARGETS_ONLY}`;
  if (path.stack === 'TgbLab') return `TgbLab holds an instance target group beside its ip one, and ${IPV6_IP_TARGETS_ONLY}`;
  if (isGatewayPath(path)) return `${path.stack} holds an instance target group beside its ip one, and ${IPV6_IP_TARGETS_ONLY}`;
  return undefined;
}

/** Why an IPv6 lab has no instance path, as the constructs say it. */
export const IPV6_IP_TARGETS_ONLY = 'EKS load balances to IPv6 pods with ip targets only, not instance targets';

/** Whether `settings` select `path`'s variant. */
export function matches(path: LabPath, settings: Partial<PathSettings>): boolean {
  return Object.entries(path.variant).every(([k, v]) => settings[k as keyof PathSettings] === v);
}

/** TgbLab's target groups sit behind its own ALB, on an HTTP listener on port 80. */
const TGB_MODEL_OPTIONS = (ipBinding: string, instanceBinding: string, crossZone: boolean): PathModelOptions => ({
  targetGroupLoadBalancers: { [ipBinding]: 'ALB', [instanceBinding]: 'ALB' },
  targetGroupListeners: { [ipBinding]: { protocol: 'HTTP', port: 80 }, [instanceBinding]: { protocol: 'HTTP', port: 80 } },
  targetGroupCrossZone: { [ipBinding]: crossZone, [instanceBinding]: crossZone },
});

/**
 * The Kubernetes objects of `path`'s chart, synthesized, and what the path model needs beside them. A
 * TargetGroupBinding chart gets stand-in ARNs and ids: the model reads none of them.
 */
export function pathObjects(path: LabPath, settings: PathSettings): { objects: KubernetesObject[]; options: PathModelOptions } {
  const chart = pathChart(path, settings);
  const family: PathModelOptions = settings.ipFamily === 'ipv6' ? { ipFamily: 'ipv6' } : {};
  switch (chart.kind) {
    case 'ingress':
      return { objects: new IngressWorkloadChart(new App(), 'Chart', chart.props).toJson(), options: family };
    case 'nlb':
      return { objects: new NlbWorkloadChart(new App(), 'Chart', chart.props).toJson(), options: family };
    case 'tgb': {
      const { inboundCidrs: _cidrs, crossZoneLoadBalancing, ...props } = chart.props;
      const tgb = new TargetGroupBindingChart(new App(), 'Chart', {
        ...props, ipTargetGroupArn: 'ip-target-group', instanceTargetGroupArn: 'instance-target-group',
        vpcId: 'lab-vpc', loadBalancerSecurityGroupId: 'alb-security-group',
      });
      return { objects: tgb.toJson(), options: TGB_MODEL_OPTIONS(tgb.bindings.ip.name, tgb.bindings.instance.name, crossZoneLoadBalancing !== 'false') };
    }
    case 'gateway':
      return { objects: new GatewayWorkloadChart(new App(), 'Chart', chart.props).toJson(), options: {} };
  }
}

/** The path model's expectation for `path` deployed with `settings`. */
export function expectedPath(path: LabPath, settings: PathSettings): ExpectedPath {
  const { objects, options } = pathObjects(path, settings);
  const found = expectedPaths(objects, options).find((p) => p.targetType === path.targetType);
  if (!found) throw new Error(`the chart of ${path.id} has no ${path.targetType} path`);
  return found;
}

/**
 * What a stack records of a path it deploys (its `LabPaths` output): the settings its chart was built from, and the
 * model's reading of the chart, which the probe checks its own rebuild against.
 */
export function deployedPathRecord(path: LabPath, settings: PathSettings, url: string): DeployedPath {
  const applied = { ...settings, ...path.variant };
  const model = expectedPath(path, applied);
  return {
    path: path.id,
    url,
    settings: Object.fromEntries(PATH_SETTING_KEYS.map((k) => [k, applied[k]])),
    namespace: model.workload.namespace,
    replicas: model.workload.replicas,
    ...(model.listener ? { listener: model.listener } : {}),
    targetGroup: { port: model.targetGroup.port, healthCheck: model.targetGroup.healthCheck },
  };
}
