import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { LoadBalancerController } from '../../controller/load-balancer-controller';
import { claimWorkload } from './cluster-claims';
import type { EchoWorkloadSurface } from '../echo-pod';

/** A lab chart, as it is applied: a cdk8s chart with the echo workload's read-only surface. */
export type AppliedChart = Chart & EchoWorkloadSurface;

/**
 * Applies a lab chart to `cluster` as one manifest with id `Resource` under `scope`, the way every lab workload does:
 * its namespace and NodePort claimed on the cluster first, and ordered after the controller. Create: the
 * controller's webhooks must answer before the API server admits the objects. Delete: the controller must still
 * run to remove what it made for them (load balancers, target groups, security group rules).
 */
export function applyAfterController(scope: Construct, cluster: eks.ICluster, controller: LoadBalancerController, chart: AppliedChart): eks.KubernetesManifest {
  claimWorkload(scope, cluster, chart);
  const manifest = new eks.KubernetesManifest(scope, 'Resource', { cluster, manifest: chart.toJson() });
  manifest.node.addDependency(controller.chart);
  return manifest;
}

/** Reads back the hostname the controller publishes in the status of the chart's Ingress or Service, once applied. */
export function publishedHostname(scope: Construct, cluster: eks.ICluster, manifest: eks.KubernetesManifest, chart: AppliedChart,
  objectType: 'ingress' | 'service', timeout?: Duration): string {
  const address = new eks.KubernetesObjectValue(scope, 'LoadBalancerAddress', {
    cluster,
    objectType,
    objectName: chart.workloadName,
    objectNamespace: chart.namespaceName,
    jsonPath: '.status.loadBalancer.ingress[0].hostname',
    timeout: timeout ?? Duration.minutes(10),
  });
  address.node.addDependency(manifest);
  return address.value;
}
