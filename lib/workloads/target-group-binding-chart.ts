import { Token } from 'aws-cdk-lib';
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-29';
import { Construct } from 'constructs';
import { LabValidationError } from '../errors';
import { EchoPodProps, ExternalTrafficPolicy, TargetType } from './ingress-workload-chart';
import { EchoWorkloadSurface, echoDeployment, echoPodSettings, requireNodePort, requireWorkloadNames, workloadLabels } from './echo-pod';
import { requireOneOf, show } from '../private/validate';

/** API version of the TargetGroupBinding custom resource the chart writes. */
export const TARGET_GROUP_BINDING_API_VERSION = 'elbv2.k8s.aws/v1beta1';

/** Properties of a {@link TargetGroupBindingChart}. */
export interface TargetGroupBindingChartProps extends EchoPodProps {
  /** ARN of the `ip` target group the pods are registered in; may be a token. */
  readonly ipTargetGroupArn: string;

  /** ARN of the `instance` target group the nodes are registered in, on `nodePort`; may be a token. */
  readonly instanceTargetGroupArn: string;

  /** VPC of both target groups, written into the bindings (the validating webhook checks it against AWS); may be a token. */
  readonly vpcId: string;

  /** Security group of the load balancer; the controller admits it on the targets' security group. May be a token. */
  readonly loadBalancerSecurityGroupId: string;

  /** NodePort of the `instance` Service: the port of the `instance` target group. */
  readonly nodePort: number;

  /**
   * Namespace for every object, created by the chart.
   * @default 'tgb'
   */
  readonly namespace?: string;

  /**
   * Base name of the Deployment; the Services and bindings are `<name>-ip` and `<name>-instance`.
   * @default 'echo'
   */
  readonly name?: string;

  /**
   * External traffic policy of the NodePort Service behind the `instance` target group.
   * @default 'Cluster'
   */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
}

/**
 * Kubernetes objects that feed target groups created outside the cluster: the echo Deployment, a headless
 * Service with a TargetGroupBinding of target type `ip`, and a NodePort Service with a TargetGroupBinding of
 * target type `instance`. Each binding names its target type, VPC and the load balancer's security group.
 */
export class TargetGroupBindingChart extends Chart implements EchoWorkloadSurface {
  /** The namespace of every object. */
  public readonly namespaceName: string;

  /** Name of the Deployment. */
  public readonly workloadName: string;

  /** Port the echo container listens on. */
  public readonly containerPort: number;

  /** The NodePort of the `instance` Service. */
  public readonly nodePort: number;

  /** The external traffic policy of the `instance` Service. */
  public readonly externalTrafficPolicy: ExternalTrafficPolicy;

  /** The echo server image. */
  public readonly image: string;

  /** The number of echo pods. */
  public readonly replicas: number;

  /** The Deployment. */
  public readonly deployment: kplus.Deployment;

  /** The Services by target type: headless for `ip`, NodePort for `instance`. */
  public readonly services: Readonly<Record<TargetType, kplus.Service>>;

  /** The TargetGroupBindings by target type. */
  public readonly bindings: Readonly<Record<TargetType, ApiObject>>;

  constructor(scope: Construct, id: string, props: TargetGroupBindingChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const namespace = props.namespace ?? 'tgb';
    const name = props.name ?? 'echo';
    const externalTrafficPolicy = props.externalTrafficPolicy ?? 'Cluster';

    requireWorkloadNames(this, namespace, name, 'tgb');
    requireNodePort(this, props.nodePort, { example: 30081 });
    const { image, containerPort, replicas } = echoPodSettings(this, props);
    requireOneOf(this, 'externalTrafficPolicy', externalTrafficPolicy, ['Cluster', 'Local']);
    for (const prop of ['ipTargetGroupArn', 'instanceTargetGroupArn', 'vpcId', 'loadBalancerSecurityGroupId'] as const) {
      const value = props[prop];
      if (!Token.isUnresolved(value) && (typeof value !== 'string' || value.trim() === '')) {
        throw new LabValidationError(this, prop, `must be set; got ${show(value)}. ` +
          'Pass the value from the stack that owns the load balancer (a token is fine).');
      }
    }
    if (!Token.isUnresolved(props.ipTargetGroupArn) && props.ipTargetGroupArn === props.instanceTargetGroupArn) {
      throw new LabValidationError(this, 'instanceTargetGroupArn', `must differ from 'ipTargetGroupArn'; got ` +
        `${show(props.instanceTargetGroupArn)} for both. A target group has one target type; pass two target groups.`);
    }

    this.namespaceName = namespace;
    this.workloadName = name;
    this.containerPort = containerPort;
    this.nodePort = props.nodePort;
    this.externalTrafficPolicy = externalTrafficPolicy;
    this.image = image;
    this.replicas = replicas;
    const labels = workloadLabels(name, 'tgb');
    const ns = new kplus.Namespace(this, 'Namespace', { metadata: { name: namespace, labels } });
    this.deployment = echoDeployment(this, 'Deployment', { name, namespace, labels, image, containerPort, replicas });
    const pods = kplus.Pods.select(this, 'Pods', { labels });

    // Headless: the binding registers the endpoints' pod IPs; no cluster IP and no kube-proxy rule is needed.
    const ipService = new kplus.Service(this, 'IpService', {
      metadata: { name: `${name}-ip`, namespace, labels },
      clusterIP: 'None',
      selector: pods,
      ports: [{ name: 'http', port: 80, targetPort: containerPort }],
    });
    const instanceService = new kplus.Service(this, 'InstanceService', {
      metadata: { name: `${name}-instance`, namespace, labels },
      type: kplus.ServiceType.NODE_PORT,
      selector: pods,
      ports: [{ name: 'http', port: 80, targetPort: containerPort, nodePort: props.nodePort }],
    });
    ApiObject.of(instanceService).addJsonPatch(JsonPatch.add('/spec/externalTrafficPolicy', externalTrafficPolicy));
    this.services = { ip: ipService, instance: instanceService };

    const binding = (id: string, targetType: TargetType, service: kplus.Service, targetGroupARN: string, port: number) =>
      new ApiObject(this, id, {
        apiVersion: TARGET_GROUP_BINDING_API_VERSION,
        kind: 'TargetGroupBinding',
        metadata: { name: `${name}-${targetType}`, namespace, labels },
        spec: {
          targetGroupARN,
          // Explicit, so the bindings say what the lab expects. The webhooks still call DescribeTargetGroups on
          // create: the mutator to default the IP address type and protocol, the validator to check both and the VPC.
          targetType,
          vpcID: props.vpcId,
          serviceRef: { name: service.name, port: 80 },
          networking: {
            ingress: [{
              from: [{ securityGroup: { groupID: props.loadBalancerSecurityGroupId } }],
              ports: [{ protocol: 'TCP', port }],
            }],
          },
        },
      });
    this.bindings = {
      ip: binding('IpBinding', 'ip', ipService, props.ipTargetGroupArn, containerPort),
      instance: binding('InstanceBinding', 'instance', instanceService, props.instanceTargetGroupArn, props.nodePort),
    };

    for (const obj of [this.deployment, ipService, instanceService]) ApiObject.of(obj).addDependency(ns);
    for (const target of ['ip', 'instance'] as const) {
      this.bindings[target].addDependency(this.services[target]);
    }
  }
}
