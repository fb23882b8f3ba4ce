import { Finding, diagnose, imageTag, isControllerService } from './diagnose';
import { DoctorFacts, UncheckedFact } from './facts';

/** What `doctor` found, for a terminal or a script. */
export interface DoctorReport {
  /** The kubeconfig context looked at. */
  readonly context: string;
  readonly clusterName?: string;
  readonly namespace: string;
  readonly controller?: {
    readonly deployment: string;
    readonly version: string;
    /** The chart version of the `helm.sh/chart` label; absent when the chart did not install it. */
    readonly chart?: string;
    readonly readyReplicas: number;
    readonly replicas: number;
  };
  readonly identity?: DoctorFacts['identity'];
  /** How many of each were looked at; absent where they could not be read or do not exist. */
  readonly looked: {
    readonly policies?: number;
    readonly ingresses: number;
    readonly loadBalancerServices: number;
    readonly targetGroupBindings?: number;
    readonly gateways?: number;
    readonly webhookEndpoints?: number;
    readonly subnets?: number;
  };
  readonly problems: readonly Finding[];
  readonly unchecked: readonly UncheckedFact[];
  /** `healthy`: nothing wrong and everything looked at; `problems`: at least one; `incomplete`: none, but not all looked at. */
  readonly result: 'healthy' | 'problems' | 'incomplete';
}

/** Diagnoses the facts and sums up what was looked at. */
export function doctorReport(facts: DoctorFacts, context: string): DoctorReport {
  const problems = diagnose(facts);
  const c = facts.controller;
  const chart = c?.labels['helm.sh/chart']?.replace(/^aws-load-balancer-controller-/, '');
  return {
    context,
    ...(facts.clusterName ? { clusterName: facts.clusterName } : {}),
    namespace: facts.namespace,
    ...(c ? {
      controller: {
        deployment: c.name, version: imageTag(c.image) || c.image, ...(chart ? { chart } : {}),
        readyReplicas: c.readyReplicas, replicas: c.replicas,
      },
    } : {}),
    ...(facts.identity ? { identity: facts.identity } : {}),
    looked: {
      ...(facts.policies ? { policies: facts.policies.length } : {}),
      ingresses: facts.ingresses.length,
      loadBalancerServices: facts.services.filter(isControllerService).length,
      ...(facts.targetGroupBindings ? { targetGroupBindings: facts.targetGroupBindings.length } : {}),
      ...(facts.gateways ? { gateways: facts.gateways.length } : {}),
      ...(facts.webhook ? { webhookEndpoints: facts.webhook.ready + facts.webhook.notReady } : {}),
      ...(facts.subnets ? { subnets: facts.subnets.length } : {}),
    },
    problems,
    unchecked: facts.unchecked,
    result: problems.length > 0 ? 'problems' : facts.unchecked.length > 0 ? 'incomplete' : 'healthy',
  };
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One line for a problem: `[check] subject: problem. Fix: fix.` */
export function findingLine(f: Finding): string {
  return `[${f.check}] ${f.subject}: ${f.problem}. Fix: ${f.fix}.`;
}

/** The report for a terminal: what was looked at, one line per problem, one per check not made, and the result. */
export function renderDoctorText(report: DoctorReport): string {
  const c = report.controller;
  const who = report.identity ? `, role ${report.identity.roleArn} (${report.identity.via === 'irsa' ? 'IRSA' : 'EKS Pod Identity'})` : '';
  const head = c
    ? `controller ${c.version}${c.chart ? ` (chart ${c.chart})` : ''} in ${report.namespace}, ${c.readyReplicas}/${c.replicas} ready${who}`
    : `no controller in ${report.namespace}`;
  const l = report.looked;
  const looked = [
    l.policies !== undefined ? count(l.policies, 'policy', 'policies') + ' on the role' : undefined,
    count(l.ingresses, 'Ingress', 'Ingresses'),
    count(l.loadBalancerServices, 'LoadBalancer Service') + ' of the controller',
    l.targetGroupBindings !== undefined ? count(l.targetGroupBindings, 'TargetGroupBinding') : undefined,
    l.gateways !== undefined ? count(l.gateways, 'Gateway') : undefined,
    l.webhookEndpoints !== undefined ? count(l.webhookEndpoints, 'webhook endpoint') : undefined,
    l.subnets !== undefined ? count(l.subnets, 'subnet') : undefined,
  ].filter((x) => x !== undefined);
  const out = [
    `Context ${report.context}${report.clusterName ? `, cluster ${report.clusterName}` : ''}: ${head}.`,
    `Looked at ${looked.join(', ')}.`,
    ...report.problems.map(findingLine),
    ...report.unchecked.map((u) => `Not checked (${u.check}): ${u.reason}.`),
    report.result === 'problems' ? `Result: ${count(report.problems.length, 'problem')}.`
      : report.result === 'incomplete' ? `Result: no problem found, but ${count(report.unchecked.length, 'check')} could not be made.`
        : 'Result: no problems found.',
  ];
  return `${out.join('\n')}\n`;
}

/** The report as JSON, for scripts. */
export function renderDoctorJson(report: DoctorReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
