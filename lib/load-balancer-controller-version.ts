import { POLICIES_V3_5_0, PolicyJson } from './private/official-policy';

/**
 * A release of the AWS Load Balancer Controller: the image tag, the eks-charts Helm chart version that ships
 * it, and the official IAM policy it needs, kept in one object so they cannot drift apart.
 */
export class LoadBalancerControllerVersion {
  /** Controller v3.5.0, Helm chart 3.5.0. */
  public static readonly V3_5_0 = new LoadBalancerControllerVersion('v3.5.0', '3.5.0', POLICIES_V3_5_0);

  private constructor(
    /** The controller's image tag, e.g. `v3.5.0`. */
    public readonly version: string,
    /** The `aws-load-balancer-controller` chart version in the eks-charts repository, e.g. `3.5.0`. */
    public readonly chartVersion: string,
    /** The official policy document per partition (`aws`, `aws-cn`, `aws-us-gov`, ...). */
    public readonly policies: Readonly<Record<string, PolicyJson>>,
  ) {}
}
