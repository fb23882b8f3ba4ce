import Ajv, { ValidateFunction } from 'ajv';
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

/** A validator for TargetGroupBinding objects from the vendored CRD's openAPIV3Schema. */
export function targetGroupBindingValidator(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true });
  for (const keyword of ['x-kubernetes-int-or-string', 'x-kubernetes-list-type', 'x-kubernetes-map-type']) ajv.addKeyword(keyword);
  for (const format of ['int64', 'date-time']) ajv.addFormat(format, true);
  return ajv.compile(closed(tgbCrd.openAPIV3Schema) as Schema);
}

/** The vendored CRD's identity. */
export const TGB_CRD = { group: tgbCrd.group, version: tgbCrd.version, kind: tgbCrd.kind };
