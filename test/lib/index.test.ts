import * as fs from 'fs';
import * as path from 'path';
import * as experiment from '../../lib/experiment';
import * as root from '../../lib';
import { ROOT } from '../paths';

/** Every name a module's `export { ... } from` lists give, types included. */
function exportedNames(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/export \{([^}]*)\} from/g)].flatMap((m) => m[1].split(','))
    .map((n) => n.trim().replace(/^type /, '')).filter((n) => n !== '').sort();
}

describe('the package root', () => {
  test('exports the constructs, their props, the version classes and the error types: 46 names', () => {
    expect(exportedNames('lib/index.ts')).toEqual([
      'AlbIpAddressType', 'AlbScheme', 'CrossZoneLoadBalancing', 'EchoPodProps', 'ExternalTrafficPolicy', 'GatewayApiCrds', 'GatewayApiCrdsProps',
      'GatewayListenerPorts', 'GatewayLoadBalancer', 'GatewayWorkload', 'GatewayWorkloadChart', 'GatewayWorkloadChartProps', 'GatewayWorkloadProps',
      'IngressWorkload', 'IngressWorkloadChart', 'IngressWorkloadChartProps',
      'IngressWorkloadProps', 'KubectlLayer', 'LabCleanup', 'LabCleanupProps', 'LabCluster', 'LabClusterProps', 'LabServiceType',
      'LabValidationError', 'LabVpc', 'LabVpcProps', 'LoadBalancerController', 'LoadBalancerControllerIdentity', 'LoadBalancerControllerOptions',
      'LoadBalancerControllerPolicy', 'LoadBalancerControllerPolicyProps', 'LoadBalancerControllerProps',
      'LoadBalancerControllerVersion', 'NlbIpAddressType', 'NlbScheme', 'NlbWorkload', 'NlbWorkloadChart', 'NlbWorkloadChartProps', 'NlbWorkloadProps',
      'PolicyJson', 'TargetGroupBindingChart', 'TargetGroupBindingChartProps', 'TargetGroupBindingWorkload',
      'TargetGroupBindingWorkloadProps', 'TargetType', 'UserError',
    ]);
  });

  test('its classes are there at run time, and the toolkit is not', () => {
    expect(Object.keys(root).sort()).toEqual([
      'GatewayApiCrds', 'GatewayWorkload', 'GatewayWorkloadChart', 'IngressWorkload', 'IngressWorkloadChart', 'KubectlLayer', 'LabCleanup', 'LabCluster', 'LabValidationError', 'LabVpc',
      'LoadBalancerController', 'LoadBalancerControllerPolicy', 'LoadBalancerControllerVersion', 'NlbWorkload', 'NlbWorkloadChart',
      'TargetGroupBindingChart', 'TargetGroupBindingWorkload', 'UserError',
    ]);
    expect(root).not.toHaveProperty('expectedPaths');
    expect(typeof experiment.expectedPaths).toBe('function');
  });
});
