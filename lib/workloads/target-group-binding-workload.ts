import { Annotations, Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as cdk8s from 'cdk8s';
import { Construct } from 'constructs';
import { CROSS_ZONE_VALUES, CrossZoneLoadBalancing, ECHO_PORT, TargetType } from './ingress-workload-chart';
import { requireNodePort } from './echo-pod';
import { LoadBalancerController } from '../controller/load-balancer-controller';
import { applyAfterController } from './private/apply-chart';
import { acknowledgeNag } from '../private/nag';
import { requireCidrList, requireInteger, requireOneOf, requireRuleCount } from '../private/validate';
import { CROSS_ZONE_ATTRIBUTE } from '../private/annotations';
import { TargetGroupBindingChart, TargetGroupBindingChartProps } from './target-group-binding-chart';
import { LabValidationError } from '../errors';
import { IPV6_IP_TARGETS_ONLY, isIpv6Cluster } from './private/ip-family';

/** Path prefixes the listener forwards to each target group. */
export const TARGET_GROUP_BINDING_PATHS: Readonly<Record<TargetType, string>> = { ip: '/ip', instance: '/instance' };

/** Properties of a {@link TargetGroupBindingWorkload}. */
export interface TargetGroupBindingWorkloadProps extends Omit<TargetGroupBindingChartProps,
  'ipTargetGroupArn' | 'instanceTargetGroupArn' | 'vpcId' | 'loadBalancerSecurityGroupId'> {
  /** The cluster to deploy into; may live in another stack. */
  readonly cluster: eks.ICluster;

  /** The controller that reconciles the TargetGroupBindings; they are applied after it and deleted before it. */
  readonly controller: LoadBalancerController;

  /** The cluster's VPC: the load balancer's public subnets and the target groups' VPC. */
  readonly vpc: ec2.IVpc;

  /**
   * Client CIDR blocks the load balancer's security group admits on port 80.
   * @default ['0.0.0.0/0']
   */
  readonly inboundCidrs?: readonly string[];

  /**
   * Cross-zone load balancing of both target groups (attribute `load_balancing.cross_zone.enabled`).
   * @default - not written: the target groups follow the ALB, which always balances across zones
   */
  readonly crossZoneLoadBalancing?: CrossZoneLoadBalancing;
}

/**
 * A load balancer owned by CloudFormation whose targets Kubernetes keeps current: an internet-facing ALB with
 * its own security group, one listener on port 80 forwarding `/ip` to an `ip` target group and `/instance` to
 * an `instance` target group on the NodePort, and the {@link TargetGroupBindingChart} that binds the echo
 * Services to those target groups, with the ARNs, VPC and security group passed in from this stack.
 */
export class TargetGroupBindingWorkload extends Construct {
  /** The ALB. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;

  /** The ALB's security group: clients in, the pods' port and the NodePort out. */
  public readonly securityGroup: ec2.SecurityGroup;

  /** The target groups by target type. */
  public readonly targetGroups: Readonly<Record<TargetType, elbv2.ApplicationTargetGroup>>;

  /** The HTTP listener on port 80. */
  public readonly listener: elbv2.ApplicationListener;

  /** The cdk8s chart whose objects are applied. */
  public readonly chart: TargetGroupBindingChart;

  /** The applied manifest. */
  public readonly manifest: eks.KubernetesManifest;

  /** URLs by target type: `http://<ALB DNS name>/ip` and `.../instance`. */
  public readonly urls: Readonly<Record<TargetType, string>>;

  constructor(scope: Construct, id: string, props: TargetGroupBindingWorkloadProps) {
    super(scope, id);
    const { cluster, controller, vpc, inboundCidrs: cidrs, crossZoneLoadBalancing: _crossZone, ...chartProps } = props;
    const inboundCidrs = cidrs ?? ['0.0.0.0/0'];
    if (isIpv6Cluster(cluster)) {
      throw new LabValidationError(this, 'cluster', `is an IPv6 cluster, where this workload's instance target group cannot serve: ` +
        `${IPV6_IP_TARGETS_ONLY}; got ipFamily 'ipv6'. Use IngressWorkload or NlbWorkload with 'ip' targets there.`);
    }
    const containerPort = props.containerPort ?? ECHO_PORT;
    requireCidrList(this, 'inboundCidrs', inboundCidrs);
    requireRuleCount(this, 'inboundCidrs', inboundCidrs);
    if (props.crossZoneLoadBalancing !== undefined) requireOneOf(this, 'crossZoneLoadBalancing', props.crossZoneLoadBalancing, CROSS_ZONE_VALUES);
    // The ports shape the security group and target groups below, before the chart would check them.
    requireNodePort(this, props.nodePort, { example: 30081 });
    requireInteger(this, 'containerPort', containerPort, 1, 65535, `The echoserver image listens on ${ECHO_PORT}.`);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'eks-lb-lab TargetGroupBinding ALB: clients on 80; pods and NodePort in the VPC',
      allowAllOutbound: false,
    });
    for (const cidr of inboundCidrs) {
      this.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(80), 'HTTP from clients');
    }
    if (inboundCidrs.includes('0.0.0.0/0')) {
      Annotations.of(this).addWarningV2('eks-lb-lab:openInboundCidrs', 'The TargetGroupBinding ALB admits 0.0.0.0/0 ' +
        `(anyone on the internet). Restrict 'inboundCidrs' to your address, e.g. ['203.0.113.7/32'].`);
      acknowledgeNag(this.securityGroup, ['EC23'], 'Port 80 is open to 0.0.0.0/0 only because inboundCidrs says so (the ' +
        'lab default, which synthesis warns about); the listener answers the echo pods and nothing else.');
    }
    // Traffic and health checks use the targets' ports: the pod port for ip, the NodePort for instance.
    this.securityGroup.addEgressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(containerPort), 'to pods (ip targets)');
    this.securityGroup.addEgressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(props.nodePort), 'to the NodePort (instance targets)');

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: this.securityGroup,
    });
    acknowledgeNag(this.loadBalancer, ['ELB2'], 'A lab ALB that lives for an experiment: access logs would need an S3 ' +
      'bucket with a policy for the regional ELB account that outlives the stack; the probe records every request instead.');
    const targetGroup = (id: string, targetType: elbv2.TargetType, port: number) => new elbv2.ApplicationTargetGroup(this, id, {
      vpc,
      targetType,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port,
      healthCheck: { path: '/', interval: Duration.seconds(15) },
      deregistrationDelay: Duration.seconds(30),
    });
    this.targetGroups = {
      ip: targetGroup('IpTargetGroup', elbv2.TargetType.IP, containerPort),
      instance: targetGroup('InstanceTargetGroup', elbv2.TargetType.INSTANCE, props.nodePort),
    };
    for (const tg of Object.values(this.targetGroups)) {
      if (props.crossZoneLoadBalancing !== undefined) tg.setAttribute(CROSS_ZONE_ATTRIBUTE, props.crossZoneLoadBalancing);
    }

    this.listener = this.loadBalancer.addListener('Listener', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'try /ip or /instance\n' }),
    });
    (['ip', 'instance'] as const).forEach((target, i) => {
      const path = TARGET_GROUP_BINDING_PATHS[target];
      this.listener.addAction(target === 'ip' ? 'Ip' : 'Instance', {
        priority: (i + 1) * 10,
        conditions: [elbv2.ListenerCondition.pathPatterns([path, `${path}/*`])],
        action: elbv2.ListenerAction.forward([this.targetGroups[target]]),
      });
    });

    this.chart = new TargetGroupBindingChart(new cdk8s.App(), 'Chart', {
      ...chartProps,
      ipTargetGroupArn: this.targetGroups.ip.targetGroupArn,
      instanceTargetGroupArn: this.targetGroups.instance.targetGroupArn,
      vpcId: vpc.vpcId,
      loadBalancerSecurityGroupId: this.securityGroup.securityGroupId,
    });
    // The bindings reference the target groups and the security group, not the ALB: they are applied while the ALB
    // is still provisioning (minutes). Targets registered before a listener rule uses their group wait as `unused`
    // and are health-checked as soon as the rule exists.
    this.manifest = applyAfterController(this, cluster, controller, this.chart);

    const dns = this.loadBalancer.loadBalancerDnsName;
    this.urls = { ip: `http://${dns}${TARGET_GROUP_BINDING_PATHS.ip}`, instance: `http://${dns}${TARGET_GROUP_BINDING_PATHS.instance}` };
  }
}
