export * from './errors';
export * from './ingress-workload';
export * from './ingress-workload-chart';
export * from './kubectl-layer';
export * from './lab-cluster';
export * from './lab-vpc';
export * from './load-balancer-controller';
export * from './load-balancer-controller-version';
