import { ChildProcess, spawn } from 'child_process';
import { App, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as cdkJson from '../cdk.json';
import { ROOT } from './paths';
import { tempDir } from './temp';

/**
 * An App with the project's feature flags, no asset staging (unit tests do not read assets) and without the
 * CloudFormation validator inside synth: lab-app.test.ts runs that validator over every lab stack explicitly, and
 * running it on every other test's synth too would double the suite's time.
 */
export function newApp(context: Record<string, unknown> = {}): App {
  return new App({
    outdir: tempDir('cdk.out-'),
    builtinCloudFormationValidation: false,
    context: { ...cdkJson.context, [cxapi.DISABLE_ASSET_STAGING_CONTEXT]: true, ...context },
  });
}

/**
 * Runs the CDK app the way cdk.json names it, without the CLI, with the context the CLI would hand it for `-c`
 * `context` (cdk.json's context, path metadata, no version reporting) and no asset staging; output to `outdir`.
 * For tests of what the app writes and prints, where the CLI around it is not under test.
 */
export function runApp(outdir: string, context: Record<string, string>, env: NodeJS.ProcessEnv = {}): ChildProcess {
  const [command, ...args] = cdkJson.app.split(' ');
  return spawn(command === 'node' ? process.execPath : command, args, {
    cwd: ROOT,
    env: {
      ...process.env, ...env, CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({
        ...cdkJson.context, [cxapi.PATH_METADATA_ENABLE_CONTEXT]: true, 'aws:cdk:disable-version-reporting': true,
        [cxapi.DISABLE_ASSET_STAGING_CONTEXT]: true, ...context,
      }),
    },
  });
}

/** A fresh stack in `region`, or environment-agnostic with `region: null`. */
export function newStack(region: string | null = 'us-east-1', app: App = newApp()): Stack {
  return new Stack(app, 'Test', region ? { env: { region } } : {});
}

/** Canonical form of an IAM statement: arrays sorted, single values as arrays, keys ordered. */
export function canonicalStatement(statement: Record<string, unknown>): string {
  const list = (v: unknown) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map((x) => JSON.stringify(x)).sort());
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return JSON.stringify({
    Effect: statement.Effect,
    Action: list(statement.Action),
    NotAction: list(statement.NotAction),
    Resource: list(statement.Resource),
    Condition: sortKeys(statement.Condition),
  });
}

/** The set of canonical statements of a policy document. */
export function statementSet(document: { Statement: readonly Record<string, unknown>[] }): string[] {
  return document.Statement.map(canonicalStatement).sort();
}

/**
 * Renders an intrinsic-laden value as text: `{Ref: X}` becomes `<X>`, `Fn::Join` is joined, a cross-stack
 * reference becomes `<Stack:Output>`, `AWS::Partition` stays a placeholder.
 */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('Ref' in v) return `<${v.Ref}>`;
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(sep);
    }
    if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::GetStackOutput' in v) {
      const ref = v['Fn::GetStackOutput'] as { StackName: string; OutputName: string };
      return `<${ref.StackName}:${ref.OutputName}>`;
    }
    if ('Fn::ImportValue' in v) return `<import:${flatten(v['Fn::ImportValue'])}>`;
  }
  return JSON.stringify(value);
}

/** The Helm values of the only HelmChart resource in a template, parsed. */
export function helmValues(template: { findResources(type: string): Record<string, any> }): Record<string, any> {
  const chart = template.findResources('Custom::AWSCDK-EKS-HelmChart')[controllerChartId(template)];
  return JSON.parse(flatten(chart.Properties.Values));
}

/** The logical id of the controller's Helm release (the cluster also has the Gateway API CRDs' release). */
export function controllerChartId(template: { findResources(type: string): Record<string, any> }): string {
  const ids = Object.entries(template.findResources('Custom::AWSCDK-EKS-HelmChart'))
    .filter(([, r]) => r.Properties.Chart === 'aws-load-balancer-controller').map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one aws-load-balancer-controller release; found ${ids.join(', ') || 'none'}`);
  return ids[0];
}

/** Logical ids a resource needs first: its DependsOn and every Ref, Fn::GetAtt and Fn::Sub reference. */
export function directDependencies(resource: { DependsOn?: string | string[]; Properties?: unknown }): Set<string> {
  const out = new Set<string>([resource.DependsOn ?? []].flat());
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string' && !o.Ref.startsWith('AWS::')) out.add(o.Ref);
    if (Array.isArray(o['Fn::GetAtt'])) out.add((o['Fn::GetAtt'] as string[])[0]);
    if ('Fn::Sub' in o) {
      const text = [o['Fn::Sub']].flat()[0];
      if (typeof text === 'string') for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(\.[^}]*)?\}/g)) out.add(m[1]);
    }
    Object.values(o).forEach(walk);
  };
  walk(resource.Properties);
  return out;
}

/**
 * Whether CloudFormation must create `later` after `earlier` (and so delete it before), following dependencies
 * transitively within one template.
 */
export function createdAfter(template: { toJSON(): Record<string, any> }, later: string, earlier: string): boolean {
  const resources: Record<string, any> = template.toJSON().Resources;
  const seen = new Set<string>();
  const stack = [later];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const dep of directDependencies(resources[id] ?? {})) {
      if (dep === earlier) return true;
      if (!seen.has(dep)) { seen.add(dep); stack.push(dep); }
    }
  }
  return false;
}

/** The logical id of the only resource of `type` whose id matches `pattern`. */
export function logicalId(template: { findResources(type: string): Record<string, unknown> }, type: string, pattern: RegExp = /./): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => pattern.test(id));
  if (ids.length !== 1) throw new Error(`expected one ${type} matching ${pattern}; found ${ids.join(', ') || 'none'}`);
  return ids[0];
}
