import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-29';
import { Construct } from 'constructs';
import { LabValidationError } from '../errors';
import { EchoPodProps, EchoWorkloadSurface, echoDeployment, echoPodSettings, requireNodePort, requireWorkloadNames, workloadLabels } from './echo-pod';
import type { ExternalTrafficPolicy, TargetType } from './ingress-workload-chart';
import type * as aws from './imports/gateway.k8s.aws';
import type * as gw from './imports/gateway.networking.k8s.io';
import { GATEWAY_CONTROLLER, TG_ATTRIBUTE } from '../private/annotations';
import { requireCidrList, requireInteger, requireOneOf, requireRuleCount, show } from '../private/validate';

/** The load balancer a Gateway stands for: an ALB (HTTP listeners, HTTPRoutes) or an NLB (TCP listeners, TCPRoutes). */
export type GatewayLoadBalancer = 'ALB' | 'NLB';

/** The GatewayClass controller names the AWS Load Balancer Controller answers to. */
export const GATEWAY_CONTROLLER_NAMES: Readonly<Record<GatewayLoadBalancer, string>> = GATEWAY_CONTROLLER;

/** Where a Gateway's listeners take traffic, by the target type of the Service behind them. */
export interface GatewayListenerPorts {
  /** @default 80 */
  readonly ip?: number;
  /** @default 81 */
  readonly instance?: number;
}

/** Properties of a {@link GatewayWorkloadChart}. */
export interface GatewayWorkloadChartProps extends EchoPodProps {
  /** ALB (HTTPRoutes `/ip` and `/instance` on one HTTP listener) or NLB (a TCP listener and TCPRoute per target type). */
  readonly loadBalancer: GatewayLoadBalancer;

  /**
   * Namespace for every namespaced object, created by the chart.
   * @default - `gateway-alb` or `gateway-nlb`
   */
  readonly namespace?: string;

  /**
   * Name of the Deployment, Gateway and LoadBalancerConfiguration; the Services, routes and TargetGroupConfigurations
   * are `<name>-ip` and `<name>-instance`.
   * @default 'echo'
   */
  readonly name?: string;

  /**
   * Name of the cluster-scoped GatewayClass the chart creates.
   * @default - `eks-lb-lab-alb` or `eks-lb-lab-nlb`
   */
  readonly gatewayClassName?: string;

  /**
   * Load balancer scheme (LoadBalancerConfiguration `spec.scheme`). The controller's own default is `internal`.
   * @default 'internet-facing'
   */
  readonly scheme?: 'internet-facing' | 'internal';

  /**
   * Client CIDR blocks the load balancer's security group admits (LoadBalancerConfiguration `spec.sourceRanges`).
   * @default ['0.0.0.0/0']
   */
  readonly inboundCidrs?: readonly string[];

  /**
   * External traffic policy of the `instance` Service (NodePort).
   * @default 'Cluster'
   */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;

  /**
   * Fixed NodePort of the `instance` Service.
   * @default - Kubernetes allocates one
   */
  readonly nodePort?: number;

  /**
   * NLB only: the TCP listener port of each target type.
   * @default { ip: 80, instance: 81 }
   */
  readonly listenerPorts?: GatewayListenerPorts;

  /**
   * NLB only: `preserve_client_ip.enabled` of each target group, written out in its TargetGroupConfiguration.
   * @default - AWS's default for TCP target groups: false for `ip`, true for `instance`
   */
  readonly preserveClientIp?: { readonly ip?: boolean; readonly instance?: boolean };
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The Gateway API group and the controller's, as parametersRef and backendRef write them. */
const GATEWAY_K8S_AWS = 'gateway.k8s.aws';

/**
 * Both target types of the experiment through Kubernetes Gateway API, as the AWS Load Balancer Controller serves it:
 * a GatewayClass for the load balancer kind, a Gateway with its LoadBalancerConfiguration (scheme and source ranges),
 * the echo Deployment behind a ClusterIP Service (`<name>-ip`) and a NodePort Service (`<name>-instance`), a route to
 * each (HTTPRoutes `/ip` and `/instance` on one ALB listener, or a TCPRoute per NLB listener), and a
 * TargetGroupConfiguration per Service that sets its target type.
 */
export class GatewayWorkloadChart extends Chart implements EchoWorkloadSurface {
  /** ALB or NLB. */
  public readonly loadBalancer: GatewayLoadBalancer;

  /** The namespace of every namespaced object. */
  public readonly namespaceName: string;

  /** Name of the Deployment and the Gateway. */
  public readonly workloadName: string;

  /** Name of the GatewayClass. */
  public readonly gatewayClassName: string;

  /** The echo image in use. */
  public readonly image: string;

  /** Number of echo pods. */
  public readonly replicas: number;

  /** Port the echo container listens on. */
  public readonly containerPort: number;

  /** The fixed NodePort of the `instance` Service, when one was given. */
  public readonly nodePort?: number;

  /** The external traffic policy of the `instance` Service. */
  public readonly externalTrafficPolicy: ExternalTrafficPolicy;

  /** The load balancer scheme. */
  public readonly scheme: 'internet-facing' | 'internal';

  /** The client CIDR blocks the load balancer admits. */
  public readonly inboundCidrs: readonly string[];

  /** The listener port of each target type (both 80 on an ALB, where the path tells them apart). */
  public readonly listenerPorts: Readonly<Record<TargetType, number>>;

  /** The HTTP path prefix of each target type's HTTPRoute, on an ALB. */
  public readonly routePaths?: Readonly<Record<TargetType, string>>;

  /** The echo Deployment. */
  public readonly deployment: kplus.Deployment;

  /** The Services by target type: ClusterIP for `ip`, NodePort for `instance`. */
  public readonly services: Readonly<Record<TargetType, kplus.Service>>;

  /** The GatewayClass. */
  public readonly gatewayClass: gw.GatewayClass;

  /** The Gateway. */
  public readonly gateway: gw.Gateway;

  /** The Gateway's LoadBalancerConfiguration. */
  public readonly loadBalancerConfiguration: aws.LoadBalancerConfiguration;

  /** The routes by target type: HTTPRoutes on an ALB, TCPRoutes on an NLB. */
  public readonly routes: Readonly<Record<TargetType, ApiObject>>;

  /** The TargetGroupConfigurations by target type. */
  public readonly targetGroupConfigurations: Readonly<Record<TargetType, aws.TargetGroupConfiguration>>;

  constructor(scope: Construct, id: string, props: GatewayWorkloadChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    // Loaded on first use: the generated classes are a fifth of a second of the CLI's start-up, which reads the catalogue.
    const gwApi = require('./imports/gateway.networking.k8s.io') as typeof gw;
    const awsApi = require('./imports/gateway.k8s.aws') as typeof aws;
    requireOneOf(this, 'loadBalancer', props.loadBalancer, ['ALB', 'NLB']);
    const lb = props.loadBalancer;
    const kind = lb.toLowerCase();
    const namespace = props.namespace ?? `gateway-${kind}`;
    const name = props.name ?? 'echo';
    const className = props.gatewayClassName ?? `eks-lb-lab-${kind}`;
    const scheme = props.scheme ?? 'internet-facing';
    const inboundCidrs = props.inboundCidrs ?? ['0.0.0.0/0'];
    const etp = props.externalTrafficPolicy ?? 'Cluster';

    requireWorkloadNames(this, namespace, name, `gateway-${kind}`);
    if (!DNS_SUBDOMAIN.test(className) || className.length > 253) {
      throw new LabValidationError(this, 'gatewayClassName', `must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', ` +
        `each part starting and ending with a letter or digit, at most 253 characters), as the name of a cluster-scoped ` +
        `object; got ${show(className)}. Use a name such as 'eks-lb-lab-${kind}'.`);
    }
    const { image, containerPort, replicas } = echoPodSettings(this, props);
    requireOneOf(this, 'scheme', scheme, ['internet-facing', 'internal']);
    requireCidrList(this, 'inboundCidrs', inboundCidrs);
    requireRuleCount(this, 'inboundCidrs', inboundCidrs);
    requireOneOf(this, 'externalTrafficPolicy', etp, ['Cluster', 'Local']);
    if (props.nodePort !== undefined) requireNodePort(this, props.nodePort, { unset: true });
    const ports = this.checkListenerPorts(lb, props.listenerPorts);
    if (lb === 'ALB' && props.preserveClientIp !== undefined) {
      throw new LabValidationError(this, 'preserveClientIp', `applies only to an NLB Gateway; got ${show(props.preserveClientIp)} ` +
        `with loadBalancer 'ALB'. Remove it: the ALB opens its own connections and carries the client in X-Forwarded-For.`);
    }

    this.loadBalancer = lb;
    this.namespaceName = namespace;
    this.workloadName = name;
    this.gatewayClassName = className;
    this.image = image;
    this.replicas = replicas;
    this.containerPort = containerPort;
    this.nodePort = props.nodePort;
    this.externalTrafficPolicy = etp;
    this.scheme = scheme;
    this.inboundCidrs = inboundCidrs;
    this.listenerPorts = ports;

    const labels = workloadLabels(name, 'gateway');
    const ns = new kplus.Namespace(this, 'Namespace', { metadata: { name: namespace, labels } });
    this.deployment = echoDeployment(this, 'Deployment', { name, namespace, labels, image, containerPort, replicas });
    const pods = kplus.Pods.select(this, 'Pods', { labels });
    const ipService = new kplus.Service(this, 'IpService', {
      metadata: { name: `${name}-ip`, namespace, labels },
      type: kplus.ServiceType.CLUSTER_IP,
      selector: pods,
      ports: [{ name: 'http', port: 80, targetPort: containerPort }],
    });
    // The controller registers nodes on the NodePort for instance targets and refuses a Service without one.
    const instanceService = new kplus.Service(this, 'InstanceService', {
      metadata: { name: `${name}-instance`, namespace, labels },
      type: kplus.ServiceType.NODE_PORT,
      selector: pods,
      ports: [{ name: 'http', port: 80, targetPort: containerPort, nodePort: props.nodePort }],
    });
    ApiObject.of(instanceService).addJsonPatch(JsonPatch.add('/spec/externalTrafficPolicy', etp));
    this.services = { ip: ipService, instance: instanceService };

    this.gatewayClass = new gwApi.GatewayClass(this, 'GatewayClass', {
      metadata: { name: className, labels },
      spec: { controllerName: GATEWAY_CONTROLLER_NAMES[lb], description: `eks-lb-lab: ${lb} Gateways of the AWS Load Balancer Controller` },
    });
    this.loadBalancerConfiguration = new awsApi.LoadBalancerConfiguration(this, 'LoadBalancerConfiguration', {
      metadata: { name, namespace, labels },
      spec: { scheme: scheme as aws.LoadBalancerConfigurationSpecScheme, sourceRanges: [...inboundCidrs] },
    });
    const listeners = lb === 'ALB'
      ? [{ name: 'http', protocol: 'HTTP', port: ports.ip }]
      : (['ip', 'instance'] as const).map((t) => ({ name: t, protocol: 'TCP', port: ports[t] }));
    this.gateway = new gwApi.Gateway(this, 'Gateway', {
      metadata: { name, namespace, labels },
      spec: {
        gatewayClassName: className,
        infrastructure: { parametersRef: { group: GATEWAY_K8S_AWS, kind: 'LoadBalancerConfiguration', name } },
        listeners,
      },
    });

    const preserve = { ip: props.preserveClientIp?.ip ?? false, instance: props.preserveClientIp?.instance ?? true };
    const tgc = (targetType: TargetType) => new awsApi.TargetGroupConfiguration(this, `${targetType === 'ip' ? 'Ip' : 'Instance'}TargetGroupConfiguration`, {
      metadata: { name: `${name}-${targetType}`, namespace, labels },
      spec: {
        targetReference: { kind: 'Service', name: `${name}-${targetType}` },
        defaultConfiguration: {
          targetType: targetType as aws.TargetGroupConfigurationSpecDefaultConfigurationTargetType,
          ...(lb === 'NLB' ? { targetGroupAttributes: [{ key: TG_ATTRIBUTE.preserveClientIp, value: String(preserve[targetType]) }] } : {}),
        },
      },
    });
    this.targetGroupConfigurations = { ip: tgc('ip'), instance: tgc('instance') };

    const parent = (sectionName: string) => ({ name, sectionName });
    const backend = (targetType: TargetType) => ({ name: `${name}-${targetType}`, port: 80 });
    if (lb === 'ALB') {
      this.routePaths = { ip: '/ip', instance: '/instance' };
      const route = (targetType: TargetType) => new gwApi.HttpRoute(this, `${targetType === 'ip' ? 'Ip' : 'Instance'}Route`, {
        metadata: { name: `${name}-${targetType}`, namespace, labels },
        spec: {
          parentRefs: [parent('http')],
          rules: [{
            matches: [{ path: { type: gwApi.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: `/${targetType}` } }],
            backendRefs: [backend(targetType)],
          }],
        },
      });
      this.routes = { ip: route('ip'), instance: route('instance') };
    } else {
      const route = (targetType: TargetType) => new gwApi.TcpRoute(this, `${targetType === 'ip' ? 'Ip' : 'Instance'}Route`, {
        metadata: { name: `${name}-${targetType}`, namespace, labels },
        spec: { parentRefs: [parent(targetType)], rules: [{ backendRefs: [backend(targetType)] }] },
      });
      this.routes = { ip: route('ip'), instance: route('instance') };
    }

    const namespaced = [this.deployment, ipService, instanceService, this.loadBalancerConfiguration, this.gateway,
      ...Object.values(this.targetGroupConfigurations), ...Object.values(this.routes)];
    for (const obj of namespaced) ApiObject.of(obj).addDependency(ns);
    // The Gateway reads its class and configuration; the target groups their TargetGroupConfigurations.
    this.gateway.addDependency(this.gatewayClass, this.loadBalancerConfiguration);
    for (const t of ['ip', 'instance'] as const) {
      this.routes[t].addDependency(this.gateway, this.services[t], this.targetGroupConfigurations[t]);
    }
  }

  private checkListenerPorts(lb: GatewayLoadBalancer, given: GatewayListenerPorts | undefined): Record<TargetType, number> {
    if (lb === 'ALB') {
      if (given !== undefined) {
        throw new LabValidationError(this, 'listenerPorts', `applies only to an NLB Gateway; got ${JSON.stringify(given)} with ` +
          `loadBalancer 'ALB'. Remove it: the ALB Gateway has one HTTP listener on 80 and tells the routes apart by path.`);
      }
      return { ip: 80, instance: 80 };
    }
    const ports = { ip: given?.ip ?? 80, instance: given?.instance ?? 81 };
    requireInteger(this, 'listenerPorts.ip', ports.ip, 1, 65535, 'Use 80.');
    requireInteger(this, 'listenerPorts.instance', ports.instance, 1, 65535, 'Use 81.');
    if (ports.ip === ports.instance) {
      throw new LabValidationError(this, 'listenerPorts', `must give the two TCP listeners different ports; got ${ports.ip} for both. ` +
        'Gateway API refuses two listeners with the same port and protocol, and each TCPRoute attaches to its own listener.');
    }
    return ports;
  }
}
