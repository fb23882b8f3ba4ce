import { MutatingWebhookConfiguration, ValidatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress, IngressClass } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { albAnnotationProblem, nlbAnnotationProblem } from '../lib/private/alb-annotations';
import { gatewayObjectValidator, ingressClassParamsValidator, targetGroupBindingValidator } from './crds';

/** A Kubernetes object as JSON. */
export type K8sObject = { apiVersion?: string; kind?: string; metadata?: { name?: string; annotations?: Record<string, string> } };

type Model = new (data: never) => { validate(): void };

/** Kubernetes OpenAPI models (kubernetes-models) by `apiVersion/kind`. Add a kind here before a chart emits it. */
const MODELS: Readonly<Record<string, Model>> = {
  'v1/Namespace': Namespace as unknown as Model,
  'v1/Service': Service as unknown as Model,
  'v1/ServiceAccount': ServiceAccount as unknown as Model,
  'v1/Secret': Secret as unknown as Model,
  'apps/v1/Deployment': Deployment as unknown as Model,
  'networking.k8s.io/v1/Ingress': Ingress as unknown as Model,
  'networking.k8s.io/v1/IngressClass': IngressClass as unknown as Model,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole as unknown as Model,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding as unknown as Model,
  'rbac.authorization.k8s.io/v1/Role': Role as unknown as Model,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding as unknown as Model,
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': MutatingWebhookConfiguration as unknown as Model,
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': ValidatingWebhookConfiguration as unknown as Model,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as unknown as Model,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as unknown as Model,
};

/** The controller's TargetGroupBinding CRD schema (chart 3.5.0), closed so fields the API server would prune fail. */
const validateTargetGroupBinding = targetGroupBindingValidator();

/** The controller's IngressClassParams CRD schema (chart 3.5.0), closed likewise. */
const validateIngressClassParams = ingressClassParamsValidator();

/**
 * Everything wrong with Kubernetes objects, one line each (`Kind/name: problem`): each object against the Kubernetes
 * OpenAPI schema of its kind (or the controller's CRD), and every `alb.ingress.kubernetes.io/*` annotation against
 * the controller's documented grammar. An empty list means all is well; an unknown kind is itself a problem.
 */
export function k8sProblems(objects: readonly K8sObject[]): string[] {
  return objects.flatMap((object) => {
    const id = `${object.kind}/${object.metadata?.name ?? '?'}`;
    const problems: string[] = [];
    const type = `${object.apiVersion}/${object.kind}`;
    if (type === 'elbv2.k8s.aws/v1beta1/TargetGroupBinding') {
      if (!validateTargetGroupBinding(object)) {
        problems.push(...(validateTargetGroupBinding.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`));
      }
      // The schema leaves both optional; the controller's webhook rejects a binding that names no target group.
      const spec = (object as { spec?: Record<string, unknown> }).spec ?? {};
      if (spec.targetGroupARN === undefined && spec.targetGroupName === undefined) {
        problems.push('/spec must name its target group (targetGroupARN or targetGroupName)');
      }
    } else if (type === 'elbv2.k8s.aws/v1beta1/IngressClassParams') {
      if (!validateIngressClassParams(object)) {
        problems.push(...(validateIngressClassParams.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`));
      }
    } else if (/^gateway\.(networking\.k8s\.io|k8s\.aws)\//.test(object.apiVersion ?? '')) {
      // Gateway API's and the controller's gateway.k8s.aws kinds, against their vendored CRDs, closed.
      const validate = gatewayObjectValidator(object.apiVersion!, object.kind ?? '');
      if (!validate(object)) problems.push(...(validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`));
    } else if (Object.prototype.hasOwnProperty.call(MODELS, type)) {
      try {
        new MODELS[type](object as never).validate();
      } catch (error) {
        problems.push((error as Error).message);
      }
    } else {
      problems.push(`no schema for ${type}; add it to test/k8s-validate.ts`);
    }
    for (const [key, value] of Object.entries(object.metadata?.annotations ?? {})) {
      const problem = albAnnotationProblem(key, value) ?? nlbAnnotationProblem(key, value);
      if (problem) problems.push(`annotation ${key}=${JSON.stringify(value)} ${problem}`);
    }
    return problems.map((p) => `${id}: ${p}`);
  });
}
