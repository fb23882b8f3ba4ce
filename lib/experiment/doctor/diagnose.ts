import { LoadBalancerControllerVersion } from '../../controller/load-balancer-controller-version';
import { policyForPartition } from '../../private/official-policy';
import {
  NormalStatement, PolicyFormatError, actionExplanation, comparePolicies, normalize, statementConsequence,
} from '../../private/policy-compare';
import { ConditionFact, DoctorFacts, EventFact, ObjectKey } from './facts';

/** The label the chart puts on the controller's Deployment and pods. */
export const CONTROLLER_LABEL = 'app.kubernetes.io/name=aws-load-balancer-controller';
/** The controller's name for itself in IngressClasses. */
export const INGRESS_CLASS_CONTROLLER = 'ingress.k8s.aws/alb';
/** The `spec.loadBalancerClass` the controller answers (its `--load-balancer-class` default). */
export const SERVICE_LOAD_BALANCER_CLASS = 'service.k8s.aws/nlb';
/** GatewayClass controller names of the controller. */
export const GATEWAY_CONTROLLERS: readonly string[] = ['gateway.k8s.aws/alb', 'gateway.k8s.aws/nlb'];
/** The chart's webhook Service (`<name prefix>-webhook-service`). */
export const WEBHOOK_SERVICE = 'aws-load-balancer-webhook-service';
/** An object without an address this long after its creation, and without a warning, counts as stuck. */
export const STUCK_AFTER_MINUTES = 5;
/** The release from which the controller chooses subnets by their route tables when none carries the role tag. */
export const REACHABILITY_FALLBACK_SINCE = 'v2.13.0';

/** The parts of the diagnosis, in the order the report lists them. */
export const CHECKS = ['controller', 'chart', 'policy', 'webhook', 'subnets', 'ingress', 'service', 'target-group-binding', 'gateway'] as const;
export type CheckName = typeof CHECKS[number];

/** One problem: what is wrong with what, and how to fix it. */
export interface Finding {
  readonly check: CheckName;
  /** What the problem is about: `Ingress ip-mode/echo`, `role lbc`, `subnets of vpc-0abc`. */
  readonly subject: string;
  /** What is wrong, in one sentence without a final period. */
  readonly problem: string;
  /** What to do, in one sentence without a final period. */
  readonly fix: string;
}

/** `[major, minor, patch]` of `v2.10.1` or `2.10.1`; undefined for anything else. */
export function parseVersion(tag: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(tag);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b`; NaN when either is not a version. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  if (!x || !y) return NaN;
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** The image's tag: `v3.5.0` of `public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0`; empty when it has none. */
export function imageTag(image: string): string {
  const name = image.split('@')[0];
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? name.slice(colon + 1) : '';
}

/** A controller argument's value: `--cluster-name=lab` or `--cluster-name lab`. */
export function controllerArg(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
    if (args[i] === `--${name}` && i + 1 < args.length) return args[i + 1];
  }
  return undefined;
}

/**
 * The known release whose policy a running controller needs: its own, or for a tag this library has no policy of,
 * the newest known release not newer than it (the oldest known for anything older).
 */
export function policyReference(tag: string): { readonly version: LoadBalancerControllerVersion; readonly exact: boolean } | undefined {
  const exact = LoadBalancerControllerVersion.tryFind(tag);
  if (exact) return { version: exact, exact: true };
  if (!parseVersion(tag)) return undefined;
  const known = LoadBalancerControllerVersion.KNOWN;
  const older = known.filter((v) => compareVersions(v.version, tag) < 0);
  return { version: older[older.length - 1] ?? known[0], exact: false };
}

/** The running controller's release, from its image tag. */
function runningVersion(facts: DoctorFacts): string | undefined {
  return facts.controller ? imageTag(facts.controller.image) || undefined : undefined;
}

/** Every problem the facts show, in the order of {@link CHECKS}, one per line of the report. */
export function diagnose(facts: DoctorFacts): Finding[] {
  const findings = [
    ...controllerFindings(facts), ...chartFindings(facts), ...policyFindings(facts), ...webhookFindings(facts),
    ...subnetFindings(facts), ...ingressFindings(facts), ...serviceFindings(facts), ...targetGroupBindingFindings(facts),
    ...gatewayFindings(facts),
  ];
  return CHECKS.flatMap((check) => findings.filter((f) => f.check === check));
}

function controllerFindings(facts: DoctorFacts): Finding[] {
  if (facts.controller) return [];
  return [{
    check: 'controller',
    subject: `namespace ${facts.namespace}`,
    problem: `no AWS Load Balancer Controller Deployment (label ${CONTROLLER_LABEL}), so nothing reconciles Ingresses of ` +
      'class alb, Services of class service.k8s.aws/nlb or TargetGroupBindings',
    fix: 'install the eks-charts aws-load-balancer-controller chart, or pass --namespace where the controller runs',
  }];
}

function chartFindings(facts: DoctorFacts): Finding[] {
  const c = facts.controller;
  const tag = runningVersion(facts);
  const labelled = c?.labels['app.kubernetes.io/version'];
  if (!c || !tag || !labelled || compareVersions(labelled, tag) === 0 || labelled === tag) return [];
  const chart = c.labels['helm.sh/chart']?.replace(/^aws-load-balancer-controller-/, '') ?? 'unknown';
  const shipping = LoadBalancerControllerVersion.tryFind(tag)?.chartVersion;
  const release = c.labels['app.kubernetes.io/instance'] ?? c.name;
  return [{
    check: 'chart',
    subject: `Deployment ${c.namespace}/${c.name}`,
    problem: `runs image ${tag} from chart ${chart}, which was made for ${labelled} (label app.kubernetes.io/version): ` +
      `its RBAC rules, webhooks and CRDs are those of ${labelled}, not of the controller that runs`,
    fix: shipping
      ? `helm upgrade ${release} eks/aws-load-balancer-controller -n ${c.namespace} --version ${shipping} --reuse-values ` +
        `(chart ${shipping} ships ${tag}), or set image.tag back to ${labelled}`
      : `upgrade the release to the chart that ships ${tag}, or set image.tag back to ${labelled}`,
  }];
}

/** The role's name: the last part of its ARN's path. */
function roleName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function policyFindings(facts: DoctorFacts): Finding[] {
  const tag = runningVersion(facts);
  if (!tag || !facts.identity || !facts.policies) return [];
  const reference = policyReference(tag);
  if (!reference) return [];
  const partition = /^arn:([^:]+):/.exec(facts.identity.roleArn)?.[1] ?? 'aws';
  const official = policyForPartition(reference.version.policies, partition);
  if (!official) return [];
  const subject = `role ${roleName(facts.identity.roleArn)}`;
  const ref = reference.version.version;
  const fix = `give the role the official ${ref} policy (eks-lb-lab policy show --version ${ref} --partition ${partition}; ` +
    'compare a managed policy with eks-lb-lab policy diff --policy-arn <arn>)';
  let actual: NormalStatement[];
  try {
    actual = facts.policies.flatMap((p) => normalize(p.document));
  } catch (error) {
    if (!(error instanceof PolicyFormatError)) throw error;
    return [{ check: 'policy', subject, problem: `holds a policy that is not an IAM document: ${error.message}`, fix }];
  }
  const { missing, differing } = comparePolicies(normalize(official), actual);
  const needs = reference.exact ? `controller ${tag} needs` : `controller ${tag} needs (by the policy of ${ref}, the nearest known release)`;
  const findings: Finding[] = missing.map((action) => ({
    check: 'policy',
    subject,
    problem: `lacks ${action}, which ${needs}: ${actionExplanation(action) ?? 'the calls that use it fail with AccessDenied'}`,
    fix,
  }));
  for (const d of differing.filter((x) => x.narrower.length > 0)) {
    const why = statementConsequence(d.official);
    findings.push({
      check: 'policy',
      subject,
      problem: `grants ${d.narrower.join(', ')} on fewer resources or under more conditions than statement ${d.official.index} of ` +
        `the official ${ref} policy${why ? `: ${why}` : ''}`,
      fix,
    });
  }
  return findings;
}

function webhookFindings(facts: DoctorFacts): Finding[] {
  const w = facts.webhook;
  const c = facts.controller;
  if (!w || !c) return [];
  const subject = `webhook Service ${w.namespace}/${w.name}`;
  const refused = 'its webhooks fail closed, so creating Services and creating or updating Ingresses and TargetGroupBindings ' +
    'is refused with "failed calling webhook"';
  if (!w.exists) {
    return [{ check: 'webhook', subject, problem: `does not exist: ${refused}`, fix: 'reinstall the chart, which creates it' }];
  }
  if (w.ready > 0) return [];
  return [{
    check: 'webhook',
    subject,
    problem: `has no ready endpoint (${w.notReady} not ready, from its ${w.source}; ${c.readyReplicas} of ${c.replicas} ` +
      `controller pods ready): ${refused}`,
    fix: `get the controller's pods ready: kubectl -n ${c.namespace} describe pods -l ${CONTROLLER_LABEL}, and their logs`,
  }];
}

const SUBNET_ROLES = [
  { key: 'kubernetes.io/role/elb', scheme: 'internet-facing', which: 'public', reachability: 'a route to an internet gateway' },
  { key: 'kubernetes.io/role/internal-elb', scheme: 'internal', which: 'private', reachability: 'no route to an internet gateway' },
] as const;

function subnetFindings(facts: DoctorFacts): Finding[] {
  if (!facts.subnets || !facts.vpcId) return [];
  const tag = runningVersion(facts);
  const clusterKey = facts.clusterName ? `kubernetes.io/cluster/${facts.clusterName}` : undefined;
  // As the controller decides: a subnet tagged for this cluster, or for no cluster, is eligible.
  const eligible = (tags: Readonly<Record<string, string>>) => clusterKey === undefined || clusterKey in tags
    || !Object.keys(tags).some((k) => k.startsWith('kubernetes.io/cluster/'));
  const subject = `subnets of ${facts.vpcId}`;
  const findings: Finding[] = [];
  for (const role of SUBNET_ROLES) {
    const tagged = facts.subnets.filter((s) => s.tags[role.key] === '1' || s.tags[role.key] === '');
    const usable = tagged.filter((s) => eligible(s.tags));
    const clusterTag = clusterKey ? ` and ${clusterKey}=shared` : '';
    const fix = `tag the ${role.which} subnets, one in each of two zones or more, ${role.key}=1${clusterTag}`;
    if (usable.length === 0) {
      const others = tagged.length > 0 ? ` (${tagged.length} tagged only for other clusters)` : '';
      findings.push({
        check: 'subnets',
        subject,
        problem: `none is tagged ${role.key} (value 1 or empty) for this cluster${others}: ${untaggedConsequence(facts, tag, role)}`,
        fix,
      });
      continue;
    }
    const zones = [...new Set(usable.map((s) => s.zone))].sort();
    if (zones.length === 1) {
      findings.push({
        check: 'subnets',
        subject,
        problem: `only zone ${zones[0]} has a subnet tagged ${role.key}: an ${role.scheme} ALB needs subnets in two zones, so ` +
          'creating one fails',
        fix,
      });
    }
  }
  return findings;
}

function untaggedConsequence(facts: DoctorFacts, tag: string | undefined, role: typeof SUBNET_ROLES[number]): string {
  const controller = tag ? `controller ${tag}` : 'the controller';
  if (!tag || !(compareVersions(tag, REACHABILITY_FALLBACK_SINCE) >= 0)) {
    return `${controller} finds subnets for ${role.scheme} load balancers only by this tag, so creating them fails ` +
      '("unable to resolve at least one subnet") unless each names its subnets';
  }
  const cannotRead = facts.policies !== undefined && !grantsSomewhere(facts, 'ec2:DescribeRouteTables');
  return cannotRead
    ? `${controller} falls back to reading route tables, which its role may not (no ec2:DescribeRouteTables), so creating ` +
      `${role.scheme} load balancers fails`
    : `${controller} falls back to every subnet with ${role.reachability} in the VPC, which may not be the ones meant for ` +
      `${role.scheme} load balancers`;
}

function grantsSomewhere(facts: DoctorFacts, action: string): boolean {
  try {
    const statements = (facts.policies ?? []).flatMap((p) => normalize(p.document));
    return comparePolicies(normalize({ Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] }), statements).missing.length === 0;
  } catch (error) {
    if (error instanceof PolicyFormatError) return false;
    throw error;
  }
}

/** The latest Warning event about an object. */
function lastWarning(facts: DoctorFacts, key: ObjectKey): EventFact | undefined {
  const about = facts.events.filter((e) => e.object.kind === key.kind && e.object.name === key.name
    && (e.object.namespace ?? '') === (key.namespace ?? ''));
  return about.sort((a, b) => (a.lastSeen ?? '').localeCompare(b.lastSeen ?? '')).pop();
}

function shorten(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** What a Warning event says in a few words, and the fix it points to. */
export function explainEvent(event: EventFact, facts: DoctorFacts): { readonly summary: string; readonly fix: string } {
  const text = event.message;
  const tag = runningVersion(facts);
  const ref = tag ? policyReference(tag)?.version.version : undefined;
  const denied = /not authorized to perform: ([\w-]+:[A-Za-z0-9]+)/.exec(text)?.[1];
  if (denied || /\b(AccessDenied|UnauthorizedOperation)\b/.test(text)) {
    const status = /StatusCode: (\d{3})/.exec(text)?.[1];
    return {
      summary: `${event.reason}: AccessDenied${status ? ` (${status})` : ''}${denied ? ` on ${denied}` : ''}`,
      fix: `give the controller's role ${denied ?? 'the actions it lacks'}${ref ? `: attach the official ${ref} policy ` +
        `(eks-lb-lab policy show --version ${ref})` : ''}`,
    };
  }
  if (/unable to resolve at least one subnet|couldn't auto-discover subnets|subnets count less than minimal/i.test(text)) {
    return {
      summary: `${event.reason}: ${shorten(text)}`,
      fix: 'tag the subnets kubernetes.io/role/elb=1 (public, internet-facing) or kubernetes.io/role/internal-elb=1 ' +
        '(private, internal), in two zones or more, or name them in the object\'s subnets annotation',
    };
  }
  const c = facts.controller;
  if (/failed calling webhook/i.test(text)) {
    return {
      summary: `${event.reason}: ${shorten(text)}`,
      fix: `get the controller's webhook answering: kubectl -n ${c?.namespace ?? facts.namespace} get endpointslices ` +
        `-l kubernetes.io/service-name=${WEBHOOK_SERVICE}`,
    };
  }
  return { summary: `${event.reason}: ${shorten(text)}`, fix: logAdvice(facts) };
}

function logAdvice(facts: DoctorFacts): string {
  const c = facts.controller;
  return `read the controller's log: kubectl -n ${c?.namespace ?? facts.namespace} logs deploy/${c?.name ?? 'aws-load-balancer-controller'}`;
}

/** Whole minutes from `created` to `now`; undefined without a creation time. */
function ageMinutes(created: string | undefined, now: string): number | undefined {
  if (!created) return undefined;
  const ms = Date.parse(now) - Date.parse(created);
  return Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 60_000)) : undefined;
}

/** `7 min`, `5 h`, `3 days`. */
function ageText(minutes: number): string {
  if (minutes < 120) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h`;
  return `${Math.floor(minutes / 1440)} days`;
}

/**
 * A finding for an object the controller has not finished: explained by its latest Warning event, or, with none,
 * reported only once it is older than {@link STUCK_AFTER_MINUTES}.
 */
function stuck(facts: DoctorFacts, check: CheckName, key: ObjectKey, created: string | undefined, state: string): Finding | undefined {
  const warning = lastWarning(facts, key);
  const age = ageMinutes(created, facts.now);
  if (!warning && age !== undefined && age < STUCK_AFTER_MINUTES) return undefined;
  const after = age === undefined ? '' : ` ${ageText(age)} after its creation`;
  const subject = `${key.kind} ${key.namespace}/${key.name}`;
  if (!warning) return { check, subject, problem: `${state}${after}, and no warning event says why`, fix: logAdvice(facts) };
  const { summary, fix } = explainEvent(warning, facts);
  return { check, subject, problem: `${state}${after}; the last warning is ${summary}`, fix };
}

function ingressFindings(facts: DoctorFacts): Finding[] {
  const c = facts.controller;
  const ingressClassArg = (c && controllerArg(c.args, 'ingress-class')) || 'alb';
  const ours = facts.ingressClasses.find((k) => k.controller === INGRESS_CLASS_CONTROLLER)?.name ?? 'alb';
  const defaults = facts.ingressClasses.filter((k) => k.isDefault);
  const findings: Finding[] = [];
  for (const ing of facts.ingresses) {
    const key = { kind: 'Ingress', namespace: ing.namespace, name: ing.name };
    const subject = `Ingress ${ing.namespace}/${ing.name}`;
    let handled: boolean;
    if (ing.classAnnotation !== undefined) {
      // The annotation wins over spec.ingressClassName.
      handled = ing.classAnnotation === ingressClassArg;
    } else {
      const name = ing.className ?? (defaults.length === 1 ? defaults[0].name : undefined);
      if (name === undefined) {
        findings.push({
          check: 'ingress', subject,
          problem: 'has no class: no spec.ingressClassName, no kubernetes.io/ingress.class annotation and no default ' +
            'IngressClass, so no controller reconciles it',
          fix: `set spec.ingressClassName: ${ours}`,
        });
        continue;
      }
      const cls = facts.ingressClasses.find((k) => k.name === name);
      if (!cls) {
        findings.push({
          check: 'ingress', subject,
          problem: `names IngressClass ${name}, which does not exist, so the controller ignores it`,
          fix: `set spec.ingressClassName: ${ours}, or create IngressClass ${name} with spec.controller ${INGRESS_CLASS_CONTROLLER}`,
        });
        continue;
      }
      handled = cls.controller === INGRESS_CLASS_CONTROLLER;
    }
    if (!handled || !c || ing.addresses.length > 0) continue;
    const finding = stuck(facts, 'ingress', key, ing.created, 'has no address');
    if (finding) findings.push(finding);
  }
  return findings;
}

/** Whether the controller takes a Service of type LoadBalancer: its class, or the annotations of older releases. */
export function isControllerService(s: { readonly loadBalancerClass?: string; readonly annotations: Readonly<Record<string, string>> }): boolean {
  if (s.loadBalancerClass !== undefined) return s.loadBalancerClass === SERVICE_LOAD_BALANCER_CLASS;
  const type = s.annotations['service.beta.kubernetes.io/aws-load-balancer-type'];
  const target = s.annotations['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'];
  return type === 'nlb-ip' || (type === 'external' && (target === 'ip' || target === 'instance'));
}

function serviceFindings(facts: DoctorFacts): Finding[] {
  if (!facts.controller) return [];
  return facts.services.filter((s) => isControllerService(s) && s.addresses.length === 0).flatMap((s) => {
    const finding = stuck(facts, 'service', { kind: 'Service', namespace: s.namespace, name: s.name }, s.created, 'has no address');
    return finding ? [finding] : [];
  });
}

function conditionText(c: ConditionFact): string {
  return `${c.type} ${c.status}${c.reason ? `, ${c.reason}` : ''}${c.message ? `: ${shorten(c.message, 160)}` : ''}`;
}

function targetGroupBindingFindings(facts: DoctorFacts): Finding[] {
  if (!facts.controller || !facts.targetGroupBindings) return [];
  return facts.targetGroupBindings.flatMap((t) => {
    const ready = t.conditions.find((c) => c.type === 'Ready');
    const current = t.observedGeneration === t.generation;
    if (current && ready?.status !== 'False') return [];
    const state = ready?.status === 'False' ? `is not ready (${conditionText(ready)})`
      : `is not reconciled (status.observedGeneration ${t.observedGeneration ?? 'unset'}, generation ${t.generation})`;
    const finding = stuck(facts, 'target-group-binding', { kind: 'TargetGroupBinding', namespace: t.namespace, name: t.name }, t.created, state);
    return finding ? [finding] : [];
  });
}

function gatewayFindings(facts: DoctorFacts): Finding[] {
  if (!facts.controller || !facts.gateways || !facts.gatewayClasses) return [];
  const classes = new Set(facts.gatewayClasses.filter((k) => GATEWAY_CONTROLLERS.includes(k.controllerName)).map((k) => k.name));
  return facts.gateways.filter((g) => classes.has(g.className)).flatMap((g) => {
    const programmed = g.conditions.find((c) => c.type === 'Programmed');
    if (programmed?.status === 'True') return [];
    const state = programmed ? `is not programmed (${conditionText(programmed)})` : 'is not programmed (no Programmed condition)';
    const finding = stuck(facts, 'gateway', { kind: 'Gateway', namespace: g.namespace, name: g.name }, g.created, state);
    return finding ? [finding] : [];
  });
}
