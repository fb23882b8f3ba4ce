/**
 * A model of how long CloudFormation takes to create or delete the stacks of a cloud assembly (cdk.out):
 * each resource starts when the resources it uses are done (DependsOn, Ref, Fn::GetAtt, Fn::Sub) and takes a
 * typical time for its type; each stack starts when the stacks it depends on are done (the manifest's
 * dependencies, which include cross-stack references) and a free deployment slot, as the CDK CLI's
 * `--concurrency` gives them. Deletion runs the same graphs backwards. No I/O: the caller reads the files.
 *
 * The durations are estimates of typical times, not measurements; the model compares shapes of dependency
 * graphs, and its totals are as good as the table.
 */

/** Create or delete. */
export type DeployOperation = 'create' | 'delete';

/** Typical durations of one kind of resource. */
export interface ResourceDuration {
  /** What the row matches, as shown in the table. */
  readonly kind: string;
  /** Seconds to create. */
  readonly create: number;
  /** Seconds to delete. */
  readonly delete: number;
  /** Where the figures come from. */
  readonly source: string;
}

/** The durations the model uses, by CloudFormation resource type; `matches` picks a row for a resource. */
export const RESOURCE_DURATIONS: readonly (ResourceDuration & { readonly matches: (type: string, props: Props) => boolean })[] = [
  { kind: 'AWS::EKS::Cluster', create: 600, delete: 300, matches: (t) => t === 'AWS::EKS::Cluster',
    source: 'AWS once gave 15 minutes as the average for a control plane (aws/containers-roadmap#1227); 10 minutes is an estimate of it today, as is the deletion' },
  { kind: 'AWS::EKS::Nodegroup', create: 180, delete: 300, matches: (t) => t === 'AWS::EKS::Nodegroup',
    source: 'estimate: instances launch, join and become Ready; deletion drains and terminates them' },
  { kind: 'AWS::EKS::Addon', create: 60, delete: 30, matches: (t) => t === 'AWS::EKS::Addon',
    source: 'estimate: until the add-on is active' },
  { kind: 'Custom::AWSCDK-EKS-HelmChart, Wait true', create: 120, delete: 30,
    matches: (t, p) => t === 'Custom::AWSCDK-EKS-HelmChart' && isTrue(p.Wait),
    source: 'estimate: helm install --wait until the controller\'s pods are ready, image pulls included' },
  { kind: 'Custom::AWSCDK-EKS-HelmChart', create: 30, delete: 30, matches: (t) => t === 'Custom::AWSCDK-EKS-HelmChart',
    source: 'estimate: one invocation of the kubectl handler' },
  { kind: 'Custom::AWSCDK-EKS-KubernetesResource', create: 30, delete: 60, matches: (t) => t === 'Custom::AWSCDK-EKS-KubernetesResource',
    source: 'estimate: kubectl apply through the kubectl handler; deletion waits for finalizers, such as the controller removing its load balancer' },
  { kind: 'Custom::AWSCDK-EKS-KubernetesObjectValue', create: 150, delete: 5,
    matches: (t) => t === 'Custom::AWSCDK-EKS-KubernetesObjectValue',
    source: 'estimate: polling until the controller has made the load balancer and written its hostname into the status' },
  { kind: 'AWS::ElasticLoadBalancingV2::LoadBalancer', create: 180, delete: 30,
    matches: (t) => t === 'AWS::ElasticLoadBalancingV2::LoadBalancer', source: 'estimate: provisioning until active' },
  { kind: 'AWS::EC2::NatGateway', create: 90, delete: 60, matches: (t) => t === 'AWS::EC2::NatGateway',
    source: 'estimate: pending until available; deleting until deleted' },
  { kind: 'AWS::Lambda::Function in a VPC', create: 60, delete: 60,
    matches: (t, p) => t === 'AWS::Lambda::Function' && p.VpcConfig !== undefined,
    source: 'estimate: its network interfaces are made before the function is active and released after its deletion, which can take much longer' },
  { kind: 'any other resource', create: 5, delete: 5, matches: () => true,
    source: 'estimate: IAM, EC2 networking, Lambda functions, custom resources and the rest take seconds' },
];

/** Seconds a stack spends outside its resources: change set, start and completion polling. */
export const STACK_OVERHEAD_SECONDS = 20;

type Props = Readonly<Record<string, unknown>>;

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** A CloudFormation template, as far as the model reads it. */
export interface TemplateInput {
  readonly Resources?: Readonly<Record<string, { readonly Type: string; readonly Properties?: Props; readonly DependsOn?: string | readonly string[] }>>;
}

/** One stack of the assembly. */
export interface StackInput {
  /** The stack's name. */
  readonly name: string;
  /** Stacks that must be deployed first. */
  readonly dependencies: readonly string[];
  /** Its template. */
  readonly template: TemplateInput;
}

/** The stacks of a cloud assembly, from its manifest.json and a reader of the template files it names. */
export function assemblyStacks(manifest: unknown, readTemplate: (file: string) => unknown): StackInput[] {
  const artifacts = (manifest as { artifacts?: Record<string, { type: string; properties?: { templateFile?: string }; dependencies?: string[] }> }).artifacts ?? {};
  const stackNames = new Set(Object.entries(artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack').map(([name]) => name));
  return [...stackNames].map((name) => {
    const artifact = artifacts[name];
    return {
      name,
      dependencies: (artifact.dependencies ?? []).filter((d) => stackNames.has(d)),
      template: readTemplate(artifact.properties!.templateFile!) as TemplateInput,
    };
  });
}

/** A resource and what it waits for inside its stack. */
export interface ResourceNode {
  readonly id: string;
  readonly type: string;
  readonly dependsOn: readonly string[];
  readonly duration: { readonly create: number; readonly delete: number };
}

/** Logical ids a value refers to in the same template: Ref, Fn::GetAtt and Fn::Sub's `${Name}` and `${Name.Attr}`. */
function referencedIds(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    value.forEach((v) => referencedIds(v, into));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string') into.add(v);
      else if (key === 'Fn::GetAtt') into.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]);
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        if (typeof text === 'string') for (const m of text.matchAll(/\$\{([^}!.]+)/g)) into.add(m[1]);
        if (Array.isArray(v)) referencedIds(v[1], into);
      } else referencedIds(v, into);
    }
  }
}

/** The resources of a template with their in-stack dependencies and durations. */
export function resourceGraph(template: TemplateInput): ResourceNode[] {
  const resources = template.Resources ?? {};
  return Object.entries(resources).map(([id, r]) => {
    const deps = new Set<string>(typeof r.DependsOn === 'string' ? [r.DependsOn] : r.DependsOn ?? []);
    referencedIds(r.Properties ?? {}, deps);
    const props = r.Properties ?? {};
    const row = RESOURCE_DURATIONS.find((d) => d.matches(r.Type, props))!;
    return {
      id, type: r.Type,
      dependsOn: [...deps].filter((d) => d !== id && resources[d] !== undefined).sort(),
      duration: { create: row.create, delete: row.delete },
    };
  });
}

/** A step on a critical path: what ran, from when to when (seconds from the start of its stack or the run). */
export interface PathStep {
  readonly name: string;
  readonly type: string;
  readonly start: number;
  readonly end: number;
}

/** How long one stack takes, and the chain of resources that decides it. */
export interface StackTime {
  readonly seconds: number;
  readonly path: readonly PathStep[];
}

/**
 * The time CloudFormation needs for one stack: the longest chain of resources, each starting when all it
 * waits for are done (create), or when all that wait for it are gone (delete), plus the stack's overhead.
 */
export function stackTime(template: TemplateInput, operation: DeployOperation): StackTime {
  const nodes = resourceGraph(template);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const dependents = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const n of nodes) for (const d of n.dependsOn) dependents.get(d)!.push(n.id);
  const waitsFor = (id: string) => operation === 'create' ? byId.get(id)!.dependsOn : dependents.get(id)!;
  const end = new Map<string, number>();
  const gate = new Map<string, string | undefined>();
  const visiting = new Set<string>();
  const finish = (id: string): number => {
    const known = end.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) throw new Error(`dependency cycle through ${id}`);
    visiting.add(id);
    let start = 0;
    let by: string | undefined;
    for (const w of waitsFor(id)) {
      const e = finish(w);
      if (e > start || (e === start && by === undefined)) { start = e; by = w; }
    }
    visiting.delete(id);
    const e = start + byId.get(id)!.duration[operation];
    end.set(id, e);
    gate.set(id, by);
    return e;
  };
  let last: string | undefined;
  for (const n of nodes) {
    const e = finish(n.id);
    if (last === undefined || e > end.get(last)!) last = n.id;
  }
  const path: PathStep[] = [];
  for (let id = last; id !== undefined; id = gate.get(id)) {
    const node = byId.get(id)!;
    path.unshift({ name: id, type: node.type, start: end.get(id)! - node.duration[operation], end: end.get(id)! });
  }
  return { seconds: (last === undefined ? 0 : end.get(last)!) + STACK_OVERHEAD_SECONDS, path };
}

/** One stack in a run: when it started and ended, and what it waited for before starting. */
export interface StackRun {
  readonly stack: string;
  readonly start: number;
  readonly end: number;
  /** The stack whose end let this one start: a dependency, or (`slot`) a stack that freed a deployment slot. */
  readonly after?: { readonly stack: string; readonly reason: 'dependency' | 'slot' };
  /** The resources that decide the stack's own time. */
  readonly path: readonly PathStep[];
}

/** A whole `cdk deploy` or `cdk destroy` of the selected stacks. */
export interface RunEstimate {
  readonly operation: DeployOperation;
  readonly concurrency: number;
  readonly seconds: number;
  readonly stacks: readonly StackRun[];
  /** The stacks that decide the total, first to last. */
  readonly criticalPath: readonly StackRun[];
}

/**
 * Schedules the stacks as the CDK CLI does: a stack is ready when every stack it depends on is deployed
 * (create) or every stack depending on it is destroyed (delete); up to `concurrency` run at once, ready ones
 * taken in assembly order.
 */
export function estimateRun(stacks: readonly StackInput[], operation: DeployOperation, concurrency: number): RunEstimate {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer; got ${concurrency}`);
  const names = new Set(stacks.map((s) => s.name));
  const before = new Map<string, string[]>(stacks.map((s) => [s.name, []]));
  for (const s of stacks) {
    for (const d of s.dependencies) {
      if (!names.has(d)) continue;
      if (operation === 'create') before.get(s.name)!.push(d);
      else before.get(d)!.push(s.name);
    }
  }
  const times = new Map(stacks.map((s) => [s.name, stackTime(s.template, operation)]));
  const done = new Map<string, StackRun>();
  const running: StackRun[] = [];
  const pending = stacks.map((s) => s.name);
  let now = 0;
  let freedBy: string | undefined;
  while (pending.length > 0 || running.length > 0) {
    for (let i = 0; i < pending.length && running.length < concurrency;) {
      const name = pending[i];
      const deps = before.get(name)!;
      if (deps.every((d) => done.has(d))) {
        const gating = deps.map((d) => done.get(d)!).sort((a, b) => b.end - a.end)[0];
        const after = gating && gating.end === now ? { stack: gating.stack, reason: 'dependency' as const }
          : freedBy !== undefined ? { stack: freedBy, reason: 'slot' as const } : undefined;
        const time = times.get(name)!;
        running.push({ stack: name, start: now, end: now + time.seconds, after, path: time.path });
        pending.splice(i, 1);
      } else {
        i++;
      }
    }
    if (running.length === 0) throw new Error(`stacks wait for each other: ${pending.join(', ')}`);
    running.sort((a, b) => a.end - b.end);
    const next = running.shift()!;
    now = next.end;
    done.set(next.stack, next);
    freedBy = next.stack;
  }
  const runs = stacks.map((s) => done.get(s.name)!);
  let last: StackRun | undefined;
  for (const r of runs) if (last === undefined || r.end > last.end) last = r;
  const criticalPath: StackRun[] = [];
  for (let r = last; r !== undefined; r = r.after ? done.get(r.after.stack) : undefined) criticalPath.unshift(r);
  return { operation, concurrency, seconds: last?.end ?? 0, stacks: runs, criticalPath };
}

/** Seconds as minutes and seconds: `37 min 5 s`. */
export function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m === 0 ? `${s} s` : s === 0 ? `${m} min` : `${m} min ${s} s`;
}
