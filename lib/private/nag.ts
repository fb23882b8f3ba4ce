import { Stack, Validations } from 'aws-cdk-lib';
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

/** `value` as cdk-nag writes it in a finding: pseudo parameters and references as `<Name>`, joins and subs flattened. */
export function nagString(stack: Stack, value: string): string {
  const flat = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if (o.Ref !== undefined) return `<${o.Ref as string}>`;
    if (o['Fn::GetAtt'] !== undefined) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
    if (o['Fn::Join'] !== undefined) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(flat).join(sep);
    }
    if (o['Fn::Sub'] !== undefined) return (o['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, '<$1>');
    return JSON.stringify(v);
  };
  return flat(stack.resolve(value));
}
