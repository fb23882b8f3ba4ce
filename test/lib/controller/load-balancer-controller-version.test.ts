import { LoadBalancerControllerVersion } from '../../../lib';
import { COMMERCIAL_POLICIES, POLICIES_V3_5_0 } from '../../../lib/private/official-policy';

describe('LoadBalancerControllerVersion', () => {
  test.each([
    [LoadBalancerControllerVersion.V2_4_7, 'v2.4.7', '1.4.8'],
    [LoadBalancerControllerVersion.V2_7_2, 'v2.7.2', '1.7.2'],
    [LoadBalancerControllerVersion.V2_8_3, 'v2.8.3', '1.8.4'],
    [LoadBalancerControllerVersion.V2_9_2, 'v2.9.2', '1.9.2'],
    [LoadBalancerControllerVersion.V2_10_0, 'v2.10.0', '1.10.0'],
    [LoadBalancerControllerVersion.V2_11_0, 'v2.11.0', '1.11.0'],
    [LoadBalancerControllerVersion.V2_12_0, 'v2.12.0', '1.12.0'],
    [LoadBalancerControllerVersion.V2_13_0, 'v2.13.0', '1.13.0'],
  ])('%# image %s ships in chart %s with the commercial policy of its tag', (version, tag, chart) => {
    expect([version.version, version.chartVersion]).toEqual([tag, chart]);
    expect(version.policies).toEqual({ aws: COMMERCIAL_POLICIES[tag] });
    expect(version.customPolicy).toBeUndefined();
  });

  test('v3.5.0 ships in chart 3.5.0 with a file for every partition', () => {
    const v = LoadBalancerControllerVersion.V3_5_0;
    expect([v.version, v.chartVersion]).toEqual(['v3.5.0', '3.5.0']);
    expect(v.policies).toBe(POLICIES_V3_5_0);
  });

  test('KNOWN lists the named versions oldest first; tryFind takes the tag with or without v', () => {
    expect(LoadBalancerControllerVersion.KNOWN.map((v) => v.version)).toEqual([
      'v2.4.7', 'v2.7.2', 'v2.8.3', 'v2.9.2', 'v2.10.0', 'v2.11.0', 'v2.12.0', 'v2.13.0', 'v3.5.0',
    ]);
    expect(LoadBalancerControllerVersion.tryFind('2.10.0')).toBe(LoadBalancerControllerVersion.V2_10_0);
    expect(LoadBalancerControllerVersion.tryFind('v3.5.0')).toBe(LoadBalancerControllerVersion.V3_5_0);
    expect(LoadBalancerControllerVersion.tryFind('v2.14.0')).toBeUndefined();
  });

  test('of() keeps the official files of a known tag next to the caller\'s document', () => {
    const document = { Version: '2012-10-17', Statement: [] };
    const v = LoadBalancerControllerVersion.of('v2.10.0', '1.10.1', document);
    expect([v.version, v.chartVersion, v.customPolicy]).toEqual(['v2.10.0', '1.10.1', document]);
    expect(v.policies).toBe(LoadBalancerControllerVersion.V2_10_0.policies);
  });

  test('of() an unknown tag has no official files', () => {
    const v = LoadBalancerControllerVersion.of('v2.14.0', '1.14.0');
    expect(v.policies).toEqual({});
    expect(v.customPolicy).toBeUndefined();
  });
});
