import { Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { IConstruct } from 'constructs';
import { LabValidationError } from '../../errors';

/** Why an IPv6 cluster has no `instance` path, in the words every refusal uses. */
export const IPV6_IP_TARGETS_ONLY = 'EKS load balances to IPv6 pods with ip targets only, not instance targets';

/** Whether `cluster` gives pods and Services IPv6 addresses. */
export function isIpv6Cluster(cluster: eks.ICluster): boolean {
  return cluster.ipFamily !== undefined && !Token.isUnresolved(cluster.ipFamily) && cluster.ipFamily === eks.IpFamily.IP_V6;
}

/**
 * A workload's chart props for `cluster`: in an IPv6 cluster the load balancer defaults to dual-stack, an IPv4-only
 * one is refused (the controller would refuse the IPv6 Service behind it) and so are `instance` targets.
 */
export function forIpFamily<T extends { readonly targetType: string; readonly ipAddressType?: string }>(
  scope: IConstruct, cluster: eks.ICluster, props: T): T {
  if (!isIpv6Cluster(cluster)) return props;
  if (props.targetType === 'instance') {
    throw new LabValidationError(scope, 'targetType', `'instance' cannot serve an IPv6 cluster: ${IPV6_IP_TARGETS_ONLY}; ` +
      `got 'instance'. Use 'ip'.`);
  }
  if (props.ipAddressType === 'ipv4') {
    throw new LabValidationError(scope, 'ipAddressType', `must be dual-stack in an IPv6 cluster: its Services are IPv6, so the ` +
      `controller makes IPv6 target groups and refuses an IPv4-only load balancer ("unsupported IPv6 configuration, lb not ` +
      `dual-stack"); got 'ipv4'. Use 'dualstack', or leave it unset.`);
  }
  return { ...props, ipAddressType: props.ipAddressType ?? 'dualstack' };
}
