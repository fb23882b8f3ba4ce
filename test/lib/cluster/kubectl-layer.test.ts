import { KubectlLayer } from '../../../lib';

describe('KubectlLayer', () => {
  test.each([
    ['1.37', '1.36'], ['1.36', '1.36'], ['1.35', '1.36'],
    ['1.30', '1.29'], ['1.29', '1.29'], ['1.28', '1.29'],
  ])('Kubernetes %s is served by the bundled kubectl %s', (kubernetes, kubectl) => {
    expect(KubectlLayer.bundledFor(kubernetes)?.kubectlVersion).toBe(kubectl);
  });

  test.each(['1.33', '1.38', '1.27', 'latest'])('no bundled layer fits %s', (kubernetes) => {
    expect(KubectlLayer.bundledFor(kubernetes)).toBeUndefined();
  });

  test('names the package and class that provide a version', () => {
    expect(KubectlLayer.packageFor('1.34')).toBe('@aws-cdk/lambda-layer-kubectl-v34');
    expect(KubectlLayer.classFor('1.34')).toBe('KubectlV34Layer');
  });

  test('every bundled layer names its own package', () => {
    for (const layer of KubectlLayer.BUNDLED) {
      const pkg = KubectlLayer.packageFor(layer.kubectlVersion);
      expect(Object.keys(require(`${pkg}`))).toContain(KubectlLayer.classFor(layer.kubectlVersion));
      expect(require(`${pkg}/package.json`).description).toContain(`kubectl v${layer.kubectlVersion}`);
    }
  });
});
