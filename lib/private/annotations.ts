// The annotation names the lab's charts write, the path model reads and the grammar checks, each once.

/** Ingress annotations of the AWS Load Balancer Controller (`alb.ingress.kubernetes.io/*`). */
export const ALB = {
  prefix: 'alb.ingress.kubernetes.io/',
  targetType: 'alb.ingress.kubernetes.io/target-type',
  scheme: 'alb.ingress.kubernetes.io/scheme',
  listenPorts: 'alb.ingress.kubernetes.io/listen-ports',
  healthcheckPath: 'alb.ingress.kubernetes.io/healthcheck-path',
  healthcheckPort: 'alb.ingress.kubernetes.io/healthcheck-port',
  inboundCidrs: 'alb.ingress.kubernetes.io/inbound-cidrs',
  groupName: 'alb.ingress.kubernetes.io/group.name',
  groupOrder: 'alb.ingress.kubernetes.io/group.order',
  targetGroupAttributes: 'alb.ingress.kubernetes.io/target-group-attributes',
  ipAddressType: 'alb.ingress.kubernetes.io/ip-address-type',
} as const;

/** The namespace label that has the controller's `mpod.elbv2.k8s.aws` webhook inject pod readiness gates. */
export const READINESS_GATE_INJECT_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';

/** The prefix of the readiness gate condition types the controller injects and sets. */
export const TARGET_HEALTH_CONDITION_PREFIX = 'target-health.elbv2.k8s.aws';

/** Service annotations for an NLB (`service.beta.kubernetes.io/aws-load-balancer-*`). */
export const NLB = {
  prefix: 'service.beta.kubernetes.io/aws-load-balancer-',
  type: 'service.beta.kubernetes.io/aws-load-balancer-type',
  targetType: 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type',
  scheme: 'service.beta.kubernetes.io/aws-load-balancer-scheme',
  targetGroupAttributes: 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes',
  proxyProtocol: 'service.beta.kubernetes.io/aws-load-balancer-proxy-protocol',
  healthcheckPort: 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port',
  healthcheckProtocol: 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol',
  healthcheckPath: 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path',
  attributes: 'service.beta.kubernetes.io/aws-load-balancer-attributes',
  crossZone: 'service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled',
  ipAddressType: 'service.beta.kubernetes.io/aws-load-balancer-ip-address-type',
} as const;

/** The target group (and NLB) attribute that says whether load balancer nodes send to targets in other zones. */
export const CROSS_ZONE_ATTRIBUTE = 'load_balancing.cross_zone.enabled';

/** The Ingress class annotation that predates `spec.ingressClassName`. */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** The GatewayClass controller names of the AWS Load Balancer Controller, by the load balancer each stands for. */
export const GATEWAY_CONTROLLER = { ALB: 'gateway.k8s.aws/alb', NLB: 'gateway.k8s.aws/nlb' } as const;

/** Target group attributes the lab writes and the path model reads, in annotations and TargetGroupConfigurations. */
export const TG_ATTRIBUTE = { preserveClientIp: 'preserve_client_ip.enabled', proxyProtocolV2: 'proxy_protocol_v2.enabled' } as const;
