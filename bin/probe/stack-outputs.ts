import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ExternalTrafficPolicy, TargetType } from '../../lib';

/** The lab stacks the probe measures by default, in report order. */
export const LAB_STACKS = ['IpModeLab', 'InstanceModeLab'] as const;

/** What a deployed lab stack tells the probe through its outputs. */
export interface LabStackOutputs {
  readonly stackName: string;
  readonly url: string;
  readonly namespace?: string;
  readonly targetType: TargetType;
  /** Absent from stacks that did not record it, and from ip-mode stacks. */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
}

/** A stack that is not deployed, or lacks the outputs of a lab stack; one line for the user. */
export class StackOutputsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackOutputsError';
  }
}

/**
 * Reads the outputs of the named lab stacks. With `skipMissing`, stacks that do not exist are left out (the default
 * set, when only one half is deployed); otherwise a missing stack is an error.
 */
export async function readLabStacks(client: CloudFormationClient, stackNames: readonly string[], region: string,
  skipMissing = false): Promise<LabStackOutputs[]> {
  const found: LabStackOutputs[] = [];
  for (const stackName of stackNames) {
    let stack;
    try {
      stack = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    } catch (error) {
      if (isMissing(error)) {
        if (skipMissing) continue;
        throw new StackOutputsError(`stack ${stackName} does not exist in ${region}; deploy it (npx cdk deploy ${stackName}), ` +
          'pass --region, or give the URL with --url mode=URL.');
      }
      throw new StackOutputsError(`cannot read stack ${stackName} in ${region}: ${(error as Error).message}`);
    }
    if (!stack) throw new StackOutputsError(`stack ${stackName} does not exist in ${region}.`);
    const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
    const targetType = outputs.TargetType;
    if (!outputs.Url || (targetType !== 'ip' && targetType !== 'instance')) {
      throw new StackOutputsError(`stack ${stackName} (${stack.StackStatus}) has no Url and TargetType outputs; ` +
        'is it a lab stack that finished deploying?');
    }
    const etp = outputs.ExternalTrafficPolicy;
    found.push({
      stackName,
      url: /^https?:\/\//.test(outputs.Url) ? outputs.Url : `http://${outputs.Url}`,
      namespace: outputs.Namespace,
      targetType,
      externalTrafficPolicy: etp === 'Cluster' || etp === 'Local' ? etp : undefined,
    });
  }
  if (found.length === 0) {
    throw new StackOutputsError(`none of ${stackNames.join(', ')} exists in ${region}; deploy them (npx cdk deploy --all), ` +
      'pass --region, or give URLs with --url mode=URL.');
  }
  return found;
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === 'ValidationError' && /does not exist/.test(e.message ?? '');
}
