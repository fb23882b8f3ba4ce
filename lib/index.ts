// The construct library: constructs, their props, the version classes and the error type. The experiment
// toolkit (path model, echo parsing, probe, emulation) is `eks-lb-lab/experiment`.
export { LabValidationError, UserError } from './errors';
export { LabVpc, type LabVpcProps } from './cluster/lab-vpc';
export { LabCluster, type LabClusterProps } from './cluster/lab-cluster';
export { KubectlLayer } from './cluster/kubectl-layer';
export { LabCleanup, type LabCleanupProps } from './cluster/lab-cleanup';
export { GatewayApiCrds, type GatewayApiCrdsProps } from './cluster/gateway-api-crds';
export {
  LoadBalancerController, type LoadBalancerControllerIdentity, type LoadBalancerControllerOptions, type LoadBalancerControllerProps,
} from './controller/load-balancer-controller';
export { LoadBalancerControllerPolicy, type LoadBalancerControllerPolicyProps } from './controller/load-balancer-controller-policy';
export { LoadBalancerControllerVersion, type PolicyJson } from './controller/load-balancer-controller-version';
export {
  type AlbIpAddressType, type AlbScheme, type CrossZoneLoadBalancing, type EchoPodProps, type ExternalTrafficPolicy, IngressWorkloadChart, type IngressWorkloadChartProps,
  type LabServiceType, type TargetType,
} from './workloads/ingress-workload-chart';
export { IngressWorkload, type IngressWorkloadProps } from './workloads/ingress-workload';
export { type NlbIpAddressType, type NlbScheme, NlbWorkloadChart, type NlbWorkloadChartProps } from './workloads/nlb-workload-chart';
export { NlbWorkload, type NlbWorkloadProps } from './workloads/nlb-workload';
export { TargetGroupBindingChart, type TargetGroupBindingChartProps } from './workloads/target-group-binding-chart';
export { TargetGroupBindingWorkload, type TargetGroupBindingWorkloadProps } from './workloads/target-group-binding-workload';
export {
  GatewayWorkloadChart, type GatewayListenerPorts, type GatewayLoadBalancer, type GatewayWorkloadChartProps,
} from './workloads/gateway-workload-chart';
export { GatewayWorkload, type GatewayWorkloadProps } from './workloads/gateway-workload';
