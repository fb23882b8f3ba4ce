import * as path from 'path';
// Types only; the module itself is loaded from aws-cdk-lib's directory below.
import type * as cfnValidate from '../node_modules/aws-cdk-lib/node_modules/@aws/cloudformation-validate';

/**
 * AWS's offline CloudFormation validator, loaded from aws-cdk-lib's own dependency: the same copy (and so the same
 * rules and resource schemas) that runs on every `cdk synth` here through `@aws-cdk/core:validateAgainstDefaultRules`.
 * A separately installed copy could lag or lead it and the two would disagree about the same template.
 */
export function loadValidator(): typeof cfnValidate {
  const cdkLibDir = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  return require(require.resolve('@aws/cloudformation-validate', { paths: [cdkLibDir] }));
}

/** One finding, flattened for matching and for readable failures. */
export interface Finding {
  readonly stack: string;
  readonly severity: string;
  readonly rule: string;
  readonly resource: string;
  readonly message: string;
}

let engine: InstanceType<ReturnType<typeof loadValidator>['CompositeEngine']> | undefined;

/**
 * Validates templates at warning level and above. One engine serves every call of a test file: building it is the
 * slow part, and the region is an option of each validation, not of the engine.
 */
export function validateTemplates(templates: Readonly<Record<string, unknown>>, region: string): Finding[] {
  const v = loadValidator();
  engine ??= new v.CompositeEngine();
  const shared = engine;
  return Object.entries(templates).flatMap(([stack, template]) => {
    const report = shared.validateTemplate(new v.TemplateContent(JSON.stringify(template), stack), {
      detailLevel: 'STANDARD', severityLevel: 'WARN', pseudoParameterOverrides: { region },
    });
    return report.diagnostics.map((d) => ({
      stack,
      severity: String(d.severity),
      rule: d.ruleId,
      resource: d.entity && 'logicalId' in d.entity ? String(d.entity.logicalId) : '',
      message: d.message,
    }));
  });
}
