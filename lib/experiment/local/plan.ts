import { createHash } from 'crypto';
import { NODE_PORT_RANGE } from '../../workloads/ingress-workload-chart';
import { parseIpv4Cidr } from '../../private/validate';
import type { ExpectedPath } from '../path-model';
import { UserError } from '../../errors';

/** What the emulation takes from a path: all of it read off the path model, nothing from the objects again. */
export interface LocalWorkload {
  readonly loadBalancer: 'ALB' | 'NLB';
  /** For an NLB: whether the target group keeps the client's address as the source. */
  readonly preserveClientIp?: boolean;
  readonly namespace: string;
  readonly name: string;
  readonly targetType: 'ip' | 'instance';
  readonly replicas: number;
  readonly containerPort: number;
  /** The Service's NodePort: fixed by the objects, or allocated by the plan as the API server would. */
  readonly nodePort?: number;
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  readonly listenPort: number;
  /** The HTTP path of the ALB's health check. */
  readonly healthCheckPath: string;
  /** Each load balancer node sends to targets in every zone, not only its own. */
  readonly crossZone: boolean;
}

/** A path the emulation cannot build; the message names the path and what it lacks. */
export class LocalPlanError extends UserError {}

/** The emulation's view of one expected path: an ALB or NLB path with a listener and a health check it can run. */
export function localWorkload(mode: string, path: ExpectedPath): LocalWorkload {
  if (path.loadBalancer === 'CLB' || path.listener === undefined) {
    throw new LocalPlanError(`${mode}: the emulation builds ALB and NLB paths with a listener; ${path.id} is ${path.loadBalancer} without one.`);
  }
  const { workload, targetGroup } = path;
  return {
    loadBalancer: path.loadBalancer,
    ...(path.preserveClientIp !== undefined ? { preserveClientIp: path.preserveClientIp } : {}),
    namespace: workload.namespace,
    name: workload.name,
    targetType: path.targetType,
    replicas: workload.replicas,
    containerPort: workload.containerPort,
    ...(path.targetType === 'instance' && workload.nodePort !== undefined ? { nodePort: workload.nodePort } : {}),
    ...(path.externalTrafficPolicy ? { externalTrafficPolicy: path.externalTrafficPolicy } : {}),
    listenPort: path.listener.port,
    healthCheckPath: targetGroup.healthCheck.path ?? '/',
    crossZone: path.crossZone,
  };
}

/** A node: a namespace on the subnet bridge, forwarding for its pods. */
export interface NodePlan {
  /** Kubernetes node name, EKS style: `ip-10-0-0-10.ec2.internal`. */
  readonly name: string;
  readonly netns: string;
  readonly address: string;
  /** The availability zone of the node's subnet. */
  readonly zone: string;
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
  readonly mode: string;
  readonly loadBalancer: 'ALB' | 'NLB';
  readonly workload: LocalWorkload;
  /** The load balancer's address toward the client (the listener). */
  readonly publicAddress: string;
  /** The load balancer's address in the first zone's subnet (the source of its health checks). */
  readonly vpcAddress: string;
  /** The load balancer's node in each zone: its network interface there, the source of the connections it opens. */
  readonly interfaces: readonly { readonly zone: string; readonly address: string }[];
  readonly listenPort: number;
  readonly targets: readonly { readonly address: string; readonly port: number; readonly name: string; readonly zone: string }[];
  /** kube-proxy's health-check node port for a `Local` Service, allocated as the API server would. */
  readonly healthCheckNodePort?: number;
}

export interface EmulationPlan {
  /** The client and the load balancers' addresses on the client's network. */
  readonly client: { readonly address: string; readonly albGateway: string; readonly nlbGateway: string; readonly prefix: number };
  readonly subnet: { readonly cidr: string; readonly prefix: number };
  /** One subnet per zone, each an equal share of the VPC block: nodes, their pods and the load balancers' interfaces. */
  readonly subnets: readonly { readonly zone: string; readonly cidr: string }[];
  readonly nodes: readonly NodePlan[];
  readonly pods: readonly PodPlan[];
  readonly rows: readonly RowPlan[];
}

/** The "internet" side: documentation ranges, never routed outside the run's namespaces. */
const CLIENT = { address: '198.51.100.7', albGateway: '198.51.100.1', nlbGateway: '198.51.100.2', prefix: 24 };
const PUBLIC_BASE = '203.0.113.';
/** Host numbers in each zone's subnet: nodes from 10, load balancer interfaces from 60, pods from 100. */
const HOST = { node: 10, loadBalancer: 60, pod: 100 };

/** The zones the emulation spreads over: `azCount` of them, named as in `region` (`us-east-1a`, `us-east-1b`). */
export function emulatedZones(region: string, azCount: number): string[] {
  return Array.from({ length: azCount }, (_, i) => `${region}${String.fromCharCode(97 + i)}`);
}

/** Lays out nodes, pods, addresses and targets for the given rows, each an expected path under its mode's name. */
export function planEmulation(paths: readonly { mode: string; path: ExpectedPath }[], options: {
  readonly vpcCidr: string;
  readonly nodeCount: number;
  /** @default - two zones, `us-east-1a` and `us-east-1b` */
  readonly zones?: readonly string[];
}): EmulationPlan {
  const zones = options.zones ?? emulatedZones('us-east-1', 2);
  const cidr = parseIpv4Cidr(options.vpcCidr);
  if (!cidr || cidr.prefix > 24) throw new LocalPlanError(`vpcCidr must be an IPv4 block of /24 or larger; got '${options.vpcCidr}'.`);
  // Equal subnets, one per zone, as many as a power of two needs: /24 in two zones gives two /25s.
  const zonePrefix = cidr.prefix + Math.ceil(Math.log2(zones.length));
  const zoneSize = 2 ** (32 - zonePrefix);
  const perZone = Math.ceil(options.nodeCount / zones.length);
  if (options.nodeCount < 1 || perZone > HOST.loadBalancer - HOST.node) {
    throw new LocalPlanError(`nodeCount must be between 1 and ${(HOST.loadBalancer - HOST.node) * zones.length}; got ${options.nodeCount}.`);
  }
  if (zoneSize <= HOST.pod) {
    throw new LocalPlanError(`vpcCidr ${options.vpcCidr} split over ${zones.length} zones gives subnets of /${zonePrefix}, too small ` +
      `for the layout; use a /${25 - (zonePrefix - cidr.prefix)} or larger.`);
  }
  const host = (zone: number, n: number) => formatIpv4(cidr.address + zone * zoneSize + n);
  const subnets = zones.map((zone, i) => ({ zone, cidr: `${formatIpv4(cidr.address + i * zoneSize)}/${zonePrefix}` }));
  // A managed node group spreads its nodes over the zones in turn.
  const nodes: NodePlan[] = Array.from({ length: options.nodeCount }, (_, i) => {
    const address = host(i % zones.length, HOST.node + Math.floor(i / zones.length));
    return { name: `ip-${address.replace(/\./g, '-')}.ec2.internal`, netns: `node${i}`, address, zone: zones[i % zones.length] };
  });
  const podsInZone = zones.map(() => 0);

  const rows = paths.map(({ mode, path }) => ({ mode, workload: localWorkload(mode, path) }));
  const pods: PodPlan[] = [];
  const podsOf = new Map<string, PodPlan[]>();
  for (const { mode, workload } of rows) {
    const key = `${workload.namespace}/${workload.name}`;
    if (podsOf.has(key)) continue;
    // ReplicaSet-style names: a hash standing in for the pod template's.
    const template = hash(JSON.stringify(paths.find((p) => p.mode === mode)!.path.workload), 10);
    const own: PodPlan[] = [];
    for (let i = 0; i < workload.replicas; i++) {
      const name = `${workload.name}-${template}-${hash(`${key}/${i}`, 5)}`;
      const node = nodes[i % nodes.length];
      const zone = zones.indexOf(node.zone);
      if (HOST.pod + podsInZone[zone] >= zoneSize - 1) throw new LocalPlanError(`vpcCidr ${options.vpcCidr} has no room for ${pods.length + 1} pods.`);
      const pod: PodPlan = {
        name,
        namespace: workload.namespace,
        netns: `pod${pods.length}`,
        // Topology spread over nodes: replicas alternate, as the scheduler places them on an idle cluster.
        node,
        // The VPC CNI gives a pod an address from its node's subnet.
        address: host(zone, HOST.pod + podsInZone[zone]++),
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
      ? own.map((p) => ({ address: p.address, port: workload.containerPort, name: p.name, zone: p.node.zone }))
      : nodes.map((n) => ({ address: n.address, port: workload.nodePort!, name: n.name, zone: n.zone }));
    if (i >= HOST.pod - HOST.loadBalancer) throw new LocalPlanError(`the emulation runs at most ${HOST.pod - HOST.loadBalancer} modes at once; got ${rows.length}.`);
    const interfaces = zones.map((zone, z) => ({ zone, address: host(z, HOST.loadBalancer + i) }));
    return {
      mode,
      loadBalancer: workload.loadBalancer,
      workload,
      publicAddress: `${PUBLIC_BASE}${10 + i}`,
      vpcAddress: interfaces[0].address,
      interfaces,
      listenPort: workload.listenPort,
      targets,
      healthCheckNodePort: workload.externalTrafficPolicy === 'Local' ? firstFree(usedNodePorts) : undefined,
    };
  });
  return { client: CLIENT, subnet: { cidr: options.vpcCidr, prefix: cidr.prefix }, subnets, nodes, pods, rows: rowPlans };
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
