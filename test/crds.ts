import * as fs from 'fs';
import { isIPv4, isIPv6 } from 'net';
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
  // Not strict about types: the Gateway API CRDs put `format` beside anyOf/oneOf branches without a type of their own.
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  for (const keyword of ['x-kubernetes-int-or-string', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type',
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-validations']) {
    ajv.addKeyword(keyword);
  }
  for (const format of ['int64', 'int32', 'date-time']) ajv.addFormat(format, true);
  ajv.addFormat('ipv4', (v: string) => isIPv4(v));
  ajv.addFormat('ipv6', (v: string) => isIPv6(v));
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

/** The vendored CRDs that define the Gateway objects: Gateway API v1.6.1's and the controller's gateway.k8s.aws ones. */
const GATEWAY_CRD_FILES = [
  ...fs.readdirSync(path.join(__dirname, '..', 'lib', 'cluster', 'gateway-api-crds-chart', 'templates'))
    .map((f) => path.join(__dirname, '..', 'lib', 'cluster', 'gateway-api-crds-chart', 'templates', f)),
  path.join(__dirname, 'fixtures', 'aws-load-balancer-controller-chart', 'crds', 'gateway-crds.yaml'),
];

interface CrdView {
  readonly spec: { readonly group: string; readonly names: { readonly kind: string };
    readonly versions: readonly { readonly name: string; readonly served: boolean; readonly schema: { readonly openAPIV3Schema: unknown } }[] };
}

const gatewayCrdFiles = new Map<string, CrdView[]>();
const gatewayValidators = new Map<string, ValidateFunction>();

/** The CRDs of the vendored files that define `kind`, each file parsed once (parsing all 1.4 MB takes seconds). */
function crdsDefining(kind: string): CrdView[] {
  return GATEWAY_CRD_FILES.flatMap((file) => {
    if (!gatewayCrdFiles.has(file)) {
      const text = fs.readFileSync(file, 'utf8');
      if (!text.includes(`kind: ${kind}\n`)) return [];
      gatewayCrdFiles.set(file, parseAllDocuments(text).map((d) => d.toJS()).filter((d) => d?.kind === 'CustomResourceDefinition'));
    }
    return gatewayCrdFiles.get(file)!;
  });
}

/**
 * A validator for objects of `apiVersion` and `kind` from the served version's openAPIV3Schema in the vendored CRDs
 * (closed, as for TargetGroupBinding); throws for a kind or version no vendored CRD serves.
 */
export function gatewayObjectValidator(apiVersion: string, kind: string): ValidateFunction {
  const key = `${apiVersion}/${kind}`;
  const cached = gatewayValidators.get(key);
  if (cached) return cached;
  const [group, version] = apiVersion.split('/');
  const crd = crdsDefining(kind).find((c) => c.spec.group === group && c.spec.names.kind === kind);
  const served = crd?.spec.versions.find((v) => v.name === version && v.served);
  if (!served) throw new Error(`no vendored CRD serves ${key}`);
  const validate = compile(served.schema.openAPIV3Schema);
  gatewayValidators.set(key, validate);
  return validate;
}
