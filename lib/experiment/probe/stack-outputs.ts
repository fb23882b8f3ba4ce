import * as fs from 'fs';
import * as path from 'path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ExternalTrafficPolicy, TargetType } from '../..';

/** The lab stacks the probe measures by default, in report order. */
export const LAB_STACKS = ['IpModeLab', 'InstanceModeLab', 'NlbIpModeLab', 'NlbInstanceModeLab', 'TgbLab'] as const;

/** Which lab a stack is: an ALB Ingress, an NLB Service, or the TargetGroupBinding lab's ALB. */
export type LabKind = 'alb' | 'nlb' | 'tgb';

/** One path a deployed lab stack offers, as its outputs describe it; the TargetGroupBinding lab has two. */
export interface LabStackOutputs {
  readonly stackName: string;
  readonly lab: LabKind;
  readonly url: string;
  readonly namespace?: string;
  readonly targetType: TargetType;
  /** Absent from stacks that did not record it, and from ip paths. */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
  /** NLB: `preserve_client_ip.enabled` of its target group. */
  readonly preserveClientIp?: boolean;
  /** NLB: PROXY protocol v2 to the targets. */
  readonly proxyProtocol?: boolean;
}

/** A stack that is not deployed, or lacks the outputs of a lab stack; one line for the user. */
export class StackOutputsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackOutputsError';
  }
}

/**
 * The region of the lab stacks when `--region` does not say: AWS_REGION (or AWS_DEFAULT_REGION), else the `region`
 * context in the cdk.json of `cwd`, else us-east-1.
 */
export function stackRegion(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  return flag ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? contextRegion(cwd) ?? 'us-east-1';
}

function contextRegion(cwd: string): string | undefined {
  try {
    const region = JSON.parse(fs.readFileSync(path.join(cwd, 'cdk.json'), 'utf8'))?.context?.region;
    return typeof region === 'string' ? region : undefined;
  } catch {
    return undefined;
  }
}

/** A deployed stack: its status and its outputs by key. */
export interface DeployedStack {
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
}

/**
 * Reads one stack with CloudFormation `DescribeStacks`; undefined when no stack of that name exists in the region.
 * Any other failure (credentials, permissions, the network) is a {@link StackOutputsError} naming the stack.
 */
export async function describeStack(client: CloudFormationClient, stackName: string, region: string): Promise<DeployedStack | undefined> {
  let stack;
  try {
    stack = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw new StackOutputsError(`cannot read stack ${stackName} in ${region}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!stack) return undefined;
  return {
    status: stack.StackStatus ?? 'UNKNOWN',
    outputs: Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
  };
}

/**
 * Reads the outputs of the named lab stacks. With `skipMissing`, stacks that do not exist are left out (the default
 * set, when only some labs are deployed); otherwise a missing stack is an error. The TargetGroupBinding lab gives
 * two paths, every other lab one.
 */
export async function readLabStacks(client: CloudFormationClient, stackNames: readonly string[], region: string,
  skipMissing = false): Promise<LabStackOutputs[]> {
  const found: LabStackOutputs[] = [];
  for (const stackName of stackNames) {
    const stack = await describeStack(client, stackName, region);
    if (!stack) {
      if (skipMissing) continue;
      throw new StackOutputsError(`stack ${stackName} does not exist in ${region}; deploy it (npx cdk deploy ${stackName}), ` +
        'pass --region, or give the URL with --url mode=URL.');
    }
    const paths = labPaths(stackName, stack.outputs);
    if (paths.length === 0) {
      throw new StackOutputsError(`stack ${stackName} (${stack.status}) has no Url and TargetType outputs (nor IpUrl and InstanceUrl); ` +
        'is it a lab stack that finished deploying?');
    }
    found.push(...paths);
  }
  if (found.length === 0) {
    throw new StackOutputsError(`none of ${stackNames.join(', ')} exists in ${region}; deploy them (npx cdk deploy --all), ` +
      'pass --region, or give URLs with --url mode=URL.');
  }
  return found;
}

/** The paths a stack's outputs describe: the TargetGroupBinding lab by its two URLs, an NLB lab by its preservation output. */
function labPaths(stackName: string, outputs: Readonly<Record<string, string>>): LabStackOutputs[] {
  const etp = outputs.ExternalTrafficPolicy === 'Cluster' || outputs.ExternalTrafficPolicy === 'Local' ? outputs.ExternalTrafficPolicy : undefined;
  const flag = (value: string | undefined) => (value === 'true' ? true : value === 'false' ? false : undefined);
  const common = { stackName, namespace: outputs.Namespace };
  if (outputs.IpUrl && outputs.InstanceUrl) {
    return [
      { ...common, lab: 'tgb', url: withScheme(outputs.IpUrl), targetType: 'ip' },
      { ...common, lab: 'tgb', url: withScheme(outputs.InstanceUrl), targetType: 'instance', externalTrafficPolicy: etp },
    ];
  }
  const targetType = outputs.TargetType;
  if (!outputs.Url || (targetType !== 'ip' && targetType !== 'instance')) return [];
  const nlb = outputs.PreserveClientIp !== undefined;
  return [{
    ...common,
    lab: nlb ? 'nlb' : 'alb',
    url: withScheme(outputs.Url),
    targetType,
    externalTrafficPolicy: targetType === 'instance' ? etp : undefined,
    ...(nlb ? { preserveClientIp: flag(outputs.PreserveClientIp), proxyProtocol: flag(outputs.ProxyProtocol) } : {}),
  }];
}

function withScheme(url: string): string {
  return /^https?:\/\//.test(url) ? url : `http://${url}`;
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === 'ValidationError' && /does not exist/.test(e.message ?? '');
}
