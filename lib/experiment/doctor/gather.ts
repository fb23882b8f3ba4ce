import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, DescribePodIdentityAssociationCommand, EKSClient, ListPodIdentityAssociationsCommand } from '@aws-sdk/client-eks';
import {
  GetPolicyCommand, GetPolicyVersionCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import * as k8s from '@kubernetes/client-node';
import { iamRegion } from '../../private/official-policy';
import { CONTROLLER_LABEL, GATEWAY_CONTROLLERS, WEBHOOK_SERVICE, controllerArg, isControllerService } from './diagnose';
import {
  ConditionFact, ControllerFact, DoctorFacts, EventFact, GatewayClassFact, GatewayFact, IdentityFact, IngressClassFact, IngressFact,
  ObjectKey, PolicyFact, ServiceFact, SubnetFact, TargetGroupBindingFact, UncheckedFact, WebhookFact,
} from './facts';

/** The cluster could not be looked at: its API unreachable, or the credentials refused. */
export class ClusterUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterUnreachableError';
  }
}

/** Inputs of {@link gatherFacts}. */
export interface GatherOptions {
  /** A loaded kubeconfig, its current context the cluster to look at. */
  readonly kubeConfig: k8s.KubeConfig;
  /** Namespace of the controller's Deployment. */
  readonly namespace: string;
  /** @default - the controller's `--cluster-name` argument */
  readonly clusterName?: string;
  /** Region of the AWS calls. @default - the controller's `--aws-region` argument, else the SDK's own default */
  readonly region?: string;
  /** The clock, for the age of objects. @default - the time of the call */
  readonly now?: Date;
}

/** The role annotation of IRSA on a service account. */
export const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';

const PAGE = 500;

function apiCode(error: unknown): number | undefined {
  return error instanceof k8s.ApiException ? error.code : undefined;
}

/** The first line of what went wrong, for an `unchecked` entry. */
function reasonOf(error: unknown): string {
  const code = apiCode(error);
  if (code !== undefined) return `the API server answered ${code}${code === 403 ? ' (forbidden to the kubeconfig\'s user)' : ''}`;
  const e = error as Error;
  return `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${String(e.message ?? e).split('\n')[0]}`;
}

/** Every item of a list call, following `continue` tokens. */
async function listAll<T>(page: (token: string | undefined) => Promise<{ items: T[]; metadata?: { _continue?: string } }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const result = await page(token);
    items.push(...result.items);
    token = result.metadata?._continue || undefined;
  } while (token);
  return items;
}

function iso(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function addresses(status: { loadBalancer?: { ingress?: { hostname?: string; ip?: string }[] } } | undefined): string[] {
  return (status?.loadBalancer?.ingress ?? []).flatMap((i) => [i.hostname, i.ip].filter((a): a is string => !!a));
}

function conditions(raw: unknown): ConditionFact[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter((c) => c && typeof c === 'object').map((c) => ({
    type: String(c.type), status: String(c.status),
    ...(c.reason ? { reason: String(c.reason) } : {}), ...(c.message ? { message: String(c.message) } : {}),
  }));
}

/**
 * Runs one read of the API: its result, or undefined with the check recorded as not made (a 404 of something that may
 * not exist only returns undefined); an error that is not the API server's answer means the cluster is out of reach.
 */
type Reader = <T>(check: string, label: string, what: () => Promise<T>, absentOn404?: boolean) => Promise<T | undefined>;

/** A custom object list as plain JSON. */
interface CustomList {
  items: { metadata?: { name?: string; namespace?: string; generation?: number; creationTimestamp?: string }; spec?: any; status?: any }[];
  metadata?: { _continue?: string; continue?: string };
}

/**
 * Reads everything `doctor` looks at, changing nothing: the controller's Deployment and service account, the role's
 * policies (IAM), Ingresses, LoadBalancer Services, TargetGroupBindings and Gateways with their Warning events,
 * the webhook's endpoints, and the VPC's subnets (EC2). What cannot be read is listed in `unchecked`.
 *
 * @throws ClusterUnreachableError when the API server cannot be reached or refuses the credentials
 */
export async function gatherFacts(options: GatherOptions): Promise<DoctorFacts> {
  const kc = options.kubeConfig;
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const networking = kc.makeApiClient(k8s.NetworkingV1Api);
  const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const namespace = options.namespace;
  const unchecked: UncheckedFact[] = [];
  const now = (options.now ?? new Date()).toISOString();

  const read: Reader = async (check, label, what, absentOn404 = false) => {
    try {
      return await what();
    } catch (error) {
      if (apiCode(error) === undefined) throw unreachable(kc, error);
      if (!(absentOn404 && apiCode(error) === 404)) unchecked.push({ check, reason: `cannot read ${label}: ${reasonOf(error)}` });
      return undefined;
    }
  };

  const controller = await readController(kc, apps, namespace);
  const clusterName = options.clusterName ?? (controller && controllerArg(controller.args, 'cluster-name'));
  const region = options.region ?? (controller && controllerArg(controller.args, 'aws-region'));

  let identity: IdentityFact | undefined;
  let policies: PolicyFact[] | undefined;
  let webhook: WebhookFact | undefined;
  if (controller) {
    const sa = await read('policy', `the service account ${namespace}/${controller.serviceAccountName}`, () => core.readNamespacedServiceAccount({ name: controller.serviceAccountName, namespace }));
    const irsa = sa?.metadata?.annotations?.[IRSA_ANNOTATION];
    if (irsa) identity = { via: 'irsa', roleArn: irsa };
    else if (sa) identity = await podIdentity(controller, clusterName, region, unchecked);
    if (identity) policies = await rolePolicies(identity.roleArn, region, unchecked);
    webhook = await readWebhook(core, discovery, namespace, read);
  }

  const ingressClasses: IngressClassFact[] = (await read('ingress', 'IngressClasses', () => listAll((token) =>
    networking.listIngressClass({ limit: PAGE, _continue: token })))) ?.map((k) => ({
    name: k.metadata?.name ?? '',
    controller: k.spec?.controller ?? '',
    isDefault: k.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true',
  })) ?? [];
  const ingresses: IngressFact[] = (await read('ingress', 'Ingresses', () => listAll((token) =>
    networking.listIngressForAllNamespaces({ limit: PAGE, _continue: token })))) ?.map((i) => ({
    namespace: i.metadata?.namespace ?? '',
    name: i.metadata?.name ?? '',
    ...(i.spec?.ingressClassName ? { className: i.spec.ingressClassName } : {}),
    ...(i.metadata?.annotations?.['kubernetes.io/ingress.class'] !== undefined
      ? { classAnnotation: i.metadata.annotations['kubernetes.io/ingress.class'] } : {}),
    addresses: addresses(i.status as never),
    ...(iso(i.metadata?.creationTimestamp) ? { created: iso(i.metadata?.creationTimestamp) } : {}),
  })) ?? [];
  const services: ServiceFact[] = (await read('service', 'Services', () => listAll((token) =>
    core.listServiceForAllNamespaces({ limit: PAGE, _continue: token })))) ?.filter((s) => s.spec?.type === 'LoadBalancer').map((s) => ({
    namespace: s.metadata?.namespace ?? '',
    name: s.metadata?.name ?? '',
    ...(s.spec?.loadBalancerClass ? { loadBalancerClass: s.spec.loadBalancerClass } : {}),
    annotations: s.metadata?.annotations ?? {},
    addresses: addresses(s.status as never),
    ...(iso(s.metadata?.creationTimestamp) ? { created: iso(s.metadata?.creationTimestamp) } : {}),
  })) ?? [];

  const customList = (check: string, group: string, version: string, plural: string) => read(check, `${plural}.${group}`, () => listAll(async (token) => {
    const list = await custom.listClusterCustomObject({ group, version, plural, limit: PAGE, _continue: token }) as CustomList;
    return { items: list.items ?? [], metadata: { _continue: list.metadata?.continue ?? list.metadata?._continue } };
  }), true);
  const targetGroupBindings: TargetGroupBindingFact[] | undefined = (await customList('target-group-binding', 'elbv2.k8s.aws', 'v1beta1',
    'targetgroupbindings'))?.map((t) => ({
    namespace: t.metadata?.namespace ?? '',
    name: t.metadata?.name ?? '',
    generation: t.metadata?.generation ?? 0,
    ...(typeof t.status?.observedGeneration === 'number' ? { observedGeneration: t.status.observedGeneration } : {}),
    conditions: conditions(t.status?.conditions),
    ...(iso(t.metadata?.creationTimestamp) ? { created: iso(t.metadata?.creationTimestamp) } : {}),
  }));
  const gatewayClasses: GatewayClassFact[] | undefined = (await customList('gateway', 'gateway.networking.k8s.io', 'v1', 'gatewayclasses'))
    ?.map((g) => ({ name: g.metadata?.name ?? '', controllerName: String(g.spec?.controllerName ?? '') }));
  const gateways: GatewayFact[] | undefined = gatewayClasses && (await customList('gateway', 'gateway.networking.k8s.io', 'v1', 'gateways'))
    ?.map((g) => ({
      namespace: g.metadata?.namespace ?? '',
      name: g.metadata?.name ?? '',
      className: String(g.spec?.gatewayClassName ?? ''),
      conditions: conditions(g.status?.conditions),
      ...(iso(g.metadata?.creationTimestamp) ? { created: iso(g.metadata?.creationTimestamp) } : {}),
    }));

  // Warning events only for the objects the controller reconciles, read once per namespace they live in.
  const ourGatewayClasses = new Set((gatewayClasses ?? []).filter((k) => GATEWAY_CONTROLLERS.includes(k.controllerName)).map((k) => k.name));
  const watched: ObjectKey[] = [
    ...ingresses.map((i) => ({ kind: 'Ingress', namespace: i.namespace, name: i.name })),
    ...services.filter(isControllerService).map((s) => ({ kind: 'Service', namespace: s.namespace, name: s.name })),
    ...(targetGroupBindings ?? []).map((t) => ({ kind: 'TargetGroupBinding', namespace: t.namespace, name: t.name })),
    ...(gateways ?? []).filter((g) => ourGatewayClasses.has(g.className)).map((g) => ({ kind: 'Gateway', namespace: g.namespace, name: g.name })),
  ];
  const keyOf = (k: ObjectKey) => `${k.kind}/${k.namespace ?? ''}/${k.name}`;
  const wanted = new Set(watched.map(keyOf));
  const events: EventFact[] = [];
  for (const ns of [...new Set(watched.map((k) => k.namespace ?? ''))].sort()) {
    const list = await read('events', `the events of namespace ${ns}`, () => listAll((token) =>
      core.listNamespacedEvent({ namespace: ns, fieldSelector: 'type=Warning', limit: PAGE, _continue: token })));
    for (const e of list ?? []) {
      const object = { kind: e.involvedObject.kind ?? '', namespace: e.involvedObject.namespace ?? ns, name: e.involvedObject.name ?? '' };
      if (e.type !== 'Warning' || !wanted.has(keyOf(object))) continue;
      const lastSeen = iso(e.series?.lastObservedTime) ?? iso(e.lastTimestamp) ?? iso(e.eventTime) ?? iso(e.metadata?.creationTimestamp);
      events.push({
        object, reason: e.reason ?? '', message: e.message ?? '',
        ...(lastSeen ? { lastSeen } : {}), ...(e.count !== undefined ? { count: e.count } : {}),
      });
    }
  }

  let vpcId = controller && controllerArg(controller.args, 'aws-vpc-id');
  let subnets: SubnetFact[] | undefined;
  if (controller) {
    if (!vpcId && clusterName) vpcId = await clusterVpc(clusterName, region, unchecked);
    if (vpcId) subnets = await vpcSubnets(vpcId, region, unchecked);
    else if (!clusterName) unchecked.push({ check: 'subnets', reason: 'no --cluster-name: the controller has no --cluster-name or --aws-vpc-id argument' });
  }

  return {
    now, namespace, ...(clusterName ? { clusterName } : {}), ...(controller ? { controller } : {}),
    ...(identity ? { identity } : {}), ...(policies ? { policies } : {}),
    ingressClasses, ingresses, services,
    ...(targetGroupBindings ? { targetGroupBindings } : {}),
    ...(gatewayClasses ? { gatewayClasses } : {}), ...(gateways ? { gateways } : {}),
    events, ...(webhook ? { webhook } : {}), ...(vpcId ? { vpcId } : {}), ...(subnets ? { subnets } : {}),
    unchecked,
  };
}

function unreachable(kc: k8s.KubeConfig, error: unknown): ClusterUnreachableError {
  const server = kc.getCurrentCluster()?.server ?? '<no server>';
  const e = error as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause?.message ?? e.cause?.code ?? e.message;
  return new ClusterUnreachableError(`cannot reach the Kubernetes API at ${server} (context ${kc.getCurrentContext() || '<none>'}): ` +
    `${String(cause).split('\n')[0]}`);
}

async function readController(kc: k8s.KubeConfig, apps: k8s.AppsV1Api, namespace: string): Promise<ControllerFact | undefined> {
  let deployments: k8s.V1Deployment[];
  try {
    deployments = await listAll((token) => apps.listNamespacedDeployment({ namespace, labelSelector: CONTROLLER_LABEL, limit: PAGE, _continue: token }));
  } catch (error) {
    const code = apiCode(error);
    if (code === undefined) throw unreachable(kc, error);
    if (code === 401 || code === 403) {
      throw new ClusterUnreachableError(`the Kubernetes API at ${kc.getCurrentCluster()?.server} refused to list Deployments in ` +
        `${namespace} to context ${kc.getCurrentContext()} (${code}); use credentials that may read the cluster`);
    }
    if (code === 404) return undefined;
    throw new ClusterUnreachableError(`the Kubernetes API at ${kc.getCurrentCluster()?.server} answered ${code} to a list of Deployments`);
  }
  const d = deployments[0];
  if (!d) return undefined;
  const containers = d.spec?.template.spec?.containers ?? [];
  const container = containers.find((c) => c.name === 'aws-load-balancer-controller')
    ?? containers.find((c) => (c.image ?? '').includes('aws-load-balancer-controller')) ?? containers[0];
  return {
    namespace,
    name: d.metadata?.name ?? '',
    labels: d.metadata?.labels ?? {},
    image: container?.image ?? '',
    args: container?.args ?? [],
    serviceAccountName: d.spec?.template.spec?.serviceAccountName || 'default',
    replicas: d.spec?.replicas ?? 1,
    readyReplicas: d.status?.readyReplicas ?? 0,
  };
}

function awsReason(error: unknown): string {
  const e = error as Error;
  return `${e.name}: ${String(e.message).split('\n')[0]}`;
}

async function podIdentity(controller: ControllerFact, clusterName: string | undefined, region: string | undefined,
  unchecked: UncheckedFact[]): Promise<IdentityFact | undefined> {
  if (!clusterName) {
    unchecked.push({ check: 'policy', reason: `the service account ${controller.serviceAccountName} has no ${IRSA_ANNOTATION}, and without ` +
      'a cluster name its EKS Pod Identity association cannot be looked up; pass --cluster-name' });
    return undefined;
  }
  const eks = new EKSClient({ region });
  try {
    const { associations } = await eks.send(new ListPodIdentityAssociationsCommand({
      clusterName, namespace: controller.namespace, serviceAccount: controller.serviceAccountName,
    }));
    const id = associations?.[0]?.associationId;
    if (!id) {
      unchecked.push({ check: 'policy', reason: `the service account ${controller.namespace}/${controller.serviceAccountName} has no ` +
        `${IRSA_ANNOTATION} and no EKS Pod Identity association: the controller runs with the node's role` });
      return undefined;
    }
    const { association } = await eks.send(new DescribePodIdentityAssociationCommand({ clusterName, associationId: id }));
    return association?.roleArn ? { via: 'pod-identity', roleArn: association.roleArn } : undefined;
  } catch (error) {
    unchecked.push({ check: 'policy', reason: `cannot read the EKS Pod Identity associations of ${clusterName}: ${awsReason(error)}` });
    return undefined;
  } finally {
    eks.destroy();
  }
}

function decodePolicy(document: string | undefined): unknown {
  return document === undefined ? undefined : JSON.parse(decodeURIComponent(document));
}

async function rolePolicies(roleArn: string, region: string | undefined, unchecked: UncheckedFact[]): Promise<PolicyFact[] | undefined> {
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  const partition = /^arn:([^:]+):/.exec(roleArn)?.[1] ?? 'aws';
  const iam = new IAMClient({ region: iamRegion(partition, region) });
  try {
    const policies: PolicyFact[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
      for (const attached of page.AttachedPolicies ?? []) {
        const arn = attached.PolicyArn!;
        const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
        const versionId = Policy?.DefaultVersionId;
        const { PolicyVersion } = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }));
        policies.push({ source: `${arn} (${versionId})`, document: decodePolicy(PolicyVersion?.Document) });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    do {
      const page = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
      for (const name of page.PolicyNames ?? []) {
        const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
        policies.push({ source: `inline ${name}`, document: decodePolicy(PolicyDocument) });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return policies;
  } catch (error) {
    unchecked.push({ check: 'policy', reason: `cannot read the policies of ${roleArn} from IAM: ${awsReason(error)}` });
    return undefined;
  } finally {
    iam.destroy();
  }
}

async function readWebhook(core: k8s.CoreV1Api, discovery: k8s.DiscoveryV1Api, namespace: string,
  read: Reader): Promise<WebhookFact | undefined> {
  const base = { namespace, name: WEBHOOK_SERVICE };
  const service = await read('webhook', `the Service ${namespace}/${WEBHOOK_SERVICE}`, async () => {
    try {
      await core.readNamespacedService({ name: WEBHOOK_SERVICE, namespace });
      return 'present' as const;
    } catch (error) {
      if (apiCode(error) === 404) return 'absent' as const;
      throw error;
    }
  });
  if (service === undefined) return undefined;
  if (service === 'absent') return { ...base, exists: false, ready: 0, notReady: 0, source: 'EndpointSlice' };
  const slices = await read('webhook', `the EndpointSlices of ${WEBHOOK_SERVICE}`, () => discovery.listNamespacedEndpointSlice({
    namespace, labelSelector: `kubernetes.io/service-name=${WEBHOOK_SERVICE}`,
  }).then((list) => list.items), true);
  const own = (slices ?? []).filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === WEBHOOK_SERVICE);
  if (own.length > 0) {
    // A missing ready condition means ready, as the EndpointSlice API defines it.
    const endpoints = own.flatMap((s) => s.endpoints ?? []);
    const ready = endpoints.filter((e) => e.conditions?.ready !== false).length;
    return { ...base, exists: true, ready, notReady: endpoints.length - ready, source: 'EndpointSlice' };
  }
  const legacy = await read('webhook', `the Endpoints of ${WEBHOOK_SERVICE}`, () => core.readNamespacedEndpoints({ name: WEBHOOK_SERVICE, namespace }), true);
  const subsets = legacy?.subsets ?? [];
  return {
    ...base, exists: true, source: 'Endpoints',
    ready: subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0),
    notReady: subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0),
  };
}

async function clusterVpc(clusterName: string, region: string | undefined, unchecked: UncheckedFact[]): Promise<string | undefined> {
  const eks = new EKSClient({ region });
  try {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
    return cluster?.resourcesVpcConfig?.vpcId;
  } catch (error) {
    unchecked.push({ check: 'subnets', reason: `cannot read the VPC of cluster ${clusterName} from EKS: ${awsReason(error)}` });
    return undefined;
  } finally {
    eks.destroy();
  }
}

async function vpcSubnets(vpcId: string, region: string | undefined, unchecked: UncheckedFact[]): Promise<SubnetFact[] | undefined> {
  const ec2 = new EC2Client({ region });
  try {
    const subnets: SubnetFact[] = [];
    let token: string | undefined;
    do {
      const page = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }], NextToken: token }));
      for (const s of page.Subnets ?? []) {
        subnets.push({
          id: s.SubnetId ?? '',
          zone: s.AvailabilityZone ?? '',
          tags: Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        });
      }
      token = page.NextToken;
    } while (token);
    return subnets;
  } catch (error) {
    unchecked.push({ check: 'subnets', reason: `cannot read the subnets of ${vpcId} from EC2: ${awsReason(error)}` });
    return undefined;
  } finally {
    ec2.destroy();
  }
}
