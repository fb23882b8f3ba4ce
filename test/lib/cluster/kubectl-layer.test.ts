import { KubectlLayer } from '../../../lib';
import { newStack } from '../../fixtures';

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

  test('without its optional package, the v29 layer is one line naming the package', () => {
    const V29 = '@aws-cdk/lambda-layer-kubectl-v29';
    let isolated: typeof import('../../../lib/cluster/kubectl-layer') | undefined;
    jest.isolateModules(() => {
      jest.doMock(V29, () => {
        throw Object.assign(new Error(`Cannot find module '${V29}' from 'lib/cluster/kubectl-layer.ts'`), { code: 'MODULE_NOT_FOUND' });
      });
      isolated = require('../../../lib/cluster/kubectl-layer');
    });
    expect(() => isolated!.KubectlLayer.V1_29.produce(newStack(), 'Layer')).toThrow(`Test: 'kubectlLayer' kubectl 1.29 comes from ${V29}, ` +
      `an optional peer dependency that is not installed; got KubectlLayer.V1_29. Run npm install ${V29}, or use Kubernetes 1.36 ` +
      'with KubectlLayer.V1_36.');
  });
});
