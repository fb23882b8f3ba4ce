import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import tgbCrd from './crds/targetgroupbindings.elbv2.k8s.aws.v1beta1.json';

type Schema = Record<string, unknown>;

/**
 * Closes every object schema that lists its properties, so a field the API server would prune (a typo, a
 * field of another version) fails validation instead of vanishing.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Schema = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, closed(v)]));
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function compile(schema: unknown): ValidateFunction {
  const ajv = new Ajv({ allErrors: true });
  for (const keyword of ['x-kubernetes-int-or-string', 'x-kubernetes-list-type', 'x-kubernetes-map-type', 'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-validations']) {
    ajv.addKeyword(keyword);
  }
  for (const format of ['int64', 'int32', 'date-time']) ajv.addFormat(format, true);
  return ajv.compile(closed(schema) as Schema);
}

/** A validator for TargetGroupBinding objects from the vendored CRD's openAPIV3Schema. */
export function targetGroupBindingValidator(): ValidateFunction {
  return compile(tgbCrd.openAPIV3Schema);
}

/** A validator for IngressClassParams objects (`elbv2.k8s.aws/v1beta1`) from the vendored chart's crds/crds.yaml. */
export function ingressClassParamsValidator(): ValidateFunction {
  const file = path.join(__dirname, 'fixtures', 'aws-load-balancer-controller-chart', 'crds', 'crds.yaml');
  const crd = parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS())
    .find((d) => d?.spec?.names?.kind === 'IngressClassParams');
  const version = crd.spec.versions.find((v: { name: string }) => v.name === 'v1beta1');
  return compile(version.schema.openAPIV3Schema);
}

/** The vendored CRD's identity. */
export const TGB_CRD = { group: tgbCrd.group, version: tgbCrd.version, kind: tgbCrd.kind };
