import { UserError } from '../errors';
import { ACTION_FIRST_RELEASE } from './official-policy';
/** A policy document that cannot be read as IAM JSON; the message says what is wrong. */
export class PolicyFormatError extends UserError {}

/** One statement in a form that compares: lists sorted, condition values as sorted lists. */
export interface NormalStatement {
  /** Position in its document, from 0. */
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** `Action`, or `NotAction` when `not` is set. */
  readonly actions: readonly string[];
  readonly not: boolean;
  /** `Resource`; empty for a `NotResource` statement, which this comparison treats as covering nothing. */
  readonly resources: readonly string[];
  /** operator → key → values; keys as written (IAM compares them case-insensitively). */
  readonly condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

function list(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  if (!items.every((v) => typeof v === 'string')) throw new PolicyFormatError(`${what} must be a string or a list of strings`);
  return [...new Set(items as string[])].sort();
}

/** Reads a policy document's statements; a single statement object counts as a list of one. */
export function normalize(document: unknown): NormalStatement[] {
  if (!document || typeof document !== 'object' || Array.isArray(document)) {
    throw new PolicyFormatError('the policy document must be a JSON object with a Statement');
  }
  const raw = (document as Record<string, unknown>).Statement;
  if (raw === undefined) throw new PolicyFormatError('the policy document has no Statement');
  const statements = Array.isArray(raw) ? raw : [raw];
  return statements.map((s, index) => {
    if (!s || typeof s !== 'object' || Array.isArray(s)) throw new PolicyFormatError(`Statement ${index} is not an object`);
    const st = s as Record<string, unknown>;
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') {
      throw new PolicyFormatError(`Statement ${index} has Effect ${JSON.stringify(st.Effect)}; IAM takes Allow or Deny`);
    }
    if (st.Action !== undefined && st.NotAction !== undefined) {
      throw new PolicyFormatError(`Statement ${index} has both Action and NotAction, which IAM refuses; keep one of them`);
    }
    if (st.Resource !== undefined && st.NotResource !== undefined) {
      throw new PolicyFormatError(`Statement ${index} has both Resource and NotResource, which IAM refuses; keep one of them`);
    }
    const not = st.NotAction !== undefined;
    if (st.Resource === undefined && st.NotResource === undefined) throw new PolicyFormatError(`Statement ${index} has no Resource`);
    const condition: Record<string, Record<string, string[]>> = {};
    for (const [op, block] of Object.entries((st.Condition ?? {}) as Record<string, unknown>)) {
      if (!block || typeof block !== 'object') throw new PolicyFormatError(`Statement ${index} has a malformed Condition ${op}`);
      condition[op] = Object.fromEntries(Object.entries(block as Record<string, unknown>).map(([k, v]) =>
        [k, (Array.isArray(v) ? v : [v]).map(String).sort()]));
    }
    return {
      index,
      sid: typeof st.Sid === 'string' ? st.Sid : undefined,
      effect: st.Effect,
      actions: list(not ? st.NotAction : st.Action, `Statement ${index} Action`),
      not,
      resources: list(st.Resource, `Statement ${index} Resource`),
      condition,
    };
  });
}

/**
 * Whether `text` matches a wildcard pattern (`*` any run of characters, `?` one character), in time proportional to
 * the lengths' product at worst: a greedy scan that only ever returns to the last `*`, never a backtracking regex.
 */
export function wildcardMatch(pattern: string, text: string, ignoreCase: boolean): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
  let pi = 0;
  let ti = 0;
  let star = -1;
  let resume = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] === t[ti] && p[pi] !== '*'))) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      resume = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** Whether an action pattern (`elasticloadbalancing:Describe*`) matches an action; IAM compares actions case-insensitively. */
export function actionMatches(pattern: string, action: string): boolean {
  return wildcardMatch(pattern, action, true);
}

/** Whether a resource pattern matches a resource ARN (a `*` in the ARN is matched as itself or by `*`). */
export function resourceMatches(pattern: string, resource: string): boolean {
  return wildcardMatch(pattern, resource, false);
}

function names(statement: NormalStatement, action: string): boolean {
  const matched = statement.actions.some((p) => actionMatches(p, action));
  return statement.not ? !matched : matched;
}

/** Whether an Allow statement grants `action` at all, whatever its resources and conditions. */
export function grantsAction(statement: NormalStatement, action: string): boolean {
  return statement.effect === 'Allow' && names(statement, action);
}

/** Whether a Deny statement refuses `action` everywhere: on every resource, without conditions. */
function deniesEverywhere(statement: NormalStatement, action: string): boolean {
  return statement.effect === 'Deny' && names(statement, action) && statement.resources.includes('*')
    && Object.keys(statement.condition).length === 0;
}

function sameContext(a: NormalStatement, b: NormalStatement): boolean {
  return JSON.stringify(a.resources) === JSON.stringify(b.resources) && conditionText(a) === conditionText(b);
}

/** The condition with keys lower-cased, as IAM matches them. */
function conditionOf(s: NormalStatement): Record<string, Record<string, readonly string[]>> {
  return Object.fromEntries(Object.entries(s.condition).map(([op, block]) =>
    [op, Object.fromEntries(Object.entries(block).map(([k, v]) => [k.toLowerCase(), v]))]));
}

function conditionText(s: NormalStatement): string {
  const condition = conditionOf(s);
  return JSON.stringify(Object.keys(condition).sort().map((op) =>
    [op, Object.keys(condition[op]).sort().map((k) => [k, condition[op][k]])]));
}

/** Whether `granted` allows `action` everywhere `wanted` does: its resources match and its conditions are no stricter. */
function covers(granted: NormalStatement, wanted: NormalStatement, action: string): boolean {
  if (!grantsAction(granted, action)) return false;
  if (!wanted.resources.every((r) => granted.resources.some((p) => resourceMatches(p, r)))) return false;
  const required = conditionOf(wanted);
  return Object.entries(conditionOf(granted)).every(([op, block]) => Object.entries(block).every(([key, values]) =>
    JSON.stringify(required[op]?.[key]) === JSON.stringify(values)));
}

/** An official statement the compared document does not grant as written. */
export interface StatementDifference {
  /** The official statement. */
  readonly official: NormalStatement;
  /** Its actions that the document grants somewhere, but not for these resources under these conditions. */
  readonly narrower: readonly string[];
  /** Its actions that the document grants with other resources or conditions that still allow what the official one does. */
  readonly broader: readonly string[];
  /** The document's statements that grant those actions. */
  readonly granting: readonly NormalStatement[];
}

/** What a policy document lacks, or has beyond, compared with the official one. */
export interface PolicyComparison {
  /** Official actions the document grants nowhere. */
  readonly missing: readonly string[];
  /** Action patterns of the document's Allow statements that match no official action. */
  readonly extra: readonly string[];
  /** Official statements whose actions the document grants with other resources or conditions. */
  readonly differing: readonly StatementDifference[];
}

/** Compares a policy document with the official one: order, whitespace and case of actions do not matter. */
export function comparePolicies(official: readonly NormalStatement[], actual: readonly NormalStatement[]): PolicyComparison {
  const allows = official.filter((s) => s.effect === 'Allow' && !s.not);
  const officialActions = [...new Set(allows.flatMap((s) => s.actions))].sort();
  // Narrower Deny statements (some resources, conditions) are left to the reader; IAM evaluates those per request.
  const missing = officialActions.filter((a) => !actual.some((s) => grantsAction(s, a)) || actual.some((s) => deniesEverywhere(s, a)));
  const extra = [...new Set(actual.filter((s) => s.effect === 'Allow' && !s.not).flatMap((s) => s.actions))]
    .filter((p) => !officialActions.some((a) => actionMatches(p, a))).sort();
  const differing: StatementDifference[] = [];
  for (const wanted of allows) {
    const present = wanted.actions.filter((a) => !missing.includes(a));
    const inexact = present.filter((a) => !actual.some((s) => grantsAction(s, a) && sameContext(s, wanted)));
    if (inexact.length === 0) continue;
    const narrower = inexact.filter((a) => !actual.some((s) => covers(s, wanted, a)));
    differing.push({
      official: wanted,
      narrower,
      broader: inexact.filter((a) => !narrower.includes(a)),
      granting: actual.filter((s) => inexact.some((a) => grantsAction(s, a))),
    });
  }
  return { missing, extra, differing };
}

/** Official actions a document does not grant at all, or not as widely as the official statements do. */
export function ungrantedActions(official: readonly NormalStatement[], actual: readonly NormalStatement[]): string[] {
  const comparison = comparePolicies(official, actual);
  return [...new Set([...comparison.missing, ...comparison.differing.flatMap((d) => d.narrower)])].sort();
}

/** What stops working in the controller without an action, where that is known. */
export const ACTION_CONSEQUENCES: ReadonlyMap<string, string> = new Map([
  ['elasticloadbalancing:DescribeListenerAttributes', 'the controller reads listener attributes on every listener ' +
    'reconcile except for TLS listeners (NLB TCP listeners from v2.9.0, ALB listeners from v2.10.1, the isolated ' +
    'partitions from v3.2.2), so every Ingress and LoadBalancer Service fails to reconcile'],
  ['elasticloadbalancing:ModifyListenerAttributes', 'listener-attributes annotations (alb.ingress.kubernetes.io/' +
    'listener-attributes.*, service.beta.kubernetes.io/aws-load-balancer-listener-attributes.*) whose values differ ' +
    'from the listener\'s fail to apply; without such annotations the controller does not call it'],
  ['ec2:DescribeRouteTables', 'subnet discovery without kubernetes.io/role/elb or kubernetes.io/role/internal-elb tags ' +
    'fails (the controller tells public from private subnets by their route tables)'],
  ['elasticloadbalancing:DescribeTrustStores', 'mutual-authentication annotations that name a trust store by name ' +
    '(not by ARN) fail; the controller calls it only to look such names up'],
  ['elasticloadbalancing:AddTags', 'load balancers, target groups and listeners cannot be tagged, so creating them fails'],
  ['elasticloadbalancing:CreateLoadBalancer', 'no load balancer can be created'],
  ['elasticloadbalancing:CreateTargetGroup', 'no target group can be created'],
  ['elasticloadbalancing:RegisterTargets', 'pods or nodes are never registered as targets'],
  ['ec2:CreateSecurityGroup', 'the managed security groups of load balancers cannot be created'],
  ['iam:CreateServiceLinkedRole', 'in an account that never had a load balancer, the first one cannot be created'],
  ['elasticloadbalancing:DescribeCapacityReservation', 'minimum-load-balancer-capacity annotations fail; without them the ' +
    'controller does not call it'],
  ['elasticloadbalancing:ModifyCapacityReservation', 'minimum-load-balancer-capacity annotations fail; without them the ' +
    'controller does not call it'],
]);

/** A controller feature that needs actions the official policy does not grant: the caller adds them when using it. */
export interface OptionalFeature {
  /** What turns the feature on. */
  readonly feature: string;
  /** The actions it needs beyond the official policy. */
  readonly actions: readonly string[];
}

/**
 * Controller features whose actions the official policy leaves out on purpose: a document granting them is not
 * drifting from the official one, it enables one of these.
 */
export const OPTIONAL_FEATURES: readonly OptionalFeature[] = [
  { feature: 'the alb.ingress.kubernetes.io/wafv2-acl-name annotation (web ACL looked up by name)', actions: ['wafv2:ListWebACLs'] },
  {
    feature: 'the --enable-rgtapi controller flag (tags read through the Resource Groups Tagging API), or the Global Accelerator controller',
    actions: ['tag:GetResources'],
  },
  {
    feature: 'target groups in other accounts (TargetGroupBinding iamRoleArnToAssume): the controller assumes the role given',
    actions: ['sts:AssumeRole'],
  },
  {
    feature: 'certificate management (alb.ingress.kubernetes.io/create-acm-cert, acm-pca-arn; docs/install/iam_policy_acm_certs.json)',
    actions: [
      'acm:RequestCertificate', 'acm:DeleteCertificate', 'acm:AddTagsToCertificate', 'acm:ListTagsForCertificate',
      'acm-pca:GetCertificate', 'acm-pca:IssueCertificate', 'acm-pca:ListPermissions',
      'route53:ChangeResourceRecordSets', 'route53:ListHostedZones', 'route53:ListHostedZonesByName',
    ],
  },
  {
    feature: 'the Global Accelerator controller (GlobalAccelerator resources; docs/install/aga_controller_iam_policy.json)',
    actions: [
      'globalaccelerator:ListAccelerators', 'globalaccelerator:ListEndpointGroups', 'globalaccelerator:ListListeners',
      'globalaccelerator:ListTagsForResource', 'globalaccelerator:DescribeAccelerator', 'globalaccelerator:DescribeEndpointGroup',
      'globalaccelerator:DescribeListener', 'globalaccelerator:CreateAccelerator', 'globalaccelerator:UpdateAccelerator',
      'globalaccelerator:DeleteAccelerator', 'globalaccelerator:CreateListener', 'globalaccelerator:UpdateListener',
      'globalaccelerator:DeleteListener', 'globalaccelerator:CreateEndpointGroup', 'globalaccelerator:UpdateEndpointGroup',
      'globalaccelerator:DeleteEndpointGroup', 'globalaccelerator:AddEndpoints', 'globalaccelerator:RemoveEndpoints',
      'globalaccelerator:TagResource', 'globalaccelerator:UntagResource', 'ec2:DescribeRegions',
    ],
  },
];

/**
 * The optional features an extra action pattern serves: those with an action it matches, for a pattern naming its
 * service outright (`sts:AssumeRole`, `globalaccelerator:*`); `*` or `*:Get*` serve no feature, they are just broad.
 */
export function optionalFeaturesOf(pattern: string): OptionalFeature[] {
  const service = pattern.split(':')[0];
  if (service === '' || /[*?]/.test(service) || !pattern.includes(':')) return [];
  return OPTIONAL_FEATURES.filter((f) => f.actions.some((a) => actionMatches(pattern, a)));
}

/**
 * Why an action matters, as `policy diff`, the synth warning and `doctor` say it: what stops working without it and
 * the release whose official policy first lists it, as far as either is known.
 */
export function actionExplanation(action: string): string | undefined {
  const first = ACTION_FIRST_RELEASE[action];
  const parts = [ACTION_CONSEQUENCES.get(action), first ? `in the official policy since ${first}` : undefined];
  const text = parts.filter((p) => p !== undefined).join('; ');
  return text === '' ? undefined : text;
}

/** An action with its explanation after a dash, or alone when nothing is known about it. */
export function explainedAction(action: string): string {
  const why = actionExplanation(action);
  return why ? `${action} — ${why}` : action;
}

/** What stops working when an official statement is granted more narrowly, where that is known. */
export function statementConsequence(statement: NormalStatement): string | undefined {
  const keys = Object.values(conditionOf(statement)).flatMap((block) => Object.keys(block));
  const createAction = keys.includes('elasticloadbalancing:createaction');
  if (createAction && statement.actions.includes('elasticloadbalancing:AddTags')) {
    return 'creating load balancers and target groups fails: the controller tags them in the create call, which ' +
      'needs AddTags under the elasticloadbalancing:CreateAction condition';
  }
  if (keys.includes('ec2:createaction') && statement.actions.includes('ec2:CreateTags')) {
    return 'creating security groups fails: the controller tags them in the create call';
  }
  return undefined;
}
