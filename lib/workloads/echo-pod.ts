import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-29';
import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { LabValidationError } from '../errors';
import { requireDns1123Label, requireInteger, show } from '../private/validate';

/** The echo pods every lab chart runs. */
export interface EchoPodProps {
  /**
   * Echo server image; it must answer HTTP on `containerPort` in the echoserver format.
   * @default 'registry.k8s.io/e2e-test-images/echoserver:2.5'
   */
  readonly image?: string;

  /**
   * Port the echo container listens on.
   * @default 8080
   */
  readonly containerPort?: number;

  /**
   * Number of echo pods, spread across zones and nodes.
   * @default 2
   */
  readonly replicas?: number;
}

/** An echo server that prints pod, node, pod IP, TCP peer and request headers in each response. */
export const ECHO_IMAGE = 'registry.k8s.io/e2e-test-images/echoserver:2.5';

/** The port the echo server listens on. */
export const ECHO_PORT = 8080;

/** What every lab chart shows of its echo workload, read-only: where its objects live and what runs. */
export interface EchoWorkloadSurface {
  /** The namespace of every object. */
  readonly namespaceName: string;
  /** Name of the Deployment (and of the Service and Ingress, where the chart has one of each). */
  readonly workloadName: string;
  /** The echo server image. */
  readonly image: string;
  /** Number of echo pods. */
  readonly replicas: number;
  /** Port the echo container listens on. */
  readonly containerPort: number;
  /** The fixed NodePort of the chart's NodePort Service, if it has one. */
  readonly nodePort?: number;
  /** The echo Deployment. */
  readonly deployment: kplus.Deployment;
}

/** The API server's default NodePort range (`--service-node-port-range`). */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

/** Throws unless `value` is a port in {@link NODE_PORT_RANGE}; the fix offers `example` and, where it may be, leaving it unset. */
export function requireNodePort(scope: Construct, value: number, fix: { readonly example?: number; readonly unset?: boolean } = {}): void {
  requireInteger(scope, 'nodePort', value, NODE_PORT_RANGE.min, NODE_PORT_RANGE.max,
    `Pick a port in the API server's NodePort range ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}` +
    `${fix.example !== undefined ? `, e.g. ${fix.example}` : ''}${fix.unset ? ', or leave it unset' : ''}.`);
}

/** Namespaces the cluster owns; a lab chart creates its namespace and deletes it on teardown, so these are refused. */
export const RESERVED_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Checks the namespace and object name a lab chart creates; `defaultNamespace` is offered as the fix. */
export function requireWorkloadNames(scope: Construct, namespace: string, name: string, defaultNamespace: string): void {
  requireDns1123Label(scope, 'namespace', namespace, defaultNamespace);
  if (RESERVED_NAMESPACES.includes(namespace)) {
    throw new LabValidationError(scope, 'namespace', `must be one of the workload's own: the chart creates it and deletes it ` +
      `with everything in it on teardown; got ${show(namespace)}. Use a namespace such as '${defaultNamespace}'.`);
  }
  requireDns1123Label(scope, 'name', name, 'echo');
}

/** The echo pods' settings with their defaults filled in, once checked; errors are reported on `scope`. */
export function echoPodSettings(scope: Construct, props: EchoPodProps): Required<EchoPodProps> {
  const { image = ECHO_IMAGE, containerPort = ECHO_PORT, replicas = 2 } = props;
  requireInteger(scope, 'replicas', replicas, 1, 100, 'Use 2 replicas so pods land on both nodes.');
  requireInteger(scope, 'containerPort', containerPort, 1, 65535, `The echoserver image listens on ${ECHO_PORT}.`);
  if (!Token.isUnresolved(image) && image.trim() === '') {
    throw new LabValidationError(scope, 'image', `must name a container image; got ${show(image)}. ` +
      `Leave it unset for ${ECHO_IMAGE}, or give a mirror of it.`);
  }
  if (!Token.isUnresolved(image) && !isImageReference(image)) {
    throw new LabValidationError(scope, 'image', `must be an image reference as the container runtime parses it ` +
      `([registry[:port]/]lower-case/path[:tag][@sha256:digest], at most 255 characters before the tag), or the pods ` +
      `never start (InvalidImageName); got ${show(image.length > 80 ? `${image.slice(0, 80)}…` : image)}. ` +
      `Leave it unset for ${ECHO_IMAGE}, or give a mirror of it.`);
  }
  return { image, containerPort, replicas };
}

// The image reference grammar of the container runtimes (github.com/distribution/reference), piece by piece.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?`;
const NAME = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/** Whether `image` parses as a container image reference: a name of at most 255 characters, a tag, a digest. */
export function isImageReference(image: string): boolean {
  const at = image.indexOf('@');
  const [named, digest] = at < 0 ? [image, undefined] : [image.slice(0, at), image.slice(at + 1)];
  if (digest !== undefined && !DIGEST.test(digest)) return false;
  const colon = named.lastIndexOf(':');
  const hasTag = colon > named.lastIndexOf('/');
  const [name, tag] = hasTag ? [named.slice(0, colon), named.slice(colon + 1)] : [named, undefined];
  return name.length <= 255 && NAME.test(name) && (tag === undefined || TAG.test(tag));
}

/** Labels every object of a lab workload carries; the Service selects pods by them. */
export function workloadLabels(name: string, targetType: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'eks-lb-lab', 'eks-lb-lab/target-type': targetType };
}

/**
 * The signal the echo pod's preStop hook sends nginx's master process once the preStop delay is over: `SIGQUIT`
 * (`nginx -s quit`) is nginx's graceful shutdown — it stops accepting, lets in-flight requests finish and closes
 * keep-alive connections; `SIGTERM` (`nginx -s stop`) is its fast shutdown — every connection closed at once.
 */
export type EchoStopSignal = 'SIGQUIT' | 'SIGTERM';

/**
 * How an echo pod stops. The echoserver image's entrypoint is a shell script that starts nginx as its child without
 * `exec`; as PID 1 with no handler, that shell drops the kubelet's SIGTERM, so without a hook nginx would serve on
 * until the grace period ends and SIGKILL. The preStop hook signals nginx itself.
 */
export interface EchoShutdown {
  /** Whole seconds the preStop hook sleeps before it signals nginx; 0 signals at once. */
  readonly preStopDelaySeconds: number;
  readonly stopSignal: EchoStopSignal;
  /** `terminationGracePeriodSeconds`; unset for the Kubernetes default (30 s), which cdk8s-plus writes. */
  readonly terminationGracePeriodSeconds?: number;
}

/** What an echo Deployment needs. */
export interface EchoDeploymentOptions {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly image: string;
  readonly containerPort: number;
  readonly replicas: number;
  /** The preStop hook and grace period; without it the pod has neither (the Kubernetes defaults). */
  readonly shutdown?: EchoShutdown;
}

/** The preStop command that stops nginx with `shutdown`'s signal after its delay. */
export function echoPreStopCommand(shutdown: EchoShutdown): string[] {
  const signal = shutdown.stopSignal === 'SIGQUIT' ? 'nginx -s quit' : 'nginx -s stop';
  return shutdown.preStopDelaySeconds > 0 ? ['/bin/sh', '-c', `sleep ${shutdown.preStopDelaySeconds} && ${signal}`] : signal.split(' ');
}

/**
 * The echo Deployment every lab runs: pods spread across zones and nodes, the downward API feeding the
 * node, pod and IP the echo server prints, and a readiness probe on `/`.
 */
export function echoDeployment(scope: Construct, id: string, o: EchoDeploymentOptions): kplus.Deployment {
  const deployment = new kplus.Deployment(scope, id, {
    metadata: { name: o.name, namespace: o.namespace, labels: o.labels },
    replicas: o.replicas,
    select: false,
    podMetadata: { labels: o.labels },
    automountServiceAccountToken: false,
    securityContext: { ensureNonRoot: false },
    ...(o.shutdown?.terminationGracePeriodSeconds !== undefined
      ? { terminationGracePeriod: Duration.seconds(o.shutdown.terminationGracePeriodSeconds) } : {}),
    containers: [{
      name: 'echo',
      image: o.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      portNumber: o.containerPort,
      envVariables: {
        NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME),
        POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
        POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
        POD_IP: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP),
      },
      readiness: kplus.Probe.fromHttpGet('/', { port: o.containerPort, periodSeconds: Duration.seconds(5) }),
      ...(o.shutdown ? { lifecycle: { preStop: kplus.Handler.fromCommand(echoPreStopCommand(o.shutdown)) } } : {}),
      resources: {
        cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
        memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) },
      },
      // The echoserver image runs nginx as root and writes its temp files into the image.
      securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false, allowPrivilegeEscalation: false },
    }],
  });
  deployment.select(kplus.LabelSelector.of({ labels: o.labels }));
  const spread = (topologyKey: string) => ({
    maxSkew: 1, topologyKey, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: o.labels },
  });
  ApiObject.of(deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
    spread('topology.kubernetes.io/zone'),
    spread('kubernetes.io/hostname'),
  ]));
  return deployment;
}
