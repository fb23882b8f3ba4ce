import { UserError } from '../errors';
import { ALB, CROSS_ZONE_ATTRIBUTE, GATEWAY_CONTROLLER, INGRESS_CLASS_ANNOTATION, NLB, READINESS_GATE_INJECT_LABEL, TARGET_HEALTH_CONDITION_PREFIX, TG_ATTRIBUTE } from '../private/annotations';
/**
 * The expected data path of each load-balanced entry point in a set of Kubernetes objects, derived from the
 * objects alone (no cluster, no AWS): which load balancer, what it registers and health-checks, the hops to the
 * pod, whether kube-proxy forwards and whether anything rewrites the source, what the pod sees as its TCP peer,
 * and where the client's address survives.
 *
 * Entry points: an Ingress of class `alb` (one path per backend Service), a Service of type LoadBalancer (NLB
 * through the AWS Load Balancer Controller, or a Classic Load Balancer through the in-tree cloud provider), and a
 * TargetGroupBinding (the target group's load balancer is outside the objects, so it is an option), and a Gateway API
 * HTTPRoute or TCPRoute (one path per backend Service) on a Gateway whose GatewayClass the controller serves.
 */

/** A Kubernetes object as plain JSON, e.g. one element of a cdk8s chart's `toJson()`. */
export interface KubernetesObject {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly metadata?: {
    readonly name?: string; readonly namespace?: string; readonly annotations?: Readonly<Record<string, string>>;
    readonly labels?: Readonly<Record<string, string>>;
  };
  /** Read through the views below; fields the model does not use may be anything. */
  readonly spec?: object;
}

/** The parts of the objects' `spec`s the model reads. */
interface ServiceSpecView {
  readonly type?: string;
  readonly selector?: Readonly<Record<string, string>>;
  readonly loadBalancerClass?: string;
  readonly externalTrafficPolicy?: string;
  readonly healthCheckNodePort?: number;
  readonly ports?: readonly { readonly name?: string; readonly port?: number; readonly targetPort?: number | string; readonly nodePort?: number }[];
}

interface BackendView {
  readonly service?: { readonly name?: string };
}

interface IngressSpecView {
  readonly ingressClassName?: string;
  readonly defaultBackend?: BackendView;
  readonly rules?: readonly { readonly http?: { readonly paths?: readonly { readonly backend?: BackendView }[] } }[];
}

interface DeploymentSpecView {
  readonly replicas?: number;
  readonly strategy?: { readonly type?: string; readonly rollingUpdate?: { readonly maxSurge?: number | string; readonly maxUnavailable?: number | string } };
  readonly template?: { readonly metadata?: { readonly labels?: Readonly<Record<string, string>> }; readonly spec?: {
    readonly terminationGracePeriodSeconds?: number;
    readonly readinessGates?: readonly { readonly conditionType?: string }[];
    readonly containers?: readonly {
      readonly ports?: readonly { readonly name?: string; readonly containerPort?: number }[];
      readonly lifecycle?: { readonly preStop?: { readonly exec?: { readonly command?: readonly string[] }; readonly sleep?: { readonly seconds?: number } } };
    }[];
  } };
}

interface TargetGroupBindingSpecView {
  readonly targetType?: string;
  readonly serviceRef?: { readonly name?: string };
}

const serviceSpec = (o: KubernetesObject): ServiceSpecView => o.spec ?? {};
const ingressSpec = (o: KubernetesObject): IngressSpecView => o.spec ?? {};
const deploymentSpec = (o: KubernetesObject): DeploymentSpecView => o.spec ?? {};
const tgbSpec = (o: KubernetesObject): TargetGroupBindingSpecView => o.spec ?? {};

/** Which load balancer carries the traffic. */
export type LoadBalancerKind = 'ALB' | 'NLB' | 'CLB';

/** What the target group holds: pod IPs (`ip`) or nodes on a NodePort (`instance`). */
export type PathTargetType = 'ip' | 'instance';

/** The class of address the pod sees as the TCP peer of the connection. */
export type PeerClass = 'load-balancer' | 'node' | 'client';

/**
 * Where the client's address reaches the pod: in `X-Forwarded-For` (an L7 proxy appended it), as the TCP source
 * address itself, in a PROXY protocol header ahead of the payload, or nowhere.
 */
export type ClientIpLocation = 'x-forwarded-for' | 'tcp-source' | 'proxy-protocol' | 'none';

/** Who creates the load balancer. */
export type Provisioner = 'aws-load-balancer-controller' | 'in-tree-cloud-provider';

/** Which registered targets pass the health check. */
export type HealthyTargets = 'ready-pods' | 'every-node' | 'nodes-with-local-endpoints';

/**
 * A hop that may cross availability zones when the targets span zones: from the load balancer node the client
 * reached to the target it picked, and from the node kube-proxy received the request on to the pod it chose.
 */
export type ZoneHop = 'load-balancer-to-target' | 'node-to-pod';

/** One hop of the path, from one box to the next. */
export interface PathHop {
  readonly from: string;
  readonly to: string;
  /** What happens on the way, e.g. `DNAT to a pod IP + SNAT to the node`. */
  readonly note?: string;
}

/** How the load balancer checks a target. */
export interface HealthCheckModel {
  /** `as configured` where the target group is defined outside the objects (a TargetGroupBinding). */
  readonly protocol: 'HTTP' | 'TCP' | 'as configured';
  /** The HTTP path. */
  readonly path?: string;
  /** The port the check goes to: a number, or a description where the objects do not fix it. */
  readonly port: number | string;
}

/** What the target group registers and how it decides health. */
export interface TargetGroupModel {
  readonly registers: 'pods' | 'nodes';
  /** Port targets receive traffic on: the pod's port for ip targets, the NodePort for instance targets. */
  readonly port: number | string;
  readonly healthCheck: HealthCheckModel;
  readonly healthyTargets: HealthyTargets;
}

/** The listener the client connects to. */
export interface ListenerModel {
  readonly protocol: 'HTTP' | 'TCP';
  readonly port: number;
}

/** The pods behind the path, as the objects declare them. */
export interface WorkloadModel {
  readonly namespace: string;
  /** The Deployment whose pods the Service selects. */
  readonly name: string;
  /** `spec.replicas`, 1 where unset (the Kubernetes default). */
  readonly replicas: number;
  /** The port the pods listen on behind the Service. */
  readonly containerPort: number;
  /** The Service's port. */
  readonly servicePort: number;
  /** The Service's NodePort, where the Service fixes one. */
  readonly nodePort?: number;
  /** `spec.healthCheckNodePort`, where the Service fixes one. */
  readonly healthCheckNodePort?: number;
}

/**
 * How the path's pods stop and how the target group lets them go, read from the objects: what a rollout or a node
 * drain costs rests on it.
 */
export interface ShutdownModel {
  /**
   * The pods carry the controller's target-health readiness gate: the namespace has the label
   * `elbv2.k8s.aws/pod-readiness-gate-inject: enabled` (the `mpod.elbv2.k8s.aws` webhook injects the gate into pods
   * created once a target group binds the Service) or the pod template declares it. Only ip targets have one.
   */
  readonly readinessGate: boolean;
  /** Seconds the first container's preStop hook waits before it stops the server; 0 without a hook or a sleep. */
  readonly preStopDelaySeconds: number;
  /**
   * How the server stops once the preStop delay is over: `graceful` (the hook sends nginx SIGQUIT, `nginx -s quit`:
   * no new connections, in-flight requests finish, keep-alive connections close), `fast` (SIGTERM, `nginx -s stop`:
   * every connection closed at once), or `sigterm` (no hook stops it: the kubelet's SIGTERM, taken as a fast stop).
   */
  readonly stop: 'graceful' | 'fast' | 'sigterm';
  /** `terminationGracePeriodSeconds`, 30 where unset (the Kubernetes default). */
  readonly terminationGracePeriodSeconds: number;
  /**
   * The target group's `deregistration_delay.timeout_seconds` from the target-group-attributes annotation, 300
   * where unset (the ELB default; also for a TargetGroupBinding, whose target group is defined outside the objects).
   */
  readonly deregistrationDelaySeconds: number;
  /** Whether the objects set the deregistration delay (a TargetGroupBinding's never does). */
  readonly deregistrationDelayFromObjects: boolean;
  /** The Deployment's rolling update, resolved against its replicas as the Deployment controller does (25% each by default). */
  readonly maxSurge: number;
  readonly maxUnavailable: number;
}

/** The expected path of one entry point. */
export interface ExpectedPath {
  /** `<kind>/<namespace>/<name>` of the object the path starts at, plus the backend Service for an Ingress. */
  readonly id: string;
  /** The kind of object the path starts at. */
  readonly entryPoint: 'Ingress' | 'Service' | 'TargetGroupBinding' | GatewayRouteKind;
  /** A Service without `loadBalancerClass` that the controller takes because its webhook sets the class on create. */
  readonly classFromWebhook: boolean;
  readonly loadBalancer: LoadBalancerKind;
  readonly provisioner: Provisioner;
  readonly targetType: PathTargetType;
  /** `externalTrafficPolicy` of the Service, for instance targets. */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  /** Where the objects (or the options, for a TargetGroupBinding) fix it. */
  readonly listener?: ListenerModel;
  readonly targetGroup: TargetGroupModel;
  readonly workload: WorkloadModel;
  readonly hops: readonly PathHop[];
  /** kube-proxy rewrites the destination (NodePort to a pod) on this path. */
  readonly kubeProxy: boolean;
  /** The load balancer opens its own connection or rewrites the source: the pod cannot see the client as its peer. */
  readonly loadBalancerRewritesSource: boolean;
  /** kube-proxy masquerades the source to the receiving node's address. */
  readonly nodeSnat: boolean;
  /** The pod's expected TCP peer. */
  readonly podPeer: PeerClass;
  /** Where the client's address is. */
  readonly clientIp: ClientIpLocation;
  /** For an NLB: `preserve_client_ip.enabled` of its target group. */
  readonly preserveClientIp?: boolean;
  /** The load balancer sends a PROXY protocol header ahead of each connection's data. */
  readonly proxyProtocol: boolean;
  /** The load balancer adds an `X-Forwarded-For` header. */
  readonly xForwardedFor: boolean;
  /** A request may enter on one node and be served by a pod on another. */
  readonly crossNode: boolean;
  /**
   * Each load balancer node may send to targets in every zone (cross-zone load balancing): the target group's
   * `load_balancing.cross_zone.enabled`, or the load balancer's where the target group defers to it
   * (`use_load_balancer_configuration`: always on for an ALB, off by default for an NLB).
   */
  readonly crossZone: boolean;
  /** The hops that may cross zones when nodes and pods span zones; empty when every hop stays in the client's zone. */
  readonly zoneHops: readonly ZoneHop[];
  /** `ipv6` when the target group is IPv6 (an IPv6 cluster's Service behind a dual-stack load balancer); absent for IPv4. */
  readonly ipFamily?: 'ipv6';
  /** Caveats in one line each. */
  readonly notes: readonly string[];
  /** How the pods stop and the target group lets them go. */
  readonly shutdown: ShutdownModel;
}

/** Facts about the cluster that the objects do not carry. */
export interface PathModelOptions {
  /**
   * The AWS Load Balancer Controller's `enableServiceMutatorWebhook` Helm value: on, it stamps
   * `loadBalancerClass: service.k8s.aws/nlb` on new LoadBalancer Services, so the controller takes them.
   * @default true - the chart's default
   */
  readonly enableServiceMutatorWebhook?: boolean;

  /**
   * Load balancer of each TargetGroupBinding's target group, by TargetGroupBinding name.
   * @default - 'ALB' for every TargetGroupBinding
   */
  readonly targetGroupLoadBalancers?: Readonly<Record<string, 'ALB' | 'NLB'>>;

  /**
   * `preserve_client_ip.enabled` of NLB target groups bound by TargetGroupBindings, by TargetGroupBinding name.
   * @default - the ELB default: off for ip targets, on for instance targets
   */
  readonly targetGroupPreserveClientIp?: Readonly<Record<string, boolean>>;

  /**
   * The listener in front of each TargetGroupBinding's target group, by TargetGroupBinding name.
   * @default - none: the listener is outside the objects
   */
  readonly targetGroupListeners?: Readonly<Record<string, ListenerModel>>;

  /**
   * Cross-zone load balancing of each TargetGroupBinding's target group, by TargetGroupBinding name.
   * @default - the ELB default: on for an ALB's target group, off for an NLB's
   */
  readonly targetGroupCrossZone?: Readonly<Record<string, boolean>>;
  /**
   * IP family of the cluster's Services. In an IPv6 cluster the controller makes IPv6 target groups: they need a
   * dual-stack load balancer and ip targets, and the clients the lab admits (IPv4 blocks) reach the pods translated.
   * @default 'ipv4'
   */
  readonly ipFamily?: 'ipv4' | 'ipv6';
}

/** The `ip-address-type` values that make a load balancer dual-stack, by kind. */
const DUAL_STACK: Readonly<Record<string, readonly string[]>> = {
  ALB: ['dualstack', 'dualstack-without-public-ipv4'],
  NLB: ['dualstack'],
};

/** Service annotations and fields the model reads. */
export const NLB_CLASS = 'service.k8s.aws/nlb';
export const NLB_TARGET_TYPE_ANNOTATION = NLB.targetType;
export const LB_TYPE_ANNOTATION = NLB.type;
export const TARGET_GROUP_ATTRIBUTES_ANNOTATION = NLB.targetGroupAttributes;
export const PROXY_PROTOCOL_ANNOTATION = NLB.proxyProtocol;
export const ALB_TARGET_TYPE_ANNOTATION = ALB.targetType;
export const ALB_HEALTHCHECK_PATH_ANNOTATION = ALB.healthcheckPath;
export const ALB_HEALTHCHECK_PORT_ANNOTATION = ALB.healthcheckPort;
export const ALB_LISTEN_PORTS_ANNOTATION = ALB.listenPorts;
export const ALB_TARGET_GROUP_ATTRIBUTES_ANNOTATION = ALB.targetGroupAttributes;
export const LB_ATTRIBUTES_ANNOTATION = NLB.attributes;
export const CROSS_ZONE_ANNOTATION = NLB.crossZone;
export const NLB_HEALTHCHECK_PORT_ANNOTATION = NLB.healthcheckPort;
export const NLB_HEALTHCHECK_PROTOCOL_ANNOTATION = NLB.healthcheckProtocol;
export const NLB_HEALTHCHECK_PATH_ANNOTATION = NLB.healthcheckPath;

/** An object the model cannot read (a missing backend Service, an unknown target type). */
export class PathModelError extends UserError {}

/** The expected path of every entry point in `objects`, in the order the objects come. */
export function expectedPaths(objects: readonly KubernetesObject[], options: PathModelOptions = {}): ExpectedPath[] {
  const services = objects.filter((o) => o.kind === 'Service');
  const findService = (namespace: string, name: string, from: string): KubernetesObject => {
    const svc = services.find((s) => (s.metadata?.name ?? '') === name && namespaceOf(s) === namespace);
    if (!svc) throw new PathModelError(`${from} sends to Service ${namespace}/${name}, which is not among the objects; pass it too.`);
    return svc;
  };
  const paths: ExpectedPath[] = [];
  for (const obj of objects) {
    if (obj.kind === 'Ingress' && isAlbIngress(obj)) {
      for (const backend of ingressBackends(obj)) {
        const svc = findService(namespaceOf(obj), backend, idOf(obj));
        paths.push(albPath(`${idOf(obj)} -> ${idOf(svc)}`, obj, svc, objects, options));
      }
    } else if (obj.kind === 'Service' && serviceSpec(obj).type === 'LoadBalancer') {
      paths.push(loadBalancerServicePath(obj, objects, options));
    } else if (isGatewayRoute(obj)) {
      paths.push(...gatewayRoutePaths(obj, objects, findService));
    } else if (obj.kind === 'TargetGroupBinding') {
      const svcName = tgbSpec(obj).serviceRef?.name;
      if (typeof svcName !== 'string') throw new PathModelError(`${idOf(obj)} has no spec.serviceRef.name.`);
      const svc = findService(namespaceOf(obj), svcName, idOf(obj));
      paths.push(targetGroupBindingPath(obj, svc, objects, options));
    }
  }
  return paths;
}

function albPath(id: string, ingress: KubernetesObject, svc: KubernetesObject, objects: readonly KubernetesObject[],
  options: PathModelOptions): ExpectedPath {
  // The controller lets a backend Service's alb.ingress.kubernetes.io annotations override the Ingress's.
  const annotations = { ...ingress.metadata?.annotations, ...svc.metadata?.annotations };
  const targetType = parseTargetType(annotations[ALB_TARGET_TYPE_ANNOTATION] ?? 'instance', idOf(ingress));
  const path = annotations[ALB_HEALTHCHECK_PATH_ANNOTATION] ?? '/';
  const hcPort = healthCheckPortOf(annotations[ALB_HEALTHCHECK_PORT_ANNOTATION], svc, targetType, id);
  // An ALB balances across zones at the load balancer level, always; only the target group can turn it off.
  const crossZone = parseAttributes(annotations[ALB_TARGET_GROUP_ATTRIBUTES_ANNOTATION] ?? '')[CROSS_ZONE_ATTRIBUTE] !== 'false';
  return build({
    id, entryPoint: 'Ingress', loadBalancer: 'ALB', provisioner: 'aws-load-balancer-controller', targetType, svc, objects, crossZone,
    targetGroupAttributes: parseAttributes(annotations[ALB.targetGroupAttributes] ?? ''),
    proxy: true, preserveClientIp: false, proxyProtocol: false, listener: albListener(annotations, idOf(ingress)),
    ipFamily: options.ipFamily, ipAddressType: annotations[ALB.ipAddressType],
    // No port, or `traffic-port` (the controller's default): the port the target receives traffic on.
    healthCheck: (port) => ({ protocol: 'HTTP', path, port: hcPort ?? port }),
  });
}

/**
 * The health-check port an annotation names, as the controller resolves it: undefined for `traffic-port` (or no
 * annotation), a number as is, and a name as the backend Service's port of that name: its NodePort for instance
 * targets, its numeric targetPort for ip targets.
 */
function healthCheckPortOf(raw: string | undefined, svc: KubernetesObject, targetType: PathTargetType, where: string): number | string | undefined {
  if (raw === undefined || raw === 'traffic-port') return undefined;
  if (/^[+-]?\d+$/.test(raw)) return Number(raw);
  const port = serviceSpec(svc).ports?.find((p) => p.name === raw);
  if (!port) {
    throw new PathModelError(`${where}: health-check port '${raw}' is not a port name of ${idOf(svc)}; a named health-check port ` +
      'must name one of the Service\'s ports.');
  }
  if (targetType === 'instance') return port.nodePort ?? 'an allocated NodePort';
  if (typeof port.targetPort === 'number') return port.targetPort;
  if (port.targetPort === undefined) return port.port;
  throw new PathModelError(`${where}: health-check port '${raw}' names a Service port whose targetPort is the name ` +
    `'${port.targetPort}'; the controller cannot use it for ip targets. Give the health-check port as a number.`);
}

function loadBalancerServicePath(svc: KubernetesObject, objects: readonly KubernetesObject[], options: PathModelOptions): ExpectedPath {
  const annotations = svc.metadata?.annotations ?? {};
  const webhook = options.enableServiceMutatorWebhook ?? true;
  const lbClass = serviceSpec(svc).loadBalancerClass;
  const lbType = annotations[LB_TYPE_ANNOTATION];
  const declaredTargetType = annotations[NLB_TARGET_TYPE_ANNOTATION];
  const notes: string[] = [];
  if (lbClass !== undefined && lbClass !== NLB_CLASS) {
    throw new PathModelError(`${idOf(svc)} has loadBalancerClass '${lbClass}', which neither the AWS Load Balancer Controller ` +
      `(${NLB_CLASS}) nor the in-tree cloud provider (no class) serves.`);
  }
  // Without a class (and no webhook to set one) the controller takes only nlb-ip, or external with a target type.
  const byAnnotation = lbType === 'nlb-ip' || (lbType === 'external' && (declaredTargetType === 'ip' || declaredTargetType === 'instance'));
  const classFromWebhook = lbClass === undefined && webhook;
  if (lbClass === undefined && !webhook && !byAnnotation) {
    const proxyProtocol = annotations[PROXY_PROTOCOL_ANNOTATION] === '*';
    // The in-tree provider reads only this annotation; its load balancers balance within each zone without it.
    const inTreeCrossZone = annotations[CROSS_ZONE_ANNOTATION] === 'true';
    if (lbType === 'external') {
      throw new PathModelError(`${idOf(svc)} has aws-load-balancer-type 'external' without aws-load-balancer-nlb-target-type ` +
        'and no loadBalancerClass, with enableServiceMutatorWebhook=false: the controller takes such a Service only with a ' +
        'target type of ip or instance, and the cloud provider leaves \'external\' to the controller, so no load balancer is ' +
        `made. Add ${NLB_TARGET_TYPE_ANNOTATION}, or set spec.loadBalancerClass to ${NLB_CLASS}.`);
    }
    if (lbType === 'nlb') {
      // The in-tree provider's NLB registers every node on the NodePort; instance target groups keep the client address.
      return build({
        id: idOf(svc), entryPoint: 'Service', loadBalancer: 'NLB', provisioner: 'in-tree-cloud-provider', targetType: 'instance',
        svc, objects, proxy: false, preserveClientIp: true, proxyProtocol, healthCheck: nlbHealthCheck, crossZone: inTreeCrossZone,
        notes: ['aws-load-balancer-type nlb, no loadBalancerClass and enableServiceMutatorWebhook=false: the in-tree cloud ' +
          'provider makes a Network Load Balancer with instance targets'],
      });
    }
    // The in-tree provider makes a Classic Load Balancer with TCP listeners on every node's NodePort.
    return build({
      id: idOf(svc), entryPoint: 'Service', loadBalancer: 'CLB', provisioner: 'in-tree-cloud-provider', targetType: 'instance',
      svc, objects, proxy: true, preserveClientIp: false, proxyProtocol, listener: serviceListener(svc), healthCheck: nlbHealthCheck,
      crossZone: inTreeCrossZone,
      notes: ['no loadBalancerClass and enableServiceMutatorWebhook=false: the in-tree cloud provider makes a Classic Load Balancer'],
    });
  }
  if (classFromWebhook) {
    notes.push(`no loadBalancerClass: the controller's webhook sets ${NLB_CLASS} on create (enableServiceMutatorWebhook=true)`);
  } else if (lbClass === undefined) {
    notes.push(`no loadBalancerClass: the controller takes it by its aws-load-balancer-type annotation '${lbType}'`);
  }
  if (lbType !== 'nlb-ip' && declaredTargetType === undefined) {
    notes.push('no aws-load-balancer-nlb-target-type: the controller\'s default target type, instance (--default-target-type)');
  }
  const targetType = lbType === 'nlb-ip' ? 'ip' : parseTargetType(declaredTargetType ?? 'instance', idOf(svc));
  const attributes = parseAttributes(annotations[TARGET_GROUP_ATTRIBUTES_ANNOTATION] ?? '');
  const preserve = attributes['preserve_client_ip.enabled'];
  const proxyProtocol = annotations[PROXY_PROTOCOL_ANNOTATION] === '*' || attributes['proxy_protocol_v2.enabled'] === 'true';
  const crossZone = nlbCrossZone(attributes[CROSS_ZONE_ATTRIBUTE], annotations);
  const hcPort = healthCheckPortOf(annotations[NLB_HEALTHCHECK_PORT_ANNOTATION], svc, targetType, idOf(svc));
  const hcProtocol = annotations[NLB_HEALTHCHECK_PROTOCOL_ANNOTATION]?.toUpperCase();
  const hcPath = annotations[NLB_HEALTHCHECK_PATH_ANNOTATION];
  const healthCheck = (port: number | string, etp: 'Cluster' | 'Local' | undefined, hcNodePort: number | string): HealthCheckModel => {
    const base = nlbHealthCheck(port, etp, hcNodePort);
    const protocol = hcProtocol === 'HTTP' || hcProtocol === 'TCP' ? hcProtocol : base.protocol;
    return {
      protocol, ...(protocol === 'TCP' ? {} : { path: hcPath ?? (etp === 'Local' ? '/healthz' : '/') }), port: hcPort ?? base.port,
    };
  };
  return build({
    id: idOf(svc), entryPoint: 'Service', classFromWebhook, loadBalancer: 'NLB', provisioner: 'aws-load-balancer-controller',
    targetType, svc, objects, proxy: false, proxyProtocol, healthCheck, notes, listener: serviceListener(svc), targetGroupAttributes: attributes, crossZone,
    preserveClientIp: preserve === undefined ? targetType === 'instance' : preserve === 'true',
    ipFamily: options.ipFamily, ipAddressType: annotations[NLB.ipAddressType],
  });
}

function targetGroupBindingPath(tgb: KubernetesObject, svc: KubernetesObject, objects: readonly KubernetesObject[], options: PathModelOptions): ExpectedPath {
  const name = tgb.metadata?.name ?? '';
  const targetType = parseTargetType(tgbSpec(tgb).targetType ?? '', idOf(tgb));
  const lb = options.targetGroupLoadBalancers?.[name] ?? 'ALB';
  const preserve = options.targetGroupPreserveClientIp?.[name];
  const crossZone = options.targetGroupCrossZone?.[name] ?? lb === 'ALB';
  const common = {
    id: `${idOf(tgb)} -> ${idOf(svc)}`, entryPoint: 'TargetGroupBinding' as const,
    provisioner: 'aws-load-balancer-controller' as const, targetType, svc, objects, listener: options.targetGroupListeners?.[name], crossZone,
  };
  const notes = ['the target group and its health check are defined outside the cluster; the controller only registers targets'];
  return lb === 'ALB'
    ? build({ ...common, loadBalancer: 'ALB', proxy: true, preserveClientIp: false, proxyProtocol: false, notes,
      healthCheck: (port) => ({ protocol: 'as configured', port }) })
    : build({ ...common, loadBalancer: 'NLB', proxy: false, preserveClientIp: preserve ?? targetType === 'instance',
      proxyProtocol: false, notes, healthCheck: nlbHealthCheck });
}

/**
 * An NLB target group's cross-zone load balancing: its own attribute when `true` or `false`; otherwise
 * (`use_load_balancer_configuration`, the default) the load balancer's, which the controller takes from the
 * `aws-load-balancer-attributes` annotation or the older cross-zone annotation, off where neither says.
 */
function nlbCrossZone(targetGroup: string | undefined, annotations: Readonly<Record<string, string>>): boolean {
  if (targetGroup === 'true' || targetGroup === 'false') return targetGroup === 'true';
  const lb = parseAttributes(annotations[LB_ATTRIBUTES_ANNOTATION] ?? '')[CROSS_ZONE_ATTRIBUTE] ?? annotations[CROSS_ZONE_ANNOTATION];
  return lb === 'true';
}

/** The Gateway API routes the model follows: HTTPRoute on an ALB Gateway, TCPRoute on an NLB Gateway. */
export type GatewayRouteKind = 'HTTPRoute' | 'TCPRoute';

/** GatewayClass controller names of the AWS Load Balancer Controller, and the load balancer each stands for. */
const GATEWAY_CONTROLLERS: Readonly<Record<string, 'ALB' | 'NLB'>> = { [GATEWAY_CONTROLLER.ALB]: 'ALB', [GATEWAY_CONTROLLER.NLB]: 'NLB' };

/** The listener protocols a route kind attaches to (the controller's defaults when a listener lists no allowed kinds). */
const ROUTE_LISTENER_PROTOCOLS: Readonly<Record<GatewayRouteKind, readonly string[]>> = { HTTPRoute: ['HTTP', 'HTTPS'], TCPRoute: ['TCP', 'TLS'] };

/** The load balancer that serves each route kind. */
const ROUTE_LOAD_BALANCER: Readonly<Record<GatewayRouteKind, 'ALB' | 'NLB'>> = { HTTPRoute: 'ALB', TCPRoute: 'NLB' };

const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
const GATEWAY_K8S_AWS_GROUP = 'gateway.k8s.aws';

interface RouteSpecView {
  readonly parentRefs?: readonly { readonly name?: string; readonly namespace?: string; readonly sectionName?: string; readonly kind?: string }[];
  readonly rules?: readonly { readonly backendRefs?: readonly { readonly name?: string; readonly namespace?: string; readonly kind?: string;
    readonly group?: string }[] }[];
}

interface GatewaySpecView {
  readonly gatewayClassName?: string;
  readonly infrastructure?: { readonly parametersRef?: { readonly group?: string; readonly kind?: string; readonly name?: string } };
  readonly listeners?: readonly { readonly name?: string; readonly protocol?: string; readonly port?: number }[];
}

interface TargetGroupPropsView {
  readonly targetType?: string;
  readonly targetGroupAttributes?: readonly { readonly key?: string; readonly value?: string }[];
  readonly healthCheckConfig?: { readonly healthCheckPath?: string; readonly healthCheckPort?: string; readonly healthCheckProtocol?: string };
}

interface TargetGroupConfigurationSpecView {
  readonly targetReference?: { readonly name?: string; readonly kind?: string; readonly group?: string };
  readonly defaultConfiguration?: TargetGroupPropsView;
}

const isGatewayRoute = (o: KubernetesObject): boolean => (o.kind === 'HTTPRoute' || o.kind === 'TCPRoute')
  && (o.apiVersion ?? '').startsWith(`${GATEWAY_API_GROUP}/`);
const groupOf = (o: KubernetesObject): string => (o.apiVersion ?? '').split('/')[0];

/**
 * The paths of an HTTPRoute or TCPRoute: for each parent Gateway the controller serves, one per backend Service. The
 * load balancer comes from the GatewayClass's controller name, the listener from the parentRef's sectionName (or the
 * first listener the route kind attaches to), and the target type from the TargetGroupConfiguration that targets the
 * Service, over the one the Gateway's LoadBalancerConfiguration names as default (field by field), else the
 * controller's default (`instance`).
 */
function gatewayRoutePaths(route: KubernetesObject, objects: readonly KubernetesObject[],
  findService: (namespace: string, name: string, from: string) => KubernetesObject): ExpectedPath[] {
  const kind = route.kind as GatewayRouteKind;
  const spec: RouteSpecView = route.spec ?? {};
  const find = (k: string, group: string, namespace: string | undefined, name: string | undefined) => objects.find((o) => o.kind === k
    && groupOf(o) === group && o.metadata?.name === name && (namespace === undefined || namespaceOf(o) === namespace));
  const paths: ExpectedPath[] = [];
  for (const parent of spec.parentRefs ?? []) {
    if ((parent.kind ?? 'Gateway') !== 'Gateway') continue;
    const gwNamespace = parent.namespace ?? namespaceOf(route);
    const gateway = find('Gateway', GATEWAY_API_GROUP, gwNamespace, parent.name);
    if (!gateway) throw new PathModelError(`${idOf(route)} attaches to Gateway ${gwNamespace}/${parent.name ?? ''}, which is not among the objects; pass it too.`);
    const gwSpec: GatewaySpecView = gateway.spec ?? {};
    const gatewayClass = find('GatewayClass', GATEWAY_API_GROUP, undefined, gwSpec.gatewayClassName);
    const controllerName = (gatewayClass?.spec as { controllerName?: string } | undefined)?.controllerName;
    const lb = controllerName === undefined ? undefined : GATEWAY_CONTROLLERS[controllerName];
    if (!lb) {
      throw new PathModelError(`${idOf(gateway)} has GatewayClass '${gwSpec.gatewayClassName ?? ''}'` +
        `${gatewayClass ? ` of controller '${controllerName ?? ''}'` : ', which is not among the objects'}; the AWS Load Balancer ` +
        `Controller serves ${Object.keys(GATEWAY_CONTROLLERS).join(' and ')}.`);
    }
    if (lb !== ROUTE_LOAD_BALANCER[kind]) {
      throw new PathModelError(`${idOf(route)} is ${kind === 'HTTPRoute' ? 'an' : 'a'} ${kind} on ${idOf(gateway)}, an ${lb} Gateway; the controller serves ${kind}s on ` +
        `${ROUTE_LOAD_BALANCER[kind]} Gateways only.`);
    }
    const listener = (gwSpec.listeners ?? []).find((l) => (parent.sectionName === undefined || l.name === parent.sectionName)
      && ROUTE_LISTENER_PROTOCOLS[kind].includes(l.protocol ?? ''));
    if (!listener || typeof listener.port !== 'number') {
      throw new PathModelError(`${idOf(route)} finds no ${ROUTE_LISTENER_PROTOCOLS[kind].join(' or ')} listener` +
        `${parent.sectionName !== undefined ? ` named '${parent.sectionName}'` : ''} on ${idOf(gateway)}.`);
    }
    const lbConfigName = gwSpec.infrastructure?.parametersRef?.kind === 'LoadBalancerConfiguration'
      ? gwSpec.infrastructure.parametersRef.name : undefined;
    const lbConfig = find('LoadBalancerConfiguration', GATEWAY_K8S_AWS_GROUP, namespaceOf(gateway), lbConfigName);
    const defaultTgcName = (lbConfig?.spec as { defaultTargetGroupConfiguration?: { name?: string } } | undefined)?.defaultTargetGroupConfiguration?.name;
    const backends = (spec.rules ?? []).flatMap((r) => r.backendRefs ?? [])
      .filter((b) => (b.kind ?? 'Service') === 'Service' && (b.group ?? '') === '');
    const seen = new Set<string>();
    for (const backend of backends) {
      const svcNamespace = backend.namespace ?? namespaceOf(route);
      if (typeof backend.name !== 'string' || seen.has(`${svcNamespace}/${backend.name}`)) continue;
      seen.add(`${svcNamespace}/${backend.name}`);
      const svc = findService(svcNamespace, backend.name, idOf(route));
      const targeting = objects.find((o) => o.kind === 'TargetGroupConfiguration' && groupOf(o) === GATEWAY_K8S_AWS_GROUP
        && namespaceOf(o) === svcNamespace && (o.spec as TargetGroupConfigurationSpecView | undefined)?.targetReference?.name === backend.name
        && ((o.spec as TargetGroupConfigurationSpecView).targetReference?.kind ?? 'Service') === 'Service');
      const gatewayDefault = find('TargetGroupConfiguration', GATEWAY_K8S_AWS_GROUP, namespaceOf(gateway), defaultTgcName);
      const tgc = targeting ?? gatewayDefault;
      const propsOf = (o: KubernetesObject | undefined): TargetGroupPropsView => (o?.spec as TargetGroupConfigurationSpecView | undefined)?.defaultConfiguration ?? {};
      // The Service's own configuration overrides the Gateway's default one field by field.
      const props: TargetGroupPropsView = { ...propsOf(gatewayDefault), ...propsOf(targeting) };
      const notes = props.targetType === undefined
        ? ['no targetType in a TargetGroupConfiguration: the controller\'s default target type, instance (--default-target-type)'] : [];
      const id = `${idOf(route)} -> ${idOf(svc)}`;
      const targetType = parseTargetType(props.targetType ?? 'instance', tgc ? idOf(tgc) : id);
      const attributes = Object.fromEntries((props.targetGroupAttributes ?? []).map((a) => [a.key ?? '', a.value ?? '']));
      const hc = props.healthCheckConfig ?? {};
      const hcPort = healthCheckPortOf(hc.healthCheckPort, svc, targetType, id);
      // The target group's own cross-zone attribute, else the ELB default: on for an ALB's, off for an NLB's.
      const crossZoneAttribute = attributes[CROSS_ZONE_ATTRIBUTE];
      const crossZone = crossZoneAttribute === 'true' || crossZoneAttribute === 'false' ? crossZoneAttribute === 'true' : lb === 'ALB';
      const common = {
        id, entryPoint: kind, provisioner: 'aws-load-balancer-controller' as const, targetType, svc, objects, notes, crossZone,
        listener: { protocol: kind === 'HTTPRoute' ? 'HTTP' as const : 'TCP' as const, port: listener.port },
      };
      paths.push(lb === 'ALB'
        // The ALB's target groups health-check HTTP on the traffic port, `/` unless the configuration says otherwise.
        ? build({ ...common, loadBalancer: 'ALB', proxy: true, preserveClientIp: false, proxyProtocol: false,
          healthCheck: (port) => ({ protocol: 'HTTP', path: hc.healthCheckPath ?? '/', port: hcPort ?? port }) })
        : build({ ...common, loadBalancer: 'NLB', proxy: false,
          preserveClientIp: attributes[TG_ATTRIBUTE.preserveClientIp] === undefined ? targetType === 'instance'
            : attributes[TG_ATTRIBUTE.preserveClientIp] === 'true',
          proxyProtocol: attributes[TG_ATTRIBUTE.proxyProtocolV2] === 'true',
          healthCheck: (port, etp, hcNodePort) => {
            const base = nlbHealthCheck(port, etp, hcNodePort);
            const protocol = hc.healthCheckProtocol === 'HTTP' || hc.healthCheckProtocol === 'TCP' ? hc.healthCheckProtocol : base.protocol;
            return { protocol, ...(protocol === 'TCP' ? {} : { path: hc.healthCheckPath ?? base.path ?? '/' }), port: hcPort ?? base.port };
          } }));
    }
  }
  return paths;
}

/** NLB and CLB: TCP to the traffic port, or HTTP to kube-proxy's health-check node port for a `Local` Service. */
function nlbHealthCheck(port: number | string, etp: 'Cluster' | 'Local' | undefined, hcNodePort: number | string): HealthCheckModel {
  return etp === 'Local' ? { protocol: 'HTTP', path: '/healthz', port: hcNodePort } : { protocol: 'TCP', port };
}

/** The ALB's listener: the first entry of `listen-ports`, or HTTP 80 (the controller's default). */
function albListener(annotations: Readonly<Record<string, string>>, where: string): ListenerModel {
  const text = annotations[ALB_LISTEN_PORTS_ANNOTATION];
  if (text === undefined) return { protocol: 'HTTP', port: 80 };
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    throw new PathModelError(`${where} has listen-ports that are not JSON: ${text}`);
  }
  const first = Array.isArray(entries) && typeof entries[0] === 'object' && entries[0] !== null ? Object.entries(entries[0])[0] : undefined;
  if (!first || typeof first[1] !== 'number') throw new PathModelError(`${where} has listen-ports without a port: ${text}`);
  // The model follows plain HTTP; an HTTPS listener ends TLS at the ALB and forwards the same way.
  return { protocol: 'HTTP', port: first[1] };
}

/** A LoadBalancer Service's listener: TCP on its first port. */
function serviceListener(svc: KubernetesObject): ListenerModel | undefined {
  const port = serviceSpec(svc).ports?.[0]?.port;
  return typeof port === 'number' ? { protocol: 'TCP', port } : undefined;
}

interface BuildInput {
  readonly id: string;
  readonly entryPoint: ExpectedPath['entryPoint'];
  readonly classFromWebhook?: boolean;
  readonly loadBalancer: LoadBalancerKind;
  readonly provisioner: Provisioner;
  readonly targetType: PathTargetType;
  readonly svc: KubernetesObject;
  readonly objects: readonly KubernetesObject[];
  /** The load balancer ends the client's connection and opens its own (ALB, CLB). */
  readonly proxy: boolean;
  /** For a pass-through load balancer (NLB): the client's address stays the source. */
  readonly preserveClientIp: boolean;
  readonly proxyProtocol: boolean;
  readonly listener?: ListenerModel;
  readonly healthCheck: (port: number | string, etp: 'Cluster' | 'Local' | undefined, hcNodePort: number | string) => HealthCheckModel;
  readonly notes?: readonly string[];
  /** The target group's attributes, where the objects set them. */
  readonly targetGroupAttributes?: Readonly<Record<string, string>>;
  /** Load balancer nodes send to targets in every zone. */
  readonly crossZone: boolean;
  /** The cluster's IP family, for Services the controller serves. */
  readonly ipFamily?: 'ipv4' | 'ipv6';
  /** The load balancer's `ip-address-type` annotation. */
  readonly ipAddressType?: string;
  /** Preservation is on, but the traffic is translated between families, where it has no effect. */
  readonly translatedPreservation?: boolean;
}

/**
 * An IPv6 Service's path as the controller and ELB take it: ip targets only, behind a dual-stack load balancer, and an
 * NLB's client IP preservation has no effect on the IPv4 clients it translates to the IPv6 targets.
 */
function ipv6Input(input: BuildInput): BuildInput {
  if (input.ipFamily !== 'ipv6') return input;
  if (input.targetType === 'instance') {
    throw new PathModelError(`${input.id}: instance targets cannot serve an IPv6 cluster: EKS load balances to IPv6 pods with ` +
      'ip targets only, not instance targets.');
  }
  const lb = input.loadBalancer;
  if (input.entryPoint !== 'TargetGroupBinding' && !(DUAL_STACK[lb] ?? []).includes(input.ipAddressType ?? 'ipv4')) {
    throw new PathModelError(`${input.id}: the controller refuses an IPv6 Service behind an IPv4-only ${lb} ("unsupported IPv6 ` +
      `configuration, lb not dual-stack"); set ${lb === 'ALB' ? ALB.ipAddressType : NLB.ipAddressType} to dualstack.`);
  }
  const notes = [...input.notes ?? [], `IPv6 target group: the ${lb} reaches the pods at their IPv6 addresses`];
  if (lb === 'NLB' && input.preserveClientIp) {
    notes.push('IPv4 clients are translated to the IPv6 targets, and preservation has no effect on translated traffic: the ' +
      'pod sees the NLB\'s IPv6 address (an IPv6 client would keep its own)');
    return { ...input, preserveClientIp: false, translatedPreservation: true, notes };
  }
  return { ...input, notes };
}

function build(given: BuildInput): ExpectedPath {
  const input = ipv6Input(given);
  const { svc, targetType, loadBalancer: lb } = input;
  const type = serviceSpec(svc).type;
  if (targetType === 'instance' && type !== 'NodePort' && type !== 'LoadBalancer') {
    throw new PathModelError(`${input.id}: instance targets need a NodePort or LoadBalancer Service; ${idOf(svc)} is ${type ?? 'ClusterIP'}.`);
  }
  const notes = [...input.notes ?? []];
  const rewrites = input.proxy || !input.preserveClientIp;
  const lbPeer: PeerClass = rewrites ? 'load-balancer' : 'client';
  const origin = {
    id: input.id, entryPoint: input.entryPoint, classFromWebhook: input.classFromWebhook ?? false,
    ...(input.listener ? { listener: input.listener } : {}), workload: workloadOf(svc, input.objects, input.id),
  };
  const extra = {
    proxyProtocol: input.proxyProtocol,
    ...(lb === 'NLB' ? { preserveClientIp: input.translatedPreservation ? true : input.preserveClientIp } : {}),
    ...(input.ipFamily === 'ipv6' ? { ipFamily: 'ipv6' as const } : {}),
    shutdown: shutdownOf(input, origin.workload),
  };
  const zoneHops = (crossNode: boolean): ZoneHop[] => [
    ...(input.crossZone ? ['load-balancer-to-target' as const] : []), ...(crossNode ? ['node-to-pod' as const] : []),
  ];
  const clientIp: ClientIpLocation = input.proxyProtocol ? 'proxy-protocol'
    : lb === 'ALB' ? 'x-forwarded-for'
      : rewrites ? 'none' : 'tcp-source';
  if (targetType === 'ip') {
    const port = origin.workload.containerPort;
    return {
      ...origin, loadBalancer: lb, provisioner: input.provisioner, targetType,
      targetGroup: { registers: 'pods', port, healthCheck: input.healthCheck(port, undefined, port), healthyTargets: 'ready-pods' },
      hops: [
        { from: 'client', to: lb },
        { from: lb, to: 'pod', note: `to the pod IP :${port}, no kube-proxy` },
      ],
      kubeProxy: false, loadBalancerRewritesSource: rewrites, nodeSnat: false, ...extra,
      podPeer: lbPeer, clientIp: finalClientIp(clientIp, lbPeer), xForwardedFor: lb === 'ALB', crossNode: false,
      crossZone: input.crossZone, zoneHops: zoneHops(false), notes,
    };
  }
  const spec = serviceSpec(svc);
  const etp: 'Cluster' | 'Local' = spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster';
  const nodePort = spec.ports?.[0]?.nodePort ?? 'an allocated NodePort';
  const hcNodePort = spec.healthCheckNodePort ?? 'healthCheckNodePort';
  const local = etp === 'Local';
  const podPeer: PeerClass = local ? lbPeer : 'node';
  if (lb === 'NLB' && input.proxyProtocol && local) {
    notes.push('proxy protocol v2 with instance targets and Local: the HTTP health check to the healthCheckNodePort does not speak PROXY protocol, the controller documents this combination as unsupported');
  }
  if (!local && clientIp === 'tcp-source') notes.push('the NLB preserves the client address, but kube-proxy masquerades it to the node: the pod cannot see the client');
  return {
    ...origin, loadBalancer: lb, provisioner: input.provisioner, targetType, externalTrafficPolicy: etp,
    targetGroup: {
      registers: 'nodes', port: nodePort, healthCheck: input.healthCheck(nodePort, etp, hcNodePort),
      healthyTargets: local ? 'nodes-with-local-endpoints' : 'every-node',
    },
    hops: local
      ? [
        { from: 'client', to: lb },
        { from: lb, to: 'node', note: `node${onPort(nodePort)}, only nodes with a local endpoint pass the health check` },
        { from: 'node', to: 'pod', note: 'kube-proxy DNAT to a local pod, source kept' },
      ]
      : [
        { from: 'client', to: lb },
        { from: lb, to: 'node', note: `any node${onPort(nodePort)}` },
        { from: 'node', to: 'pod', note: 'kube-proxy DNAT to any pod, maybe on another node; SNAT to the node' },
      ],
    kubeProxy: true, loadBalancerRewritesSource: rewrites, nodeSnat: !local, ...extra,
    podPeer, clientIp: finalClientIp(clientIp, podPeer), xForwardedFor: lb === 'ALB', crossNode: !local,
    crossZone: input.crossZone, zoneHops: zoneHops(!local), notes,
  };
}

/** The ELB's default `deregistration_delay.timeout_seconds`. */
export const DEFAULT_DEREGISTRATION_DELAY_SECONDS = 300;
/** Kubernetes' default `terminationGracePeriodSeconds`. */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;

function shutdownOf(input: BuildInput, workload: WorkloadModel): ShutdownModel {
  const deployment = input.objects.find((o) => o.kind === 'Deployment' && namespaceOf(o) === workload.namespace && o.metadata?.name === workload.name);
  const spec = deploymentSpec(deployment ?? { kind: 'Deployment' });
  const pod = spec.template?.spec;
  const namespace = input.objects.find((o) => o.kind === 'Namespace' && o.metadata?.name === workload.namespace);
  // The webhook injects the gate only for ip target groups (pkg/inject/pod_readiness/pod_readiness_gate.go skips other types).
  const gate = input.provisioner === 'aws-load-balancer-controller' && input.targetType === 'ip'
    && (namespace?.metadata?.labels?.[READINESS_GATE_INJECT_LABEL] === 'enabled'
      || (pod?.readinessGates ?? []).some((g) => g.conditionType?.startsWith(TARGET_HEALTH_CONDITION_PREFIX) === true));
  const preStop = pod?.containers?.[0]?.lifecycle?.preStop;
  const command = (preStop?.exec?.command ?? []).join(' ');
  const sleep = preStop?.sleep?.seconds ?? Number(/\bsleep\s+(\d+)/.exec(command)?.[1] ?? 0);
  const stop = /\bnginx\s+-s\s+quit\b/.test(command) ? 'graceful' : /\bnginx\s+-s\s+stop\b/.test(command) ? 'fast' : 'sigterm';
  const delay = input.targetGroupAttributes?.['deregistration_delay.timeout_seconds'];
  const delaySeconds = delay !== undefined && /^\d+$/.test(delay) ? Number(delay) : undefined;
  const replicas = workload.replicas;
  const rolling = spec.strategy?.type === 'Recreate' ? { maxSurge: 0, maxUnavailable: '100%' } : spec.strategy?.rollingUpdate ?? {};
  const maxSurge = resolveCount(rolling.maxSurge ?? '25%', replicas, Math.ceil);
  const maxUnavailable = resolveCount(rolling.maxUnavailable ?? '25%', replicas, Math.floor);
  return {
    readinessGate: gate,
    preStopDelaySeconds: sleep,
    stop,
    terminationGracePeriodSeconds: pod?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
    deregistrationDelaySeconds: delaySeconds ?? DEFAULT_DEREGISTRATION_DELAY_SECONDS,
    deregistrationDelayFromObjects: delaySeconds !== undefined,
    maxSurge,
    // Both zero would stall a rollout; the Deployment controller then lets one pod be unavailable.
    maxUnavailable: maxSurge === 0 && maxUnavailable === 0 ? 1 : maxUnavailable,
  };
}

/** A rolling update's count or percentage of `replicas`: percentages round up for the surge, down for unavailability. */
function resolveCount(value: number | string, replicas: number, round: (n: number) => number): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  return m ? round((Number(m[1]) * replicas) / 100) : Number(value) || 0;
}

/** `:30080`, or ` (an allocated NodePort)` where the Service does not fix it. */
function onPort(port: number | string): string {
  return typeof port === 'number' ? `:${port}` : ` (${port})`;
}

/** A client address carried as the TCP source only survives if nothing on the way rewrote it. */
function finalClientIp(location: ClientIpLocation, podPeer: PeerClass): ClientIpLocation {
  return location === 'tcp-source' && podPeer !== 'client' ? 'none' : location;
}

/**
 * The pods a Service sends to: the Deployment in its namespace whose pod labels its selector matches (the only one
 * there, where the Service has no selector), and the port the pods listen on behind the Service's first port (a
 * named targetPort is looked up in the pods).
 */
function workloadOf(svc: KubernetesObject, objects: readonly KubernetesObject[], where: string): WorkloadModel {
  const spec = serviceSpec(svc);
  const selector = Object.entries(spec.selector ?? {});
  const candidates = objects.filter((o) => o.kind === 'Deployment' && namespaceOf(o) === namespaceOf(svc));
  const deployment = candidates.find((o) => {
    const labels = deploymentSpec(o).template?.metadata?.labels ?? {};
    return selector.length > 0 && selector.every(([k, v]) => labels[k] === v);
  }) ?? (selector.length === 0 && candidates.length === 1 ? candidates[0] : undefined);
  if (!deployment) throw new PathModelError(`${where}: no Deployment among the objects has the pods ${idOf(svc)} selects; pass it too.`);
  const port = spec.ports?.[0];
  const target = port?.targetPort ?? port?.port;
  let containerPort: number | undefined = typeof target === 'number' ? target
    : typeof target === 'string' && /^\d+$/.test(target) ? Number(target) : undefined;
  for (const c of containerPort === undefined ? deploymentSpec(deployment).template?.spec?.containers ?? [] : []) {
    containerPort ??= (c.ports ?? []).find((p) => p.name === target)?.containerPort;
  }
  if (containerPort === undefined || typeof port?.port !== 'number') {
    throw new PathModelError(`${where}: ${idOf(svc)} has no numeric port, or its target port ${JSON.stringify(target)} names no container port.`);
  }
  return {
    namespace: namespaceOf(deployment),
    name: deployment.metadata?.name ?? '',
    replicas: deploymentSpec(deployment).replicas ?? 1,
    containerPort,
    servicePort: port.port,
    ...(typeof port.nodePort === 'number' ? { nodePort: port.nodePort } : {}),
    ...(typeof spec.healthCheckNodePort === 'number' ? { healthCheckNodePort: spec.healthCheckNodePort } : {}),
  };
}

function parseTargetType(value: string, where: string): PathTargetType {
  if (value === 'ip' || value === 'instance') return value;
  throw new PathModelError(`${where} has target type '${value}'; the model knows 'ip' and 'instance'.`);
}

function parseAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

function isAlbIngress(obj: KubernetesObject): boolean {
  return ingressSpec(obj).ingressClassName === 'alb' || obj.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION] === 'alb';
}

function ingressBackends(ingress: KubernetesObject): string[] {
  const names: string[] = [];
  const add = (backend: BackendView | undefined) => {
    const name = backend?.service?.name;
    if (typeof name === 'string' && !names.includes(name)) names.push(name);
  };
  const spec = ingressSpec(ingress);
  add(spec.defaultBackend);
  for (const rule of spec.rules ?? []) for (const p of rule.http?.paths ?? []) add(p.backend);
  return names;
}

function namespaceOf(obj: KubernetesObject): string {
  return obj.metadata?.namespace ?? 'default';
}

function idOf(obj: KubernetesObject): string {
  return `${obj.kind}/${namespaceOf(obj)}/${obj.metadata?.name ?? ''}`;
}

/** Column headings of {@link pathTable}. */
export const PATH_TABLE_COLUMNS = [
  'path', 'target registered', 'health check passes', 'hops', 'kube-proxy', 'SNAT', "pod's TCP peer", 'client IP',
] as const;

/** One human-readable row per path, in the order of {@link PATH_TABLE_COLUMNS}. */
export function pathTable(paths: readonly ExpectedPath[]): string[][] {
  return paths.map((p) => [
    describePath(p),
    registeredText(p.targetGroup),
    HEALTHY[p.targetGroup.healthyTargets],
    hopsText(p),
    p.kubeProxy ? 'DNAT' : 'no',
    snatText(p),
    PEER[p.podPeer],
    CLIENT_IP[p.clientIp],
  ]);
}

/** `ALB ip`, `ALB instance, Local`, `NLB ip, preservation on`, `ALB ip, TargetGroupBinding`, ... */
export function describePath(p: ExpectedPath): string {
  const parts = [`${p.loadBalancer} ${p.targetType}`];
  if (p.externalTrafficPolicy) parts.push(p.externalTrafficPolicy);
  if (p.preserveClientIp !== undefined) parts.push(`preservation ${p.preserveClientIp ? 'on' : 'off'}`);
  if (p.proxyProtocol) parts.push('proxy protocol');
  // Only a departure from the load balancer type's default is named.
  if (p.crossZone !== (p.loadBalancer === 'ALB')) parts.push(`cross-zone ${p.crossZone ? 'on' : 'off'}`);
  if (p.entryPoint === 'TargetGroupBinding') parts.push('TargetGroupBinding');
  if (p.entryPoint === 'HTTPRoute' || p.entryPoint === 'TCPRoute') parts.push(`Gateway API ${p.entryPoint}`);
  if (p.classFromWebhook) parts.push('no class, set by the webhook');
  if (p.provisioner === 'in-tree-cloud-provider') parts.push('no class, in-tree cloud provider');
  if (p.ipFamily === 'ipv6') parts.push('IPv6');
  return parts.join(', ');
}

/** The table as GitHub markdown. */
export function pathTableMarkdown(paths: readonly ExpectedPath[]): string {
  const rows = [PATH_TABLE_COLUMNS as readonly string[], PATH_TABLE_COLUMNS.map(() => '---'), ...pathTable(paths)];
  return rows.map((r) => `| ${r.join(' | ')} |`).join('\n') + '\n';
}

/** `pod IPs :8080`, `every node :30080`, `every node, an allocated NodePort`. */
function registeredText(tg: TargetGroupModel): string {
  const what = tg.registers === 'pods' ? 'pod IPs' : 'every node';
  return typeof tg.port === 'number' ? `${what} :${tg.port}` : `${what}, ${tg.port}`;
}

function hopsText(p: ExpectedPath): string {
  return p.hops.map((h, i) => (i === 0 ? h.from : '')).join('') + p.hops.map((h) => ` → ${h.to}`).join('');
}

function snatText(p: ExpectedPath): string {
  if (p.nodeSnat) return 'to the node (kube-proxy)';
  if (p.loadBalancerRewritesSource) return `${p.loadBalancer} is the source`;
  return 'none';
}

/** Which hops may cross zones, as a reader puts it: `load balancer → target, node → pod`, or `none`. */
export function zoneHopsText(p: ExpectedPath): string {
  return p.zoneHops.length === 0 ? 'none' : p.zoneHops.map((h) => ZONE_HOP[h]).join(', ');
}

const ZONE_HOP: Record<ZoneHop, string> = {
  'load-balancer-to-target': 'load balancer → target',
  'node-to-pod': 'node → pod',
};

const PEER: Record<PeerClass, string> = {
  'load-balancer': 'a load balancer address',
  'node': 'a node address',
  'client': 'the client',
};

const CLIENT_IP: Record<ClientIpLocation, string> = {
  'x-forwarded-for': 'X-Forwarded-For',
  'tcp-source': 'TCP source address',
  'proxy-protocol': 'PROXY protocol header',
  'none': 'lost',
};

const HEALTHY: Record<HealthyTargets, string> = {
  'ready-pods': 'ready pods',
  'every-node': 'every node',
  'nodes-with-local-endpoints': 'nodes with a local endpoint',
};
