import * as fs from 'fs';
import * as path from 'path';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { HealthCheckModel, ListenerModel } from '../path-model';
import type { LabSubnet } from './zones';
import { parseIpv4Cidr } from '../../private/validate';
import { UserError } from '../../errors';

/** The name of the output in which a lab stack records the paths it deployed. */
export const LAB_PATHS_OUTPUT = 'LabPaths';

/** The name of the output in which the cluster stack records its subnets' zones and blocks. */
export const LAB_SUBNETS_OUTPUT = 'LabSubnets';

/**
 * What a lab stack records of each path it deployed, in its `LabPaths` output as a JSON array: enough to build the
 * path model's expectation from the deployed values, and the model's own reading of them to check it against.
 */
export interface DeployedPath {
  /** The path's name in the lab's catalogue, e.g. `instance-local`. */
  readonly path: string;
  readonly url: string;
  /** The lab settings its chart was built from (image, replicas, NodePorts, traffic policy, ...). */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly namespace: string;
  readonly replicas: number;
  readonly listener?: ListenerModel;
  readonly targetGroup: { readonly port: number | string; readonly healthCheck: HealthCheckModel };
}

/** A deployed path and the stack it came from. */
export interface LabStackPath extends DeployedPath {
  readonly stackName: string;
}

/** A stack that is not deployed, or lacks the outputs of a lab stack; one line for the user. */
export class StackOutputsError extends UserError {}

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
  // Loaded on first use: the CDK app imports this module for the output's name, and the SDK is a tenth of its start-up.
  const { DescribeStacksCommand } = require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
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
 * Reads the paths the named lab stacks deployed. With `skipMissing`, stacks that do not exist are left out (the default
 * set, when only some labs are deployed); otherwise a missing stack is an error.
 */
export async function readLabStacks(client: CloudFormationClient, stackNames: readonly string[], region: string,
  skipMissing = false): Promise<LabStackPath[]> {
  const found: LabStackPath[] = [];
  for (const stackName of stackNames) {
    const stack = await describeStack(client, stackName, region);
    if (!stack) {
      if (skipMissing) continue;
      throw new StackOutputsError(`stack ${stackName} does not exist in ${region}; deploy it (npx cdk deploy ${stackName}), ` +
        'pass --region, or give the URL with --url mode=URL.');
    }
    found.push(...deployedPaths(stackName, stack));
  }
  if (found.length === 0) {
    throw new StackOutputsError(`none of ${stackNames.join(', ')} exists in ${region}; deploy them (npx cdk deploy --all), ` +
      'pass --region, or give URLs with --url mode=URL.');
  }
  return found;
}

/** The `LabPaths` output of a stack, read and checked for the fields the probe uses. */
function deployedPaths(stackName: string, stack: DeployedStack): LabStackPath[] {
  const text = stack.outputs[LAB_PATHS_OUTPUT];
  if (text === undefined) {
    throw new StackOutputsError(`stack ${stackName} (${stack.status}) has no ${LAB_PATHS_OUTPUT} output; is it a lab stack ` +
      'that finished deploying, from this version of eks-lb-lab? Redeploy it, or give the URL with --url mode=URL.');
  }
  let records: unknown;
  try {
    records = JSON.parse(text);
  } catch {
    records = undefined;
  }
  const valid = (r: unknown): r is DeployedPath => {
    const p = r as Partial<DeployedPath> | null;
    return typeof p === 'object' && p !== null && typeof p.path === 'string' && typeof p.url === 'string'
      && typeof p.namespace === 'string' && typeof p.replicas === 'number' && typeof p.settings === 'object' && p.settings !== null
      && typeof p.targetGroup === 'object' && p.targetGroup !== null;
  };
  if (!Array.isArray(records) || records.length === 0 || !records.every(valid)) {
    throw new StackOutputsError(`stack ${stackName}'s ${LAB_PATHS_OUTPUT} output is not a list of deployed paths; redeploy it.`);
  }
  return records.map((r) => ({ ...r, stackName, url: withScheme(r.url) }));
}

function withScheme(url: string): string {
  return /^https?:\/\//.test(url) ? url : `http://${url}`;
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === 'ValidationError' && /does not exist/.test(e.message ?? '');
}

/**
 * The subnets the cluster stack recorded in its `LabSubnets` output, for placing addresses in zones. A stack without
 * the output (deployed by an older version) gives none and the probe leaves the zone rows out; a malformed one is an
 * error.
 */
export async function readLabSubnets(client: CloudFormationClient, stackName: string, region: string): Promise<LabSubnet[]> {
  const stack = await describeStack(client, stackName, region);
  const text = stack?.outputs[LAB_SUBNETS_OUTPUT];
  if (text === undefined) return [];
  let records: unknown;
  try {
    records = JSON.parse(text);
  } catch {
    records = undefined;
  }
  const valid = (r: unknown): r is LabSubnet => {
    const s = r as Partial<LabSubnet> | null;
    return typeof s === 'object' && s !== null && typeof s.zone === 'string' && typeof s.cidr === 'string' && parseIpv4Cidr(s.cidr) !== undefined;
  };
  if (!Array.isArray(records) || !records.every(valid)) {
    throw new StackOutputsError(`stack ${stackName}'s ${LAB_SUBNETS_OUTPUT} output is not a list of subnets with zone and cidr; redeploy it.`);
  }
  return records;
}
