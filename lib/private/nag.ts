import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag AwsSolutions findings (rule id with its finding, e.g. `IAM4[Policy::…]`) on `scope` and
 * everything under it, through aws-cdk-lib's own acknowledgement metadata, so the library needs no cdk-nag at runtime.
 */
export function acknowledgeNag(scope: IConstruct, findings: readonly string[], reason: string): void {
  for (const finding of findings) Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${finding}`, reason });
}

/** The AwsSolutions-IAM4 finding for an AWS managed policy attached by name. */
export function managedPolicyFinding(name: string): string {
  return `IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;
}
