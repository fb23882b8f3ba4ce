import { createHash } from 'crypto';
import { App } from 'cdk8s';
import { ExternalTrafficPolicy, IngressWorkloadChart, IngressWorkloadChartProps, NODE_PORT_RANGE, TargetType } from '../../workloads/ingress-workload-chart';
import { parseIpv4Cidr } from '../../private/validate';
import { LabSettings, labNlbWorkloads, labWorkloads } from '../../../lab-stacks/lab-app';
import { NLB_ANNOTATIONS, NlbWorkloadChart, NlbWorkloadChartProps } from '../../workloads/nlb-workload-chart';

/** A Kubernetes object as the cdk8s chart synthesizes it. */
export type ChartObject = { readonly kind: string; readonly metadata?: any; readonly spec?: any };

import { ALB_MODES, LocalMode, NLB_MODES } from './modes';

export { ALB_MODES, LOCAL_MODES, NLB_MODES } from './modes';
export type { LocalMode } from './modes';


/** What the emulation needs from one workload's synthesized objects. */
export interface LocalWorkload {
  /** `ALB` for an Ingress, `NLB` for a LoadBalancer Service the controller handles. */
  readonly loadBalancer: 'ALB' | 'NLB';
  /** For an NLB: whether the target group keeps the client's address as the source. */
  readonly preserveClientIp?: boolean;
  readonly namespace: string;
  readonly name: string;
  readonly targetType: TargetType;
  readonly replicas: number;
  readonly containerPort: number;
  readonly servicePort: number;
  readonly nodePort?: number;
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
  /** Ports of the ALB listener, from `alb.ingress.kubernetes.io/listen-ports`. */
  readonly listenPort: number;
  readonly healthCheckPath: string;
  /** The synthesized objects, for the path model. */
  readonly objects: readonly ChartObject[];
}

/** An error in the objects the emulation reads; the message names the object and field. */
export class LocalPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalPlanError';
  }
}

/** Reads ports, replicas, policy and health-check path from a workload chart's objects. */
export function readWorkload(objects: readonly ChartObject[]): LocalWorkload {
  const one = (kind: string): ChartObject => {
    const found = objects.filter((o) => o.kind === kind);
    if (found.length !== 1) throw new LocalPlanError(`expected one ${kind} among the chart's objects; found ${found.length}.`);
    return found[0];
  };
  const deployment = one('Deployment');
  const service = one('Service');
  const ingress = one('Ingress');
  const annotations: Record<string, string> = ingress.metadata?.annotations ?? {};
  const targetType = annotations['alb.ingress.kubernetes.io/target-type'];
  if (targetType !== 'ip' && targetType !== 'instance') {
    throw new LocalPlanError(`Ingress ${ingress.metadata?.name} has target type ${JSON.stringify(targetType)}; expected ip or instance.`);
  }
  const port = service.spec?.ports?.[0];
  const containerPort = deployment.spec?.template?.spec?.containers?.[0]?.ports?.[0]?.containerPort;
  const targetPort = typeof port?.targetPort === 'number' ? port.targetPort : containerPort;
  const listen: Array<Record<string, number>> = JSON.parse(annotations['alb.ingress.kubernetes.io/listen-ports'] ?? '[{"HTTP": 80}]');
  const listenPort = listen.map((l) => l.HTTP).find((p) => typeof p === 'number');
  if (typeof targetPort !== 'number' || typeof port?.port !== 'number' || listenPort === undefined) {
    throw new LocalPlanError(`Service ${service.metadata?.name} or its Deployment lacks a numeric port, or the Ingress has no HTTP listener.`);
  }
  if (targetType === 'instance' && service.spec?.type !== 'NodePort') {
    throw new LocalPlanError(`instance mode needs a NodePort Service; ${service.metadata?.name} is ${service.spec?.type ?? 'ClusterIP'}.`);
  }
  return {
    loadBalancer: 'ALB',
    namespace: deployment.metadata.namespace,
    name: deployment.metadata.name,
    targetType,
    replicas: deployment.spec.replicas ?? 1,
    containerPort: targetPort,
    servicePort: port.port,
    nodePort: port.nodePort,
    externalTrafficPolicy: service.spec?.externalTrafficPolicy,
    listenPort,
    healthCheckPath: annotations['alb.ingress.kubernetes.io/healthcheck-path'] ?? '/',
    objects,
  };
}

/** Reads an NLB workload chart's objects: a Deployment behind a Service of type LoadBalancer. */
export function readNlbWorkload(objects: readonly ChartObject[]): LocalWorkload {
  const deployment = objects.find((o) => o.kind === 'Deployment');
  const service = objects.find((o) => o.kind === 'Service');
  const port = service?.spec?.ports?.[0];
  if (!deployment || service?.spec?.type !== 'LoadBalancer' || typeof port?.port !== 'number' || typeof port?.targetPort !== 'number') {
    throw new LocalPlanError('expected a Deployment and a LoadBalancer Service with numeric ports among the NLB chart\'s objects.');
  }
  const annotations: Record<string, string> = service.metadata?.annotations ?? {};
  const targetType = annotations[NLB_ANNOTATIONS.targetType] === 'ip' ? 'ip' : 'instance';
  const preserve = /preserve_client_ip\.enabled=(true|false)/.exec(annotations[NLB_ANNOTATIONS.targetGroupAttributes] ?? '');
  return {
    loadBalancer: 'NLB',
    preserveClientIp: preserve ? preserve[1] === 'true' : targetType === 'instance',
    namespace: deployment.metadata.namespace,
    name: deployment.metadata.name,
    targetType,
    replicas: deployment.spec.replicas ?? 1,
    containerPort: port.targetPort,
    servicePort: port.port,
    nodePort: port.nodePort,
    externalTrafficPolicy: service.spec.externalTrafficPolicy,
    listenPort: port.port,
    healthCheckPath: '/healthz',
    objects,
  };
}

/** Synthesizes a workload chart and reads it. */
export function synthWorkload(props: IngressWorkloadChartProps): LocalWorkload {
  const chart = new IngressWorkloadChart(new App(), 'Chart', props);
  return readWorkload(chart.toJson());
}

/** The chart props of each ALB row, from the same mapping the CDK app uses. */
export function modeWorkloads(settings: Omit<LabSettings, 'region'>): Record<typeof ALB_MODES[number], IngressWorkloadChartProps> {
  const withPolicy = (externalTrafficPolicy: ExternalTrafficPolicy) => labWorkloads({ ...settings, externalTrafficPolicy }).instance;
  return {
    'ip': labWorkloads(settings).ip,
    'instance': withPolicy('Cluster'),
    'instance-local': withPolicy('Local'),
  };
}

/**
 * The workload of each requested row, synthesized from the lab's charts with the same settings mapping the app
 * uses: ALB rows from the Ingress workloads, NLB rows from the NLB workloads, each with the row's preservation or
 * traffic policy.
 */
export function localWorkloads(settings: Omit<LabSettings, 'region'>, modes: readonly LocalMode[]): { mode: LocalMode; workload: LocalWorkload }[] {
  const charts = modeWorkloads(settings);
  const nlbCharts = labNlbWorkloads(settings);
  const nlb = (props: NlbWorkloadChartProps) => readNlbWorkload(new NlbWorkloadChart(new App(), 'Chart', props).toJson());
  const nlbRows: Record<typeof NLB_MODES[number], () => LocalWorkload> = {
    'nlb-ip': () => nlb({ ...nlbCharts.ip, preserveClientIp: false }),
    'nlb-ip-preserve': () => nlb({ ...nlbCharts.ip, preserveClientIp: true }),
    'nlb-instance': () => nlb({ ...nlbCharts.instance, externalTrafficPolicy: 'Cluster' }),
    'nlb-instance-local': () => nlb({ ...nlbCharts.instance, externalTrafficPolicy: 'Local' }),
  };
  return modes.map((mode) => ({
    mode,
    workload: mode in nlbRows ? nlbRows[mode as typeof NLB_MODES[number]]() : synthWorkload(charts[mode as typeof ALB_MODES[number]]),
  }));
}

/** A node: a namespace on the subnet bridge, forwarding for its pods. */
export interface NodePlan {
  /** Kubernetes node name, EKS style: `ip-10-0-0-10.ec2.internal`. */
  readonly name: string;
  readonly netns: string;
  readonly address: string;
}

/** A pod: a namespace with a /32 address behind its node, as the VPC CNI wires it. */
export interface PodPlan {
  readonly name: string;
  readonly namespace: string;
  readonly netns: string;
  readonly node: NodePlan;
  readonly address: string;
  readonly port: number;
  /** Name of the node-side veth, `eni` + hash as the VPC CNI names it. */
  readonly hostVeth: string;
  /** `namespace/name` of the Deployment. */
  readonly workload: string;
}

/** One row: a listener and target group on the load balancer, and the workload behind it. */
export interface RowPlan {
  readonly mode: LocalMode;
  readonly loadBalancer: 'ALB' | 'NLB';
  readonly workload: LocalWorkload;
  /** The load balancer's address toward the client (the listener). */
  readonly publicAddress: string;
  /** The load balancer's address in the subnet (its network interface, the source of its connections). */
  readonly vpcAddress: string;
  readonly listenPort: number;
  readonly targets: readonly { readonly address: string; readonly port: number; readonly name: string }[];
  /** kube-proxy's health-check node port for a `Local` Service, allocated as the API server would. */
  readonly healthCheckNodePort?: number;
}

export interface EmulationPlan {
  /** The client and the load balancers' addresses on the client's network. */
  readonly client: { readonly address: string; readonly albGateway: string; readonly nlbGateway: string; readonly prefix: number };
  readonly subnet: { readonly cidr: string; readonly prefix: number };
  readonly nodes: readonly NodePlan[];
  readonly pods: readonly PodPlan[];
  readonly rows: readonly RowPlan[];
}

/** The "internet" side: documentation ranges, never routed outside the run's namespaces. */
const CLIENT = { address: '198.51.100.7', albGateway: '198.51.100.1', nlbGateway: '198.51.100.2', prefix: 24 };
const PUBLIC_BASE = '203.0.113.';
/** Host numbers in the subnet: nodes from 10, load balancer interfaces from 60, pods from 100. */
const HOST = { node: 10, loadBalancer: 60, pod: 100 };

/** Lays out nodes, pods, addresses and targets for the given rows. */
export function planEmulation(rows: readonly { mode: LocalMode; workload: LocalWorkload }[], options: {
  readonly vpcCidr: string;
  readonly nodeCount: number;
}): EmulationPlan {
  const cidr = parseIpv4Cidr(options.vpcCidr);
  if (!cidr || cidr.prefix > 24) throw new LocalPlanError(`vpcCidr must be an IPv4 block of /24 or larger; got '${options.vpcCidr}'.`);
  if (options.nodeCount < 1 || options.nodeCount > HOST.loadBalancer - HOST.node) {
    throw new LocalPlanError(`nodeCount must be between 1 and ${HOST.loadBalancer - HOST.node}; got ${options.nodeCount}.`);
  }
  const host = (n: number) => formatIpv4(cidr.address + n);
  const nodes: NodePlan[] = Array.from({ length: options.nodeCount }, (_, i) => {
    const address = host(HOST.node + i);
    return { name: `ip-${address.replace(/\./g, '-')}.ec2.internal`, netns: `node${i}`, address };
  });

  const pods: PodPlan[] = [];
  const podsOf = new Map<string, PodPlan[]>();
  for (const { workload } of rows) {
    const key = `${workload.namespace}/${workload.name}`;
    if (podsOf.has(key)) continue;
    const template = hash(JSON.stringify(workload.objects.find((o) => o.kind === 'Deployment')?.spec?.template), 10);
    const own: PodPlan[] = [];
    for (let i = 0; i < workload.replicas; i++) {
      const name = `${workload.name}-${template}-${hash(`${key}/${i}`, 5)}`;
      if (HOST.pod + pods.length >= 2 ** (32 - cidr.prefix) - 1) throw new LocalPlanError(`vpcCidr ${options.vpcCidr} has no room for ${pods.length + 1} pods.`);
      const pod: PodPlan = {
        name,
        namespace: workload.namespace,
        netns: `pod${pods.length}`,
        // Topology spread over nodes: replicas alternate, as the scheduler places them on an idle cluster.
        node: nodes[i % nodes.length],
        address: host(HOST.pod + pods.length),
        port: workload.containerPort,
        hostVeth: `eni${hash(`${workload.namespace}.${name}`, 11)}`,
        workload: key,
      };
      own.push(pod);
      pods.push(pod);
    }
    podsOf.set(key, own);
  }

  // A Service without a fixed NodePort gets one from the range, as the API server allocates it.
  const usedNodePorts = new Set(rows.map((r) => r.workload.nodePort).filter((p): p is number => p !== undefined));
  const allocated = new Map<string, number>();
  const rowPlans = rows.map(({ mode, workload: declared }, i): RowPlan => {
    const key = `${declared.namespace}/${declared.name}`;
    if (declared.targetType === 'instance' && declared.nodePort === undefined && !allocated.has(key)) allocated.set(key, firstFree(usedNodePorts));
    const workload = declared.nodePort === undefined && allocated.has(key) ? { ...declared, nodePort: allocated.get(key) } : declared;
    const own = podsOf.get(key)!;
    const targets = workload.targetType === 'ip'
      ? own.map((p) => ({ address: p.address, port: workload.containerPort, name: p.name }))
      : nodes.map((n) => ({ address: n.address, port: workload.nodePort!, name: n.name }));
    return {
      mode,
      loadBalancer: workload.loadBalancer,
      workload,
      publicAddress: `${PUBLIC_BASE}${10 + i}`,
      vpcAddress: host(HOST.loadBalancer + i),
      listenPort: workload.listenPort,
      targets,
      healthCheckNodePort: workload.externalTrafficPolicy === 'Local' ? firstFree(usedNodePorts) : undefined,
    };
  });
  return { client: CLIENT, subnet: { cidr: options.vpcCidr, prefix: cidr.prefix }, nodes, pods, rows: rowPlans };
}

/** The pods behind a row, in plan order. */
export function podsOfRow(plan: EmulationPlan, row: RowPlan): PodPlan[] {
  return plan.pods.filter((p) => p.workload === `${row.workload.namespace}/${row.workload.name}`);
}

function firstFree(used: Set<number>): number {
  let port = NODE_PORT_RANGE.min;
  while (used.has(port)) port++;
  used.add(port);
  return port;
}

function hash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}
