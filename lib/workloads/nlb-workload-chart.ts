import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-29';
import { Construct } from 'constructs';
import { LabValidationError } from '../errors';
import { CROSS_ZONE_VALUES, CrossZoneLoadBalancing, EchoPodProps, ExternalTrafficPolicy, TargetType } from './ingress-workload-chart';
import { EchoWorkloadSurface, echoDeployment, echoPodSettings, requireNodePort, requireWorkloadNames, workloadLabels } from './echo-pod';
import { requireCidrList, requireOneOf, show } from '../private/validate';
import { CROSS_ZONE_ATTRIBUTE, NLB } from '../private/annotations';

/** The load balancer class the AWS Load Balancer Controller answers to by default. */
export const NLB_LOAD_BALANCER_CLASS = 'service.k8s.aws/nlb';

/** Whether the NLB faces the internet or only the VPC. */
export type NlbScheme = 'internet-facing' | 'internal';


/** Properties of an {@link NlbWorkloadChart}. */
export interface NlbWorkloadChartProps extends EchoPodProps {
  /** How the NLB registers targets: pod IPs (`ip`) or nodes on the Service's NodePort (`instance`). */
  readonly targetType: TargetType;

  /**
   * Namespace for every object, created by the chart.
   * @default - `nlb-ip-mode` or `nlb-instance-mode`
   */
  readonly namespace?: string;

  /**
   * Name of the Deployment and Service.
   * @default 'echo'
   */
  readonly name?: string;

  /**
   * NLB scheme. The controller's own default is `internal`.
   * @default 'internet-facing'
   */
  readonly scheme?: NlbScheme;

  /**
   * Whether the NLB keeps the client's address as the source of the packets it sends to targets
   * (target group attribute `preserve_client_ip.enabled`), written out either way.
   * @default - AWS's default for TCP target groups: false for `ip`, true for `instance`
   */
  readonly preserveClientIp?: boolean;

  /**
   * Cross-zone load balancing of the target group (attribute `load_balancing.cross_zone.enabled`); `true` lets each
   * NLB node send to targets in every zone, at the inter-zone data transfer price.
   * @default - not written: the target group follows the NLB, which the chart leaves at its default, off
   */
  readonly crossZoneLoadBalancing?: CrossZoneLoadBalancing;

  /**
   * Prepend a PROXY protocol v2 header carrying the client's address to every connection
   * (`service.beta.kubernetes.io/aws-load-balancer-proxy-protocol: "*"`). The server must parse it.
   * @default false
   */
  readonly proxyProtocolV2?: boolean;

  /**
   * External traffic policy of the Service, for `instance` targets.
   * @default 'Cluster' for `instance`; not set for `ip`, where the NLB sends straight to pods
   */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;

  /**
   * Fixed NodePort, for `instance` targets.
   * @default - Kubernetes allocates one
   */
  readonly nodePort?: number;

  /**
   * Address type of the NLB (`service.beta.kubernetes.io/aws-load-balancer-ip-address-type`). An IPv6 cluster needs
   * `dualstack`: its Services are IPv6, so the controller makes IPv6 target groups, which only a dual-stack NLB can use.
   * @default 'ipv4' (the controller's default; the annotation is then not written)
   */
  readonly ipAddressType?: NlbIpAddressType;

  /**
   * Client CIDR blocks the NLB's security group admits (`spec.loadBalancerSourceRanges`).
   * @default ['0.0.0.0/0']
   */
  readonly loadBalancerSourceRanges?: readonly string[];
}

/** The address types of an NLB (`service.beta.kubernetes.io/aws-load-balancer-ip-address-type`). */
export type NlbIpAddressType = 'ipv4' | 'dualstack';

/**
 * An NLB path of the experiment as Kubernetes objects: a Namespace, the echo Deployment and a Service of
 * type LoadBalancer with `spec.loadBalancerClass: service.k8s.aws/nlb`, which the AWS Load Balancer
 * Controller turns into an NLB with the target type under test.
 */
export class NlbWorkloadChart extends Chart implements EchoWorkloadSurface {
  /** The target type under test. */
  public readonly targetType: TargetType;

  /** Address type of the NLB. */
  public readonly ipAddressType: NlbIpAddressType;

  /** The namespace of every object. */
  public readonly namespaceName: string;

  /** Name of the Deployment and Service. */
  public readonly workloadName: string;

  /** Whether the target group preserves the client's address. */
  public readonly preserveClientIp: boolean;

  /** Whether targets receive a PROXY protocol v2 header. */
  public readonly proxyProtocolV2: boolean;

  /** The target group's cross-zone attribute, when one was given. */
  public readonly crossZoneLoadBalancing?: CrossZoneLoadBalancing;

  /** The external traffic policy, for `instance` targets. */
  public readonly externalTrafficPolicy?: ExternalTrafficPolicy;

  /** The fixed NodePort of the Service, when one was given. */
  public readonly nodePort?: number;

  /** The echo image in use. */
  public readonly image: string;

  /** Number of echo pods. */
  public readonly replicas: number;

  /** Port the echo container listens on. */
  public readonly containerPort: number;

  /** The Deployment. */
  public readonly deployment: kplus.Deployment;

  /** The Service of type LoadBalancer. */
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: NlbWorkloadChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const targetType = props.targetType;
    const namespace = props.namespace ?? `nlb-${targetType}-mode`;
    const name = props.name ?? 'echo';
    const scheme = props.scheme ?? 'internet-facing';
    const sourceRanges = props.loadBalancerSourceRanges ?? ['0.0.0.0/0'];
    const proxyProtocolV2 = props.proxyProtocolV2 ?? false;

    requireOneOf(this, 'targetType', targetType, ['ip', 'instance']);
    requireOneOf(this, 'scheme', scheme, ['internet-facing', 'internal']);
    const ipAddressType = props.ipAddressType ?? 'ipv4';
    requireOneOf(this, 'ipAddressType', ipAddressType, ['ipv4', 'dualstack']);
    this.ipAddressType = ipAddressType;
    const externalTrafficPolicy = this.checkTrafficPolicy(props, targetType, proxyProtocolV2);
    requireWorkloadNames(this, namespace, name, `nlb-${targetType}-mode`);
    const { image, containerPort, replicas } = echoPodSettings(this, props);
    requireCidrList(this, 'loadBalancerSourceRanges', sourceRanges);
    if (props.crossZoneLoadBalancing !== undefined) requireOneOf(this, 'crossZoneLoadBalancing', props.crossZoneLoadBalancing, CROSS_ZONE_VALUES);

    this.targetType = targetType;
    this.namespaceName = namespace;
    this.workloadName = name;
    this.image = image;
    this.replicas = replicas;
    this.containerPort = containerPort;
    this.preserveClientIp = props.preserveClientIp ?? targetType === 'instance';
    this.proxyProtocolV2 = proxyProtocolV2;
    this.crossZoneLoadBalancing = props.crossZoneLoadBalancing;
    this.externalTrafficPolicy = externalTrafficPolicy;
    this.nodePort = props.nodePort;

    const labels = workloadLabels(name, targetType);
    const ns = new kplus.Namespace(this, 'Namespace', { metadata: { name: namespace, labels } });
    this.deployment = echoDeployment(this, 'Deployment', { name, namespace, labels, image, containerPort, replicas });

    this.service = new kplus.Service(this, 'Service', {
      metadata: {
        name,
        namespace,
        labels,
        annotations: {
          [NLB.targetType]: targetType,
          [NLB.scheme]: scheme,
          [NLB.targetGroupAttributes]: `preserve_client_ip.enabled=${this.preserveClientIp}` +
            (props.crossZoneLoadBalancing !== undefined ? `,${CROSS_ZONE_ATTRIBUTE}=${props.crossZoneLoadBalancing}` : ''),
          ...(proxyProtocolV2 ? { [NLB.proxyProtocol]: '*' } : {}),
          ...(ipAddressType !== 'ipv4' ? { [NLB.ipAddressType]: ipAddressType } : {}),
        },
      },
      type: kplus.ServiceType.LOAD_BALANCER,
      selector: kplus.Pods.select(this, 'Pods', { labels }),
      ports: [{ name: 'tcp', port: 80, targetPort: containerPort, nodePort: props.nodePort }],
    });
    const service = ApiObject.of(this.service);
    // Set at creation: the in-tree cloud provider then leaves the Service to the controller, webhook or not.
    service.addJsonPatch(JsonPatch.add('/spec/loadBalancerClass', NLB_LOAD_BALANCER_CLASS));
    service.addJsonPatch(JsonPatch.add('/spec/loadBalancerSourceRanges', [...sourceRanges]));
    if (externalTrafficPolicy) service.addJsonPatch(JsonPatch.add('/spec/externalTrafficPolicy', externalTrafficPolicy));

    for (const obj of [this.deployment, this.service]) ApiObject.of(obj).addDependency(ns);
  }

  private checkTrafficPolicy(props: NlbWorkloadChartProps, targetType: string, proxyProtocolV2: boolean): ExternalTrafficPolicy | undefined {
    if (props.externalTrafficPolicy !== undefined) {
      requireOneOf(this, 'externalTrafficPolicy', props.externalTrafficPolicy, ['Cluster', 'Local']);
    }
    if (targetType === 'ip') {
      if (props.externalTrafficPolicy !== undefined) {
        throw new LabValidationError(this, 'externalTrafficPolicy', `applies only to 'instance' targets; got ` +
          `${show(props.externalTrafficPolicy)} with targetType 'ip'. Remove it: the NLB sends straight to pod IPs, ` +
          'so no NodePort and no kube-proxy rule is on the path.');
      }
      if (props.nodePort !== undefined) {
        throw new LabValidationError(this, 'nodePort', `applies only to 'instance' targets; got ${show(props.nodePort)} with ` +
          `targetType 'ip'. Remove it, or use targetType 'instance'.`);
      }
      return undefined;
    }
    const policy = props.externalTrafficPolicy ?? 'Cluster';
    if (proxyProtocolV2 && policy === 'Local') {
      throw new LabValidationError(this, 'proxyProtocolV2', `cannot be combined with 'instance' targets and ` +
        `externalTrafficPolicy 'Local'; got proxyProtocolV2 true. With Local the NLB health-checks kube-proxy's ` +
        `health check NodePort over HTTP, which does not speak PROXY protocol, so every target would fail its check. ` +
        `Use externalTrafficPolicy 'Cluster' or targetType 'ip'.`);
    }
    if (props.nodePort !== undefined) {
      requireNodePort(this, props.nodePort, { unset: true });
    }
    return policy;
  }
}
