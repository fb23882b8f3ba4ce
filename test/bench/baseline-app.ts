// Reference point for the synth benchmark: one stack with aws-cdk-lib's built-in AlbController on an
// aws-eks-v2 cluster, the same kubectl layer and a managed node group.
import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import { App, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';

const app = new App();
const stack = new Stack(app, 'BuiltinAlbController', { env: { region: 'us-east-1' } });
new eks.Cluster(stack, 'Cluster', {
  version: eks.KubernetesVersion.V1_36,
  defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
  kubectlProviderOptions: { kubectlLayer: new KubectlV36Layer(stack, 'Kubectl') },
  albController: { version: eks.AlbControllerVersion.V3_2_2 },
});
