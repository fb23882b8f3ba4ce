import { COMMERCIAL_POLICIES, POLICIES_V3_5_0, PolicyJson } from '../private/official-policy';

export type { PolicyJson } from '../private/official-policy';

/**
 * A release of the AWS Load Balancer Controller: the image tag, the eks-charts Helm chart version that ships
 * it, and the IAM policy it needs, kept in one object so they cannot drift apart.
 */
export class LoadBalancerControllerVersion {
  /** Controller v2.4.7, Helm chart 1.4.8. */
  public static readonly V2_4_7 = LoadBalancerControllerVersion.official('v2.4.7', '1.4.8');
  /** Controller v2.7.2, Helm chart 1.7.2. */
  public static readonly V2_7_2 = LoadBalancerControllerVersion.official('v2.7.2', '1.7.2');
  /** Controller v2.8.3, Helm chart 1.8.4 (the later of the two charts that ship v2.8.3). */
  public static readonly V2_8_3 = LoadBalancerControllerVersion.official('v2.8.3', '1.8.4');
  /** Controller v2.9.2, Helm chart 1.9.2. */
  public static readonly V2_9_2 = LoadBalancerControllerVersion.official('v2.9.2', '1.9.2');
  /** Controller v2.10.0, Helm chart 1.10.0. */
  public static readonly V2_10_0 = LoadBalancerControllerVersion.official('v2.10.0', '1.10.0');
  /** Controller v2.11.0, Helm chart 1.11.0. */
  public static readonly V2_11_0 = LoadBalancerControllerVersion.official('v2.11.0', '1.11.0');
  /** Controller v2.12.0, Helm chart 1.12.0. */
  public static readonly V2_12_0 = LoadBalancerControllerVersion.official('v2.12.0', '1.12.0');
  /** Controller v2.13.0, Helm chart 1.13.0. */
  public static readonly V2_13_0 = LoadBalancerControllerVersion.official('v2.13.0', '1.13.0');
  /** Controller v3.5.0, Helm chart 3.5.0. */
  public static readonly V3_5_0 = new LoadBalancerControllerVersion('v3.5.0', '3.5.0', POLICIES_V3_5_0);

  /** Every version whose official policy this library holds, oldest first. */
  public static readonly KNOWN: readonly LoadBalancerControllerVersion[] = [
    LoadBalancerControllerVersion.V2_4_7, LoadBalancerControllerVersion.V2_7_2, LoadBalancerControllerVersion.V2_8_3,
    LoadBalancerControllerVersion.V2_9_2, LoadBalancerControllerVersion.V2_10_0, LoadBalancerControllerVersion.V2_11_0,
    LoadBalancerControllerVersion.V2_12_0, LoadBalancerControllerVersion.V2_13_0, LoadBalancerControllerVersion.V3_5_0,
  ];

  /** The known version with this image tag (`v2.8.3`, or `2.8.3`); undefined when there is none. */
  public static tryFind(version: string): LoadBalancerControllerVersion | undefined {
    const tag = version.startsWith('v') ? version : `v${version}`;
    return LoadBalancerControllerVersion.KNOWN.find((v) => v.version === tag);
  }

  /**
   * A custom version. With `policy`, the role gets that document (checked against the official one when the
   * tag is known); without it the tag must be a known one, or synthesis stops naming the known versions.
   *
   * @param version the controller's image tag, e.g. `v2.14.0`
   * @param chartVersion the eks-charts `aws-load-balancer-controller` chart version that ships it, e.g. `1.14.0`
   * @param policy the IAM policy document the controller's role should hold
   */
  public static of(version: string, chartVersion: string, policy?: PolicyJson): LoadBalancerControllerVersion {
    return new LoadBalancerControllerVersion(version, chartVersion,
      LoadBalancerControllerVersion.tryFind(version)?.policies ?? {}, policy);
  }

  private static official(version: string, chartVersion: string): LoadBalancerControllerVersion {
    return new LoadBalancerControllerVersion(version, chartVersion, { aws: COMMERCIAL_POLICIES[version] });
  }

  private constructor(
    /** The controller's image tag, e.g. `v3.5.0`. */
    public readonly version: string,
    /** The `aws-load-balancer-controller` chart version in the eks-charts repository, e.g. `3.5.0`. */
    public readonly chartVersion: string,
    /**
     * The official policy files of this tag by partition (`aws`, `aws-cn`, ...): all partitions at v3.5.0, the
     * commercial file for older tags, none for an unknown tag.
     */
    public readonly policies: Readonly<Record<string, PolicyJson>>,
    /** The caller's policy document, which replaces the official one. */
    public readonly customPolicy?: PolicyJson,
  ) {}
}
