import { ExpectedPath } from '../path-model';
import { DisruptionEvent, DisruptionExpectation } from './types';

/**
 * What a rollout or a node drain should cost a path, from the objects alone: which mechanisms can fail a request
 * while pods are replaced, and whether the objects close each of them.
 *
 * The controller's behaviour it rests on (aws-load-balancer-controller v3.5.0):
 * - ip targets follow the Service's endpoints: a terminating pod leaves the registered set when the controller next
 *   reconciles its TargetGroupBinding after the EndpointSlice change (pkg/backend/endpoint_resolver.go drops
 *   terminating endpoints on Ready nodes), so deregistration comes seconds after the pod was told to stop; from then the
 *   target drains: no new requests, in-flight ones get up to `deregistration_delay.timeout_seconds`.
 * - A new ip target starts `initial` and takes health checks to turn healthy; the pod readiness gate
 *   (docs/deploy/pod_readiness_gate.md) keeps the pod un-Ready until then, so a rolling update does not stop old pods
 *   before their successors take traffic. The webhook injects it only for ip target groups
 *   (pkg/inject/pod_readiness/pod_readiness_gate.go).
 * - instance targets are nodes, chosen by ResolveNodePortEndpoints (pkg/backend/endpoint_resolver.go): nodes matching
 *   the traffic-proxy selector (no `node.kubernetes.io/exclude-from-external-load-balancers` label, no control-plane
 *   role label, not Fargate; pkg/backend/endpoint_utils.go), without the `ToBeDeletedByClusterAutoscaler` or
 *   `karpenter.sh/disrupted:NoSchedule` taint (IsNodeSuitableAsTrafficProxy), and Ready. A cordoned node
 *   (`spec.unschedulable`) matches all of these: draining a node does not deregister it.
 */

/** What the model assumes of the cluster beside the objects. */
export interface DisruptionModelOptions {
  /**
   * Seconds between a pod's deletion and the controller's deregistration of its ip target taking effect at the load
   * balancer (the EndpointSlice update, the reconcile, the ELB API call and its propagation); a preStop delay shorter
   * than this leaves the load balancer sending to a pod that has stopped.
   * @default 10
   */
  readonly deregistrationLagSeconds?: number;
}

/** The allowance {@link DisruptionModelOptions.deregistrationLagSeconds} defaults to. */
export const DEFAULT_DEREGISTRATION_LAG_SECONDS = 10;

/** The model's expectation for `event` on `path`. */
export function expectDisruption(path: ExpectedPath, event: DisruptionEvent, options: DisruptionModelOptions = {}): DisruptionExpectation {
  if (event === 'load-only') {
    // The user's change is not known: it may be either, so the expectation is the worse of the two.
    const [rollout, drain] = [expectDisruption(path, 'rollout', options), expectDisruption(path, 'drain', options)];
    const errors = rollout.errors === 'some' || drain.errors === 'some' ? 'some' : 'none';
    return {
      event, errors,
      reasons: [`the change is made outside the run: the expectation is the worse of a rollout's and a drain's`,
        ...new Set([...rollout.reasons, ...drain.reasons])],
    };
  }
  const findings = path.targetType === 'ip' ? ipFindings(path, event, options) : instanceFindings(path, event);
  return { event, errors: findings.some((f) => f.fails) ? 'some' : 'none', reasons: findings.map((f) => f.reason) };
}

/** One mechanism: whether it can fail a request on this path, and why. */
interface Finding {
  readonly fails: boolean;
  readonly reason: string;
}

function ipFindings(path: ExpectedPath, event: 'rollout' | 'drain', options: DisruptionModelOptions): Finding[] {
  const s = path.shutdown;
  const lag = options.deregistrationLagSeconds ?? DEFAULT_DEREGISTRATION_LAG_SECONDS;
  const out: Finding[] = [stopFinding(path, lag), graceFinding(path)];
  if (s.deregistrationDelaySeconds === 0) {
    out.push({ fails: true, reason: 'deregistration_delay.timeout_seconds is 0: the load balancer cuts in-flight requests the moment it deregisters a pod' });
  } else {
    out.push({ fails: false, reason: `deregistration delay ${s.deregistrationDelaySeconds} s${s.deregistrationDelayFromObjects ? '' : ' (the ELB default)'}: ` +
      'requests in flight on a draining target have that long to finish, and the echo requests take milliseconds' });
  }
  if (event === 'rollout') {
    out.push(s.readinessGate
      ? { fails: false, reason: 'readiness gate: a new pod is Ready only once its target is healthy, so the rollout stops an old pod only when a successor takes traffic' }
      : {
        fails: true, reason: 'no readiness gate: a new pod is Ready on its readiness probe while its target is still initial, so old pods can stop ' +
          'before their successors pass the load balancer\'s health check (the controller\'s pod readiness gate guide)',
      });
  } else {
    out.push(path.workload.replicas < 2
      ? { fails: true, reason: `${path.workload.replicas} replica: the drained node holds the only pod, and its successor is registered and healthy only after the old one has stopped` }
      : { fails: false, reason: `${path.workload.replicas} replicas spread over nodes: the pods on the other nodes carry the load while the evicted ones are replaced (an eviction does not wait for the successor)` });
  }
  return out;
}

function instanceFindings(path: ExpectedPath, event: 'rollout' | 'drain'): Finding[] {
  const s = path.shutdown;
  const local = path.externalTrafficPolicy === 'Local';
  const out: Finding[] = [];
  out.push({
    fails: false, reason: event === 'drain'
      ? 'the nodes stay registered: the controller picks nodes by label, taint and Ready (pkg/backend/endpoint_resolver.go, endpoint_utils.go), ' +
        'and a cordoned node keeps all three, so the drained node still takes traffic and kube-proxy forwards it'
      : 'the targets are nodes, and a rollout does not change them: the target group and its health checks stay as they were',
  });
  out.push(s.stop === 'graceful'
    ? {
      fails: true, reason: `kube-proxy sends new connections only to ready pods, and the old pod serves the load balancer's connections that conntrack ties ` +
        `to it for its ${s.preStopDelaySeconds} s preStop delay; then nginx quits gracefully (SIGQUIT): in-flight requests finish, but the idle keep-alive ` +
        'connections it closes are ones the load balancer may be sending a request on at that instant, and such a request fails (502): a race no pod setting closes with instance targets',
    }
    : {
      fails: true, reason: `the load balancer's keep-alive connections to a node stay tied to the old pod by conntrack after kube-proxy drops it; the pod stops at once ` +
        `(${s.stop === 'fast' ? 'SIGTERM to nginx, fast shutdown' : 'SIGTERM'}), so requests in flight or sent on those connections as they close fail`,
    });
  out.push(graceFinding(path));
  if (local) {
    out.push({
      fails: true, reason: 'externalTrafficPolicy Local: a node whose local pods are all stopping has no endpoint for new connections until a successor is ready on it, ' +
        'and the load balancer stops sending to it only after its health check fails',
    });
  }
  if (event === 'drain') {
    out.push({
      fails: false, reason: 'to take a node out for good, label it node.kubernetes.io/exclude-from-external-load-balancers (or let Cluster Autoscaler or Karpenter taint it) ' +
        'first: the controller then deregisters it and the target group drains it',
    });
  }
  return out;
}

/** The old pod must keep serving until the load balancer has stopped sending to it. */
function stopFinding(path: ExpectedPath, lag: number): Finding {
  const s = path.shutdown;
  const how = s.stop === 'graceful' ? 'then quits gracefully (SIGQUIT)' : s.stop === 'fast' ? 'then stops at once (SIGTERM, fast shutdown)' : 'stops on SIGTERM';
  if (s.preStopDelaySeconds >= lag && s.stop === 'graceful') {
    return {
      fails: false, reason: `preStop delay ${s.preStopDelaySeconds} s ≥ the ${lag} s the controller takes to deregister a pod: the old pod serves until the ` +
        `load balancer has stopped sending to it, ${how}`,
    };
  }
  return {
    fails: true, reason: `the old pod ${s.preStopDelaySeconds > 0 ? `waits ${s.preStopDelaySeconds} s and ` : ''}${how}, before the controller's deregistration ` +
      `(up to ${lag} s after the endpoint change) has taken effect: the load balancer still sends it requests, which fail`,
  };
}

/** The kubelet kills the container when the grace period ends, whatever the preStop hook is doing. */
function graceFinding(path: ExpectedPath): Finding {
  const s = path.shutdown;
  return s.preStopDelaySeconds >= s.terminationGracePeriodSeconds
    ? { fails: true, reason: `the preStop delay (${s.preStopDelaySeconds} s) does not end within the grace period (${s.terminationGracePeriodSeconds} s): the kubelet kills the pod mid-request` }
    : { fails: false, reason: `the grace period (${s.terminationGracePeriodSeconds} s) covers the preStop delay (${s.preStopDelaySeconds} s) and the stop` };
}

