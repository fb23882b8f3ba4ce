import { CfnOutput, Stack } from 'aws-cdk-lib';
import { LAB_PATHS_OUTPUT } from '../lib/experiment';
import { LabPath, PathSettings, deployedPathRecord } from './catalogue';

/**
 * Records the paths a stack deploys in its `LabPaths` output, for `eks-lb-lab probe` to build its expectation from
 * the deployed values; `url` gives each path's URL (a token until deploy).
 */
export function recordLabPaths(stack: Stack, paths: readonly LabPath[], settings: PathSettings, url: (path: LabPath) => string): void {
  new CfnOutput(stack, LAB_PATHS_OUTPUT, {
    value: stack.toJsonString(paths.map((p) => deployedPathRecord(p, settings, url(p)))),
    description: 'The paths this stack deployed and the settings they were built from (read by eks-lb-lab probe)',
  });
}
