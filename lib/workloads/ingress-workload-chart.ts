import { Token } from 'aws-cdk-lib';
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-29';
import { Construct } from 'constructs';
import { LabValidationError } from '../errors';
import { EchoPodProps, EchoWorkloadSurface, echoDeployment, echoPodSettings, requireNodePort, requireWorkloadNames, workloadLabels } from './echo-pod';
import { albAnnotationProblem } from '../private/alb-annotations';
import { ALB } from '../private/annotations';
import { requireCidrList, requireInteger, requireOneOf, requireRuleCount, show } from '../private/validate';

/** How the ALB registers targets: pod IPs (`ip`) or nodes on the Service's NodePort (`instance`). */
export type TargetType = 'ip' | 'instance';

/** Kubernetes Service type in front of the echo pods. */
export type LabServiceType = 'ClusterIP' | 'NodePort';

/** Whether a NodePort forwards to endpoints on any node (`Cluster`, with SNAT) or only its own (`Local`). */
export type ExternalTrafficPolicy = 'Cluster' | 'Local';

/** Whether the ALB faces the internet or only the VPC. */
export type AlbScheme = 'internet-facing' | 'internal';

export { ECHO_IMAGE, ECHO_PORT, NODE_PORT_RANGE, RESERVED_NAMESPACES } from './echo-pod';
export type { EchoPodProps } from './echo-pod';


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

    const labels = workloadLabels(name, targetType);
    const ns = new kplus.Namespace(this, 'Namespace', { metadata: { name: namespace, labels } });
    this.deployment = echoDeployment(this, 'Deployment', { name, namespace, labels, image, containerPort, replicas });

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
        },
      },
      className: 'alb',
      rules: [{ path, pathType: kplus.HttpIngressPathType.PREFIX, backend: kplus.IngressBackend.fromService(this.service, { port: 80 }) }],
    });

    for (const obj of [this.deployment, this.service, this.ingress]) ApiObject.of(obj).addDependency(ns);
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
