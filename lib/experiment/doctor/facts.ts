/**
 * What `eks-lb-lab doctor` reads from a cluster and its AWS account, as plain data: the gatherer fills it in, the
 * diagnosis reads only this, so every finding can be tested from a recording.
 */

/** A Kubernetes object by kind, namespace and name. */
export interface ObjectKey {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** A Warning event about one of the objects looked at. */
export interface EventFact {
  readonly object: ObjectKey;
  readonly reason: string;
  readonly message: string;
  /** When it was last seen, ISO 8601; absent when the event carries no time. */
  readonly lastSeen?: string;
  readonly count?: number;
}

/** The controller's Deployment. */
export interface ControllerFact {
  readonly namespace: string;
  readonly name: string;
  /** Deployment labels: `helm.sh/chart`, `app.kubernetes.io/version` when the chart installed it. */
  readonly labels: Readonly<Record<string, string>>;
  /** The controller container's image, `public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0`. */
  readonly image: string;
  /** The controller container's arguments (`--cluster-name=...`, `--ingress-class=alb`, ...). */
  readonly args: readonly string[];
  readonly serviceAccountName: string;
  readonly replicas: number;
  readonly readyReplicas: number;
}

/** How the controller's pods get AWS credentials, and the role they get. */
export interface IdentityFact {
  /** `irsa`: the service account's `eks.amazonaws.com/role-arn`; `pod-identity`: an EKS Pod Identity association. */
  readonly via: 'irsa' | 'pod-identity';
  readonly roleArn: string;
}

/** One policy document on the controller's role. */
export interface PolicyFact {
  /** `arn:aws:iam::111122223333:policy/Name (v3)` for a managed policy, `inline Name` for an inline one. */
  readonly source: string;
  /** The decoded document. */
  readonly document: unknown;
}

export interface IngressClassFact {
  readonly name: string;
  /** `spec.controller`, `ingress.k8s.aws/alb` for this controller. */
  readonly controller: string;
  /** Annotated `ingressclass.kubernetes.io/is-default-class: "true"`. */
  readonly isDefault: boolean;
}

export interface IngressFact {
  readonly namespace: string;
  readonly name: string;
  /** `spec.ingressClassName`. */
  readonly className?: string;
  /** The `kubernetes.io/ingress.class` annotation, which the controller reads before `spec.ingressClassName`. */
  readonly classAnnotation?: string;
  /** Hostnames and IPs of `status.loadBalancer.ingress`. */
  readonly addresses: readonly string[];
  /** `metadata.creationTimestamp`, ISO 8601. */
  readonly created?: string;
}

/** A Service of type LoadBalancer. */
export interface ServiceFact {
  readonly namespace: string;
  readonly name: string;
  readonly loadBalancerClass?: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly addresses: readonly string[];
  readonly created?: string;
}

/** A status condition, as Kubernetes writes them. */
export interface ConditionFact {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface TargetGroupBindingFact {
  readonly namespace: string;
  readonly name: string;
  readonly generation: number;
  /** `status.observedGeneration`: the generation the controller last reconciled without error. */
  readonly observedGeneration?: number;
  readonly conditions: readonly ConditionFact[];
  readonly created?: string;
}

export interface GatewayClassFact {
  readonly name: string;
  /** `spec.controllerName`; this controller's are `gateway.k8s.aws/alb` and `gateway.k8s.aws/nlb`. */
  readonly controllerName: string;
}

export interface GatewayFact {
  readonly namespace: string;
  readonly name: string;
  readonly className: string;
  readonly conditions: readonly ConditionFact[];
  readonly created?: string;
}

/** The controller's webhook Service and how many of its endpoints are ready. */
export interface WebhookFact {
  readonly namespace: string;
  readonly name: string;
  /** Whether the Service exists. */
  readonly exists: boolean;
  readonly ready: number;
  readonly notReady: number;
  /** Where the endpoints were read: EndpointSlices, or the older Endpoints object. */
  readonly source: 'EndpointSlice' | 'Endpoints';
}

export interface SubnetFact {
  readonly id: string;
  readonly zone: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** A check the gatherer could not make, and why. */
export interface UncheckedFact {
  readonly check: string;
  readonly reason: string;
}

/** Everything the diagnosis reads. A list left undefined was not read (see `unchecked`) or its API does not exist. */
export interface DoctorFacts {
  /** When the facts were gathered, ISO 8601. */
  readonly now: string;
  /** The namespace searched for the controller. */
  readonly namespace: string;
  /** From `--cluster-name`, else the controller's own `--cluster-name` argument. */
  readonly clusterName?: string;
  /** Absent when no controller Deployment was found. */
  readonly controller?: ControllerFact;
  readonly identity?: IdentityFact;
  /** Every policy on the role, managed and inline. */
  readonly policies?: readonly PolicyFact[];
  readonly ingressClasses: readonly IngressClassFact[];
  readonly ingresses: readonly IngressFact[];
  readonly services: readonly ServiceFact[];
  /** Undefined when the TargetGroupBinding CRD is not installed. */
  readonly targetGroupBindings?: readonly TargetGroupBindingFact[];
  /** Undefined when the Gateway API CRDs are not installed. */
  readonly gatewayClasses?: readonly GatewayClassFact[];
  readonly gateways?: readonly GatewayFact[];
  /** Warning events about the Ingresses, Services, TargetGroupBindings and Gateways above. */
  readonly events: readonly EventFact[];
  readonly webhook?: WebhookFact;
  readonly vpcId?: string;
  readonly subnets?: readonly SubnetFact[];
  readonly unchecked: readonly UncheckedFact[];
}
