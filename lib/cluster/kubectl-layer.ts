import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LabValidationError } from '../errors';
import { minorOf, minorSkew } from '../private/versions';

type LayerFactory = (scope: Construct, id: string) => lambda.ILayerVersion;

/**
 * A Lambda layer holding `kubectl` and `helm` for the cluster's kubectl handler, together with the kubectl
 * version it carries, so the pair can be checked against the cluster's Kubernetes version.
 */
export class KubectlLayer {
  /** kubectl 1.36 from `@aws-cdk/lambda-layer-kubectl-v36`. */
  public static readonly V1_36 = new KubectlLayer('1.36', (scope, id) => new KubectlV36Layer(scope, id));

  /**
   * kubectl 1.29 from `@aws-cdk/lambda-layer-kubectl-v29`, an optional peer dependency: install it to use this layer.
   */
  public static readonly V1_29 = new KubectlLayer('1.29', kubectlV29Layer);

  /** The layers this package provides, newest first (V1_29 once its optional package is installed). */
  public static readonly BUNDLED: readonly KubectlLayer[] = [KubectlLayer.V1_36, KubectlLayer.V1_29];

  /**
   * A layer of your own, for example `KubectlLayer.of('1.35', new KubectlV35Layer(this, 'Kubectl'))`.
   * @param kubectlVersion the `major.minor` version of the kubectl binary in the layer
   * @param layer the layer
   */
  public static of(kubectlVersion: string, layer: lambda.ILayerVersion): KubectlLayer {
    return new KubectlLayer(kubectlVersion, () => layer);
  }

  /** The bundled layer closest to a Kubernetes version and within kubectl's one-minor-version skew, if any. */
  public static bundledFor(kubernetesVersion: string): KubectlLayer | undefined {
    return KubectlLayer.BUNDLED.find((layer) => minorSkew(layer.kubectlVersion, kubernetesVersion) === 0)
      ?? KubectlLayer.BUNDLED.find((layer) => minorSkew(layer.kubectlVersion, kubernetesVersion) <= 1);
  }

  /** The name of the npm package that provides kubectl for a Kubernetes version, e.g. `@aws-cdk/lambda-layer-kubectl-v36`. */
  public static packageFor(kubernetesVersion: string): string {
    return `@aws-cdk/lambda-layer-kubectl-v${minorOf(kubernetesVersion)}`;
  }

  /** The layer class in {@link KubectlLayer.packageFor}'s package, e.g. `KubectlV36Layer`. */
  public static classFor(kubernetesVersion: string): string {
    return `KubectlV${minorOf(kubernetesVersion)}Layer`;
  }

  private constructor(
    /** The `major.minor` version of kubectl in the layer. */
    public readonly kubectlVersion: string,
    private readonly factory: LayerFactory,
  ) {}

  /** Creates (or returns) the layer in `scope`. */
  public produce(scope: Construct, id: string): lambda.ILayerVersion {
    return this.factory(scope, id);
  }
}

const V29_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v29';

/** The v29 layer, its package loaded on first use: apps on newer Kubernetes need not install those 32 MB. */
function kubectlV29Layer(scope: Construct, id: string): lambda.ILayerVersion {
  let layerPackage: typeof import('@aws-cdk/lambda-layer-kubectl-v29');
  try {
    layerPackage = require(V29_PACKAGE);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'MODULE_NOT_FOUND' || !String((error as Error).message).includes(`'${V29_PACKAGE}'`)) throw error;
    throw new LabValidationError(scope, 'kubectlLayer', `kubectl 1.29 comes from ${V29_PACKAGE}, an optional peer dependency ` +
      `that is not installed; got KubectlLayer.V1_29. Run npm install ${V29_PACKAGE}, or use Kubernetes 1.36 with KubectlLayer.V1_36.`);
  }
  return new layerPackage.KubectlV29Layer(scope, id);
}
