import { Duration, Token } from 'aws-cdk-lib';
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-29';
import { Construct } from 'constructs';
import { LabValidationError } from '../errors';
import {
  EchoPodProps, EchoShutdown, EchoStopSignal, EchoWorkloadSurface, echoDeployment, echoPodSettings, requireNodePort, requireWorkloadNames, workloadLabels,
} from './echo-pod';
import { albAnnotationProblem } from '../private/alb-annotations';
import { ALB, CROSS_ZONE_ATTRIBUTE, READINESS_GATE_INJECT_LABEL } from '../private/annotations';
import { requireCidrList, requireInteger, requireOneOf, requireRuleCount, show } from '../private/validate';

/** How the ALB registers targets: pod IPs (`ip`) or nodes on the Service's NodePort (`instance`). */
export type TargetType = 'ip' | 'instance';

/** Kubernetes Service type in front of the echo pods. */
export type LabServiceType = 'ClusterIP' | 'NodePort';

/** Whether a NodePort forwards to endpoints on any node (`Cluster`, with SNAT) or only its own (`Local`). */
export type ExternalTrafficPolicy = 'Cluster' | 'Local';

/**
 * The target group attribute `load_balancing.cross_zone.enabled`: whether each load balancer node sends to targets in
 * every zone (`true`), only in its own (`false`), or as the load balancer says (`use_load_balancer_configuration`,
 * the ELB default: always on for an ALB, off unless turned on for an NLB).
 */
export type CrossZoneLoadBalancing = 'true' | 'false' | 'use_load_balancer_configuration';

/** The values of {@link CrossZoneLoadBalancing}, as ELB takes them. */
export const CROSS_ZONE_VALUES: readonly CrossZoneLoadBalancing[] = ['true', 'false', 'use_load_balancer_configuration'];

/** Whether the ALB faces the internet or only the VPC. */
export type AlbScheme = 'internet-facing' | 'internal';

export { ECHO_IMAGE, ECHO_PORT, NODE_PORT_RANGE, RESERVED_NAMESPACES } from './echo-pod';
export type { EchoPodProps, EchoShutdown, EchoStopSignal } from './echo-pod';


/** Ingress annotations the chart sets from its props; `annotations` may not set them. */
const ANNOTATIONS_FROM_PROPS: Readonly<Record<string, string>> = {
  'target-type': 'targetType', 'scheme': 'scheme', 'healthcheck-path': 'healthCheckPath', 'inbound-cidrs': 'inboundCidrs',
  'ip-address-type': 'ipAddressType',
};

/** The address types of an ALB (`alb.ingress.kubernetes.io/ip-address-type`). */
export type AlbIpAddressType = 'ipv4' | 'dualstack' | 'dualstack-without-public-ipv4';



/** Properties of an {@link IngressWorkloadChart}. */
export interface IngressWorkloadChartProps extends EchoPodProps {
  /** The ALB target type under test. */
  readonly targetType: TargetType;

  /**
   * Namespace for every object, created by the chart.
   * @default - `ip-mode` or `instance-mode`
   */
  readonly namespace?: string;

  /**
   * Name of the Deployment, Service and Ingress.
   * @default 'echo'
   */
  readonly name?: string;

  /**
   * Service type. `instance` needs `NodePort`; `ip` works with either, since the ALB sends to pods directly.
   * @default - `ClusterIP` for `ip`, `NodePort` for `instance`
   */
  readonly serviceType?: LabServiceType;

  /**
   * Fixed NodePort of a `NodePort` Service.
   * @default - Kubernetes allocates one
   */
  readonly nodePort?: number;

  /**
   * External traffic policy of a `NodePort` Service.
   * @default 'Cluster' for a NodePort Service; not set on a ClusterIP Service, where Kubernetes rejects it
   */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;

  /**
   * ALB scheme.
   * @default 'internet-facing'
   */
  readonly scheme?: AlbScheme;

  /**
   * Path the ALB's target group health check requests.
   * @default '/'
   */
  readonly healthCheckPath?: string;

  /**
   * Client CIDR blocks the ALB's security group admits (`alb.ingress.kubernetes.io/inbound-cidrs`).
   * @default ['0.0.0.0/0']
   */
  readonly inboundCidrs?: readonly string[];

  /**
   * Path prefix the Ingress routes to the Service; the request reaches the pod with the path unchanged.
   * @default '/'
   */
  readonly path?: string;

  /**
   * IngressGroup to join (`alb.ingress.kubernetes.io/group.name`): Ingresses of one group share one ALB.
   * @default - no group: the Ingress gets an ALB of its own
   */
  readonly groupName?: string;

  /**
   * Order of this Ingress's rules within its IngressGroup (`alb.ingress.kubernetes.io/group.order`), -1000 to
   * 1000, lower first; Ingresses of the same order are evaluated in namespace/name order.
   * @default - no order annotation (the controller's 0, then namespace/name order)
   */
  readonly groupOrder?: number;

  /**
   * Cross-zone load balancing of the target group (`alb.ingress.kubernetes.io/target-group-attributes:
   * load_balancing.cross_zone.enabled=<value>`); `false` keeps each ALB node's requests in its own zone.
   * @default - not written: the target group follows the ALB, which always balances across zones
   */
  readonly crossZoneLoadBalancing?: CrossZoneLoadBalancing;
  /**
   * Address type of the ALB (`alb.ingress.kubernetes.io/ip-address-type`). An IPv6 cluster needs a dual-stack one:
   * its Services are IPv6, so the controller makes IPv6 target groups, which only a dual-stack ALB can use.
   * @default 'ipv4' (the controller's default; the annotation is then not written)
   */
  readonly ipAddressType?: AlbIpAddressType;

  /**
   * Further `alb.ingress.kubernetes.io/*` annotations on the Ingress, checked against the controller's documented
   * grammar; they override the chart's `listen-ports`.
   * @default - none
   */
  readonly annotations?: Readonly<Record<string, string>>;

  /**
   * Label the namespace `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`: the controller's `mpod.elbv2.k8s.aws`
   * webhook then gives every pod created once the target group binds the Service a readiness gate that turns true only
   * when the pod's target is healthy, so a rolling update waits for the load balancer. ip targets only.
   * @default false
   */
  readonly readinessGate?: boolean;

  /**
   * How long the echo pods' preStop hook waits, once a pod is told to stop, before it signals nginx: the time the
   * controller needs to deregister the pod and the load balancer to stop sending to it. Whole seconds, shorter than
   * `terminationGracePeriod`.
   * @default - no delay: nginx is signalled as soon as the pod is told to stop
   */
  readonly preStopDelay?: Duration;

  /**
   * The signal the preStop hook sends nginx after `preStopDelay`: `SIGQUIT` (graceful: in-flight requests finish,
   * keep-alive connections close) or `SIGTERM` (fast: every connection closed at once).
   * @default 'SIGQUIT'
   */
  readonly stopSignal?: EchoStopSignal;

  /**
   * How long the kubelet lets a stopping pod run, preStop hook included, before it kills it.
   * @default Duration.seconds(30), the Kubernetes default
   */
  readonly terminationGracePeriod?: Duration;

  /**
   * The target group's `deregistration_delay.timeout_seconds` (through `alb.ingress.kubernetes.io/target-group-attributes`):
   * how long a deregistered target keeps its in-flight requests. Whole seconds, 0 to 3600.
   * @default - the ELB default, 300 seconds (not written)
   */
  readonly deregistrationDelay?: Duration;
}

/** IngressGroup names: lower-case letters, digits, '-' and '.', alphanumeric at both ends, at most 63 characters. */
const GROUP_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * One half of the experiment as Kubernetes objects: a Namespace, an echo Deployment, a Service and an
 * Ingress of class `alb` with the target type under test.
 */
export class IngressWorkloadChart extends Chart implements EchoWorkloadSurface {
  /** The target type under test. */
  public readonly targetType: TargetType;

  /** Address type of the ALB. */
  public readonly ipAddressType: AlbIpAddressType;

  /** The namespace of every object. */
  public readonly namespaceName: string;

  /** Name of the Deployment, Service and Ingress. */
  public readonly workloadName: string;

  /** The Service type in use. */
  public readonly serviceType: LabServiceType;

  /** The external traffic policy, for a NodePort Service. */
  public readonly externalTrafficPolicy?: ExternalTrafficPolicy;

  /** The fixed NodePort, if one was given. */
  public readonly nodePort?: number;

  /** Path prefix the Ingress routes. */
  public readonly path: string;

  /** The IngressGroup joined, if any. */
  public readonly groupName?: string;

  /** The ALB scheme. */
  public readonly scheme: AlbScheme;

  /** The target group's cross-zone attribute, when one was given. */
  public readonly crossZoneLoadBalancing?: CrossZoneLoadBalancing;

  /** Client CIDR blocks the ALB admits. */
  public readonly inboundCidrs: readonly string[];

  /** The echo server image. */
  public readonly image: string;

  /** Number of echo pods. */
  public readonly replicas: number;

  /** Port the echo container listens on. */
  public readonly containerPort: number;

  /** The Deployment. */
  public readonly deployment: kplus.Deployment;

  /** The Service. */
  public readonly service: kplus.Service;

  /** The Ingress. */
  public readonly ingress: kplus.Ingress;

  /** Whether the namespace asks for the controller's pod readiness gates. */
  public readonly readinessGate: boolean;

  /** How the echo pods stop: the preStop delay, the signal to nginx, the grace period. */
  public readonly shutdown: EchoShutdown;

  /** The target group's deregistration delay, where the chart sets it. */
  public readonly deregistrationDelay?: Duration;

  constructor(scope: Construct, id: string, props: IngressWorkloadChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const targetType = props.targetType;
    const namespace = props.namespace ?? `${targetType}-mode`;
    const name = props.name ?? 'echo';
    const serviceType = props.serviceType ?? (targetType === 'ip' ? 'ClusterIP' : 'NodePort');
    const scheme = props.scheme ?? 'internet-facing';
    const healthCheckPath = props.healthCheckPath ?? '/';
    const inboundCidrs = props.inboundCidrs ?? ['0.0.0.0/0'];
    const path = props.path ?? '/';

    this.validate(props, { targetType, serviceType, scheme, healthCheckPath, inboundCidrs, path });
    const ipAddressType = props.ipAddressType ?? 'ipv4';
    requireOneOf(this, 'ipAddressType', ipAddressType, ['ipv4', 'dualstack', 'dualstack-without-public-ipv4']);
    this.ipAddressType = ipAddressType;
    const { image, containerPort, replicas } = echoPodSettings(this, props);
    requireWorkloadNames(this, namespace, name, `${targetType}-mode`);
    this.checkAnnotations(props.annotations ?? {});
    this.shutdown = this.validateShutdown(props, targetType);
    this.readinessGate = props.readinessGate ?? false;
    this.deregistrationDelay = props.deregistrationDelay;
    const targetGroupAttributes = this.targetGroupAttributes(props);

    this.targetType = targetType;
    this.namespaceName = namespace;
    this.workloadName = name;
    this.image = image;
    this.replicas = replicas;
    this.containerPort = containerPort;
    this.serviceType = serviceType;
    this.nodePort = props.nodePort;
    this.path = path;
    this.groupName = props.groupName;
    this.scheme = scheme as AlbScheme;
    this.inboundCidrs = inboundCidrs;
    this.externalTrafficPolicy = serviceType === 'NodePort' ? props.externalTrafficPolicy ?? 'Cluster' : undefined;
    this.crossZoneLoadBalancing = props.crossZoneLoadBalancing;

    const labels = workloadLabels(name, targetType);
    const ns = new kplus.Namespace(this, 'Namespace', {
      metadata: { name: namespace, labels: { ...labels, ...(this.readinessGate ? { [READINESS_GATE_INJECT_LABEL]: 'enabled' } : {}) } },
    });
    this.deployment = echoDeployment(this, 'Deployment', { name, namespace, labels, image, containerPort, replicas, shutdown: this.shutdown });

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name, namespace, labels },
      type: serviceType === 'NodePort' ? kplus.ServiceType.NODE_PORT : kplus.ServiceType.CLUSTER_IP,
      selector: kplus.Pods.select(this, 'Pods', { labels }),
      ports: [{ name: 'http', port: 80, targetPort: containerPort, nodePort: props.nodePort }],
    });
    if (this.externalTrafficPolicy) {
      ApiObject.of(this.service).addJsonPatch(JsonPatch.add('/spec/externalTrafficPolicy', this.externalTrafficPolicy));
    }

    this.ingress = new kplus.Ingress(this, 'Ingress', {
      metadata: {
        name,
        namespace,
        labels,
        annotations: {
          [ALB.targetType]: targetType,
          [ALB.scheme]: scheme,
          [ALB.listenPorts]: '[{"HTTP": 80}]',
          [ALB.healthcheckPath]: healthCheckPath,
          [ALB.inboundCidrs]: inboundCidrs.join(','),
          ...(ipAddressType !== 'ipv4' ? { [ALB.ipAddressType]: ipAddressType } : {}),
          ...(props.groupName !== undefined ? { [ALB.groupName]: props.groupName } : {}),
          ...(props.groupOrder !== undefined ? { [ALB.groupOrder]: String(props.groupOrder) } : {}),
          ...props.annotations,
          ...(targetGroupAttributes !== undefined ? { [ALB.targetGroupAttributes]: targetGroupAttributes } : {}),
        },
      },
      className: 'alb',
      rules: [{ path, pathType: kplus.HttpIngressPathType.PREFIX, backend: kplus.IngressBackend.fromService(this.service, { port: 80 }) }],
    });

    for (const obj of [this.deployment, this.service, this.ingress]) ApiObject.of(obj).addDependency(ns);
  }

  /** The preStop delay, the signal and the grace period, checked against each other and the target type. */
  private validateShutdown(props: IngressWorkloadChartProps, targetType: string): EchoShutdown {
    const seconds = (prop: string, d: Duration | undefined, max: number, fix: string): number | undefined => {
      if (d === undefined) return undefined;
      const ms = d.toMilliseconds();
      if (!Number.isInteger(ms / 1000) || ms < 0 || ms > max * 1000) {
        throw new LabValidationError(this, prop, `must be whole seconds from 0 to ${max}; got ${d.toHumanString()}. ${fix}`);
      }
      return ms / 1000;
    };
    if (props.readinessGate === true && targetType === 'instance') {
      throw new LabValidationError(this, 'readinessGate', `applies only to ip targets; got true with targetType 'instance'. ` +
        'The controller\'s readiness gate reports the health of a pod\'s own target, and instance targets are nodes: its webhook ' +
        `injects no gate for them. Remove 'readinessGate', or use targetType 'ip'.`);
    }
    const stopSignal = props.stopSignal ?? 'SIGQUIT';
    requireOneOf(this, 'stopSignal', stopSignal, ['SIGQUIT', 'SIGTERM']);
    const grace = seconds('terminationGracePeriod', props.terminationGracePeriod, 86400, 'Use Duration.seconds(30), the Kubernetes default.');
    const preStop = seconds('preStopDelay', props.preStopDelay, 86400, 'Use Duration.seconds(15).') ?? 0;
    const effectiveGrace = grace ?? 30;
    if (props.preStopDelay !== undefined && preStop >= effectiveGrace) {
      throw new LabValidationError(this, 'preStopDelay', `must be shorter than the termination grace period (${effectiveGrace} s${grace === undefined ? ', the Kubernetes default' : ''}); ` +
        `got ${preStop} s. The kubelet kills the pod when the grace period ends, preStop hook or not, so nginx never stops gracefully. ` +
        `Shorten 'preStopDelay' or set 'terminationGracePeriod' to Duration.seconds(${preStop + 15}).`);
    }
    return { preStopDelaySeconds: preStop, stopSignal: stopSignal as EchoStopSignal, ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}) };
  }

  /**
   * The `target-group-attributes` annotation: the attributes `annotations` gives, with the deregistration delay and the
   * cross-zone attribute added when their props are set (each in one place only).
   */
  private targetGroupAttributes(props: IngressWorkloadChartProps): string | undefined {
    const given = props.annotations?.[ALB.targetGroupAttributes];
    const sets = (attribute: string) => given !== undefined && given.split(',').some((pair) => pair.split('=')[0].trim() === attribute);
    const own: string[] = [];
    const d = props.deregistrationDelay;
    if (d !== undefined) {
      const ms = d.toMilliseconds();
      if (!Number.isInteger(ms / 1000) || ms < 0 || ms > 3600_000) {
        throw new LabValidationError(this, 'deregistrationDelay', `must be whole seconds from 0 to 3600, as the ELB takes it; got ${d.toHumanString()}. ` +
          'Use Duration.seconds(30), or leave it unset for the ELB default of 300 seconds.');
      }
      if (sets('deregistration_delay.timeout_seconds')) {
        throw new LabValidationError(this, 'annotations', `must not set deregistration_delay.timeout_seconds in '${ALB.targetGroupAttributes}' ` +
          `when 'deregistrationDelay' is set; got ${show(given)}. Set it in one place.`);
      }
      own.push(`deregistration_delay.timeout_seconds=${ms / 1000}`);
    }
    const crossZone = props.crossZoneLoadBalancing;
    if (crossZone !== undefined) {
      requireOneOf(this, 'crossZoneLoadBalancing', crossZone, CROSS_ZONE_VALUES);
      if (sets(CROSS_ZONE_ATTRIBUTE)) {
        throw new LabValidationError(this, 'crossZoneLoadBalancing', `is set and 'annotations' also sets ${CROSS_ZONE_ATTRIBUTE} in ` +
          `'${ALB.targetGroupAttributes}'; got ${show(crossZone)}. Set it in one place: remove it from the annotation.`);
      }
      own.push(`${CROSS_ZONE_ATTRIBUTE}=${crossZone}`);
    }
    if (own.length === 0) return given;
    return [...(given === undefined ? [] : [given]), ...own].join(',');
  }

  private checkAnnotations(annotations: Readonly<Record<string, string>>): void {
    for (const [key, value] of Object.entries(annotations)) {
      const fromProp = key.startsWith(ALB.prefix) ? ANNOTATIONS_FROM_PROPS[key.slice(ALB.prefix.length)] : undefined;
      if (fromProp) {
        throw new LabValidationError(this, 'annotations', `must not set '${key}', which comes from '${fromProp}'; ` +
          `got ${show(value)}. Set '${fromProp}' instead.`);
      }
      if (!key.startsWith(ALB.prefix)) {
        throw new LabValidationError(this, 'annotations', `holds only '${ALB.prefix}*' keys; got ${show(key)}. ` +
          'Put other annotations on the objects with a cdk8s JSON patch.');
      }
      const problem = albAnnotationProblem(key, value);
      if (problem) {
        throw new LabValidationError(this, 'annotations', `key '${key}' ${problem}; got ${show(value)}. ` +
          `Correct it against the AWS Load Balancer Controller's annotation reference, or remove it.`);
      }
    }
  }

  private validate(props: IngressWorkloadChartProps, v: {
    targetType: string; serviceType: string; scheme: string; healthCheckPath: string; inboundCidrs: readonly string[]; path: string;
  }): void {
    requireOneOf(this, 'targetType', v.targetType, ['ip', 'instance']);
    requireOneOf(this, 'serviceType', v.serviceType, ['ClusterIP', 'NodePort']);
    requireOneOf(this, 'scheme', v.scheme, ['internet-facing', 'internal']);
    if (props.externalTrafficPolicy !== undefined) {
      requireOneOf(this, 'externalTrafficPolicy', props.externalTrafficPolicy, ['Cluster', 'Local']);
    }
    if (v.targetType === 'instance' && v.serviceType !== 'NodePort') {
      throw new LabValidationError(this, 'serviceType', `must be NodePort when 'targetType' is instance; got ${show(v.serviceType)}. ` +
        `The ALB registers nodes and sends to the Service's NodePort, which a ClusterIP Service does not open. ` +
        `Use serviceType 'NodePort' or targetType 'ip'.`);
    }
    if (v.serviceType !== 'NodePort' && props.nodePort !== undefined) {
      throw new LabValidationError(this, 'nodePort', `applies only to a NodePort Service; got ${show(props.nodePort)} with ` +
        `serviceType ${show(v.serviceType)}. Remove 'nodePort' or use serviceType 'NodePort'.`);
    }
    if (v.serviceType !== 'NodePort' && props.externalTrafficPolicy !== undefined) {
      throw new LabValidationError(this, 'externalTrafficPolicy', `applies only to a NodePort Service; got ` +
        `${show(props.externalTrafficPolicy)} with serviceType ${show(v.serviceType)}. ` +
        `Remove it: in ip mode the ALB sends straight to pods and no NodePort is involved.`);
    }
    if (props.nodePort !== undefined) {
      requireNodePort(this, props.nodePort, { example: 30080, unset: true });
    }
    if (!v.healthCheckPath.startsWith('/')) {
      throw new LabValidationError(this, 'healthCheckPath', `must start with '/'; got ${show(v.healthCheckPath)}. Use '/'.`);
    }
    requireCidrList(this, 'inboundCidrs', v.inboundCidrs);
    requireRuleCount(this, 'inboundCidrs', v.inboundCidrs);
    if (!v.path.startsWith('/')) {
      throw new LabValidationError(this, 'path', `must start with '/'; got ${show(v.path)}. Use '/' or a prefix such as '/ip'.`);
    }
    if (props.groupName !== undefined && !Token.isUnresolved(props.groupName)
      && (props.groupName.length > 63 || !GROUP_NAME.test(props.groupName))) {
      throw new LabValidationError(this, 'groupName', `must be lower-case letters, digits, '-' or '.', starting and ending ` +
        `with a letter or digit, at most 63 characters; got ${show(props.groupName)}. Use a name such as 'eks-lb-lab'.`);
    }
    if (props.groupOrder !== undefined) {
      if (props.groupName === undefined) {
        throw new LabValidationError(this, 'groupOrder', `applies only within an IngressGroup; got ${show(props.groupOrder)} ` +
          `without 'groupName'. Set 'groupName' too, or remove 'groupOrder'.`);
      }
      requireInteger(this, 'groupOrder', props.groupOrder, -1000, 1000, 'The controller accepts explicit orders from -1000 to 1000.');
    }
  }
}
