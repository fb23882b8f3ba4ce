import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { parse, parseAllDocuments } from 'yaml';
import { LabCluster, LabVpc } from '../../../lib';
import { CHINA_IMAGE_REGISTRIES, CONTROLLER_SERVICE_ACCOUNT } from '../../../lib/controller/load-balancer-controller';
import { helmValues, newStack } from '../../fixtures';
import { CONTROLLER_CHART, extractHelm, helmTemplate, helmUnavailable } from '../../helm';
import { K8sObject, k8sProblems } from '../../k8s-validate';
import { ROOT } from '../../paths';
import { tempDir } from '../../temp';

/** Every file of the vendored chart 3.5.0 (aws/eks-charts stable/aws-load-balancer-controller at 5239609), unmodified. */
const VENDORED_CHART: Readonly<Record<string, string>> = {
  '.helmignore': 'b18cffd4d200d8910c3b88512c1d3f5d8fbff28e991374d9ac83bbbae59ef825',
  'Chart.yaml': '9644ee828751254ee65afccb72579f11f83c5231059952e3048aa76f64a6d894',
  'LICENSE': '09e8a9bcec8067104652c168685ab0931e7868f9c8284b66f5ae6edae5f1130b',
  'README.md': '216d4592684cbfb29ac23f5129a172653b243fa2f5236142a8bbdda1d0a72a43',
  'ci/extra_args': '1806b275130ac8fa537b24da4c83d6c95feb205fca8bed9d20fb7a5fa3ba1ced',
  'ci/values.yaml': 'ff6e98844931e1fbce4853a4731760c8ac6e6849927318b8d575e6505988bfa0',
  'crds/crds.yaml': 'cb00e9a8ee22cc51307bbed799faff306ab4d23a9fd201d26fcd53ab035777d9',
  'crds/gateway-crds.yaml': 'fce68bbfc74b4ed7dbea675f46981cbef1fffc8981cf19c0c1e7a2e9d6464862',
  'crds/kustomization.yaml': '0b3ade96b58f648b980eb7d7ffd1f1148d3ba321bcd9cb9ac49df696a007a092',
  'templates/NOTES.txt': '716c9e564c0d72995706703445b7eb2f68c692b7e2b92cab7e39accfd2f2d18e',
  'templates/_helpers.tpl': '0a17a70f3756d276c5757ce0bbc9c53b6d32cc8ede2a319f240b183223dbac25',
  'templates/cert-manager.yaml': 'a1ce791de6fc08ed1c6347678765ed9a0d32914a9e2a1d0cc370d227cf0c6d6d',
  'templates/deployment.yaml': '3532b2835d7e28b31c060c847f20cec16fdce5846ab9637ba09e71be25051f95',
  'templates/hpa.yaml': '3fd5fbcf9c019b635075ab1987ccf23de2b189ca6df89990ed8411bb4d819a5c',
  'templates/ingressclass.yaml': 'c0cbd3d65da26b0e068b07229acf70434882845c56664fcb254b2ce6e659cef8',
  'templates/pdb.yaml': '180e028bf66777b05b8daf4ed7db2481303e02a115a1235acb6d4733b7cde870',
  'templates/rbac.yaml': '15b49df71ed0ce5ed6066785252254e744680707b200f91afbe9399b9a42b35d',
  'templates/service.yaml': '924966c73b0be5caf9c1be5be6a0a3929b0a6f1fa0050d70a713d94810acdd1e',
  'templates/serviceaccount.yaml': '69bef177044177c47d70181507adefba256e56fa319fccc59400079da8108139',
  'templates/servicemonitor.yaml': '8b9859659d56f33401af8422ce82938506e1c1299b5256af4bbc1090271cd42f',
  'templates/webhook.yaml': 'd06cfe4c9f1834ef912f56aa0f8f06f2a2ecc6f9a5e06688ecfb2bae2c28202b',
  'test.yaml': 'fd65b562386d64c0c3e0a284ab136605b714831bbb0040e1640b3c9f14f688e8',
  'values.yaml': 'c330e0b3aaeed9d6b75e70564563dcdb231ee970db587f23eff5c013461f2dd4',
};

function filesUnder(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory()
    ? filesUnder(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

describe('the vendored aws-load-balancer-controller chart', () => {
  test('is chart 3.5.0 (appVersion v3.5.0), every file as published, with its licence', () => {
    const files = filesUnder(CONTROLLER_CHART).sort();
    expect(files).toEqual(Object.keys(VENDORED_CHART).sort());
    for (const file of files) {
      const digest = createHash('sha256').update(fs.readFileSync(path.join(CONTROLLER_CHART, file))).digest('hex');
      expect([file, digest]).toEqual([file, VENDORED_CHART[file]]);
    }
    expect(parse(fs.readFileSync(path.join(CONTROLLER_CHART, 'Chart.yaml'), 'utf8'))).toMatchObject({ version: '3.5.0', appVersion: 'v3.5.0' });
    expect(fs.readFileSync(path.join(CONTROLLER_CHART, 'LICENSE'), 'utf8')).toContain('Apache License');
  });

  test('carries the controller\'s gateway.k8s.aws CRDs in crds/, which helm install applies before the templates', () => {
    const crds = parseAllDocuments(fs.readFileSync(path.join(CONTROLLER_CHART, 'crds', 'gateway-crds.yaml'), 'utf8'))
      .map((d) => d.toJS()).filter((d) => d?.kind === 'CustomResourceDefinition');
    expect(crds.map((c) => [c.spec.group, c.spec.names.kind, c.spec.versions.filter((v: { served: boolean }) => v.served)
      .map((v: { name: string }) => v.name)]).sort()).toEqual([
      ['gateway.k8s.aws', 'ListenerRuleConfiguration', ['v1', 'v1beta1']],
      ['gateway.k8s.aws', 'LoadBalancerConfiguration', ['v1', 'v1beta1']],
      ['gateway.k8s.aws', 'TargetGroupConfiguration', ['v1', 'v1beta1']],
    ]);
  });
});

/** Value paths of `values` that the chart's values.yaml does not define (a map it leaves empty takes any key). */
function unknownValueKeys(values: unknown, defaults: unknown, prefix = ''): string[] {
  if (!values || typeof values !== 'object' || Array.isArray(values)) return [];
  if (!defaults || typeof defaults !== 'object' || Array.isArray(defaults)) return [];
  const known = defaults as Record<string, unknown>;
  if (Object.keys(known).length === 0) return [];
  return Object.entries(values as Record<string, unknown>).flatMap(([key, value]) => (Object.prototype.hasOwnProperty.call(known, key)
    ? unknownValueKeys(value, known[key], `${prefix}${key}.`) : [`${prefix}${key}`]));
}

const CHART_DEFAULTS = parse(fs.readFileSync(path.join(CONTROLLER_CHART, 'values.yaml'), 'utf8'));

describe('unknownValueKeys', () => {
  test('names keys values.yaml lacks, at any depth; empty maps in values.yaml take anything', () => {
    expect(unknownValueKeys({ clusterName: 'x', image: { tag: 'v', registry: 'r' }, enableShiled: false, podLabels: { a: 'b' } }, CHART_DEFAULTS))
      .toEqual(['image.registry', 'enableShiled']);
  });
});

const unavailable = helmUnavailable();
const REGIONS = [
  { region: 'us-east-1', partition: 'commercial' },
  { region: 'cn-north-1', partition: 'China' },
  { region: 'us-gov-west-1', partition: 'GovCloud' },
] as const;

/** The objects of a `helm template` output, with `kind: List` opened. */
function objectsOf(yaml: string): (K8sObject & { spec?: any; webhooks?: any[]; items?: any[] })[] {
  return parseAllDocuments(yaml).map((d) => d.toJS()).filter((o) => o)
    .flatMap((o) => (o.kind === 'List' ? o.items : [o]));
}

function deploymentOf(objects: ReturnType<typeof objectsOf>) {
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  expect(deployments).toHaveLength(1);
  return deployments[0].spec.template.spec;
}

function webhookPolicies(objects: ReturnType<typeof objectsOf>): Record<string, string> {
  return Object.fromEntries(objects.filter((o) => o.kind?.endsWith('WebhookConfiguration'))
    .flatMap((o) => o.webhooks!.map((w: { name: string; failurePolicy: string }) => [w.name, w.failurePolicy])));
}

/**
 * The chart's webhooks and failure policies: the pod readiness-gate injector ignores failures; the Service mutator
 * (which stamps service.k8s.aws/nlb) and the rest fail closed, so they reject objects while the controller is down.
 * The target-control-agent and QUIC-id pod webhooks act only on pods or namespaces labelled for them.
 */
const EXPECTED_WEBHOOKS = {
  'mpod.elbv2.k8s.aws': 'Ignore', 'mservice.elbv2.k8s.aws': 'Fail', 'mtargetgroupbinding.elbv2.k8s.aws': 'Fail',
  'alb-target-control.namespace.elbv2.k8s.aws': 'Fail', 'alb-target-control.object.elbv2.k8s.aws': 'Fail',
  'quicid.elbv2.k8s.aws': 'Fail',
  'vingressclassparams.elbv2.k8s.aws': 'Fail', 'vtargetgroupbinding.elbv2.k8s.aws': 'Fail', 'vingress.elbv2.k8s.aws': 'Fail',
};

/** What the lab relies on in a rendering for `region`, with the cluster name and VPC id as rendered. */
function expectLabRendering(objects: ReturnType<typeof objectsOf>, region: string, clusterName: string, vpcId: string): void {
  expect(k8sProblems(objects)).toEqual([]);
  const pod = deploymentOf(objects);
  const container = pod.containers[0];
  const registry = CHINA_IMAGE_REGISTRIES[region];
  expect(container.image).toBe(registry ? `${registry}/amazon/aws-load-balancer-controller:v3.5.0`
    : 'public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0');
  expect(container.args).toEqual(expect.arrayContaining([`--cluster-name=${clusterName}`, `--aws-region=${region}`, `--aws-vpc-id=${vpcId}`]));
  const shieldWaf = ['--enable-shield=false', '--enable-waf=false', '--enable-wafv2=false'];
  if (region.startsWith('cn-')) expect(container.args).toEqual(expect.arrayContaining(shieldWaf));
  else expect(container.args.filter((a: string) => /^--enable-(shield|waf|wafv2)=/.test(a))).toEqual([]);
  // The service account is the construct's; the chart must use it and not create one.
  expect(pod.serviceAccountName).toBe(CONTROLLER_SERVICE_ACCOUNT.name);
  expect(objects.filter((o) => o.kind === 'ServiceAccount')).toEqual([]);
  expect(webhookPolicies(objects)).toEqual(EXPECTED_WEBHOOKS);
  // The controller's ClusterRole lets it read what the Gateway labs apply.
  type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
  const { rules } = objects.find((o) => o.kind === 'ClusterRole') as unknown as { rules: Rule[] };
  const can = (group: string, resource: string, verb: string) => rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
  for (const [group, resource] of [['gateway.networking.k8s.io', 'gatewayclasses'], ['gateway.networking.k8s.io', 'gateways'],
    ['gateway.networking.k8s.io', 'httproutes'], ['gateway.networking.k8s.io', 'tcproutes'], ['gateway.k8s.aws', 'targetgroupconfigurations'],
    ['gateway.k8s.aws', 'loadbalancerconfigurations']]) {
    expect([group, resource, can(group, resource, 'watch')]).toEqual([group, resource, true]);
  }
  const ingressClass = objects.find((o) => o.kind === 'IngressClass');
  expect(ingressClass).toMatchObject({ metadata: { name: 'alb' }, spec: { controller: 'ingress.k8s.aws/alb' } });
}

(unavailable ? describe.skip : describe)(
  `helm template of chart 3.5.0${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
    let helm: string;
    let home: string;
    beforeAll(() => {
      home = tempDir('helm-');
      helm = extractHelm(home);
    });

    function render(values: Record<string, unknown>, sets: readonly string[] = []): ReturnType<typeof objectsOf> {
      const file = path.join(home, `values-${createHash('sha256').update(JSON.stringify(values)).digest('hex').slice(0, 8)}.json`);
      fs.writeFileSync(file, JSON.stringify(values));
      return objectsOf(helmTemplate(helm, home, [file], sets));
    }

    describe.each(REGIONS)('with the values of LabCluster in $region ($partition)', ({ region }) => {
      let values: Record<string, any>;
      beforeAll(() => {
        const stack = newStack(region);
        const { vpc } = new LabVpc(stack, 'Vpc', { clusterName: 'lab' });
        new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab' }).addLoadBalancerController();
        values = helmValues(Template.fromStack(stack));
      });

      test('every value key is one the chart defines', () => {
        expect(unknownValueKeys(values, CHART_DEFAULTS)).toEqual([]);
      });

      test('renders valid objects with the image, flags, service account, webhooks and IngressClass the lab relies on', () => {
        expectLabRendering(render(values), region, values.clusterName, values.vpcId);
      });
    });

    test('with the service mutator webhook off, the mservice webhook is gone and the rest stays', () => {
      const stack = newStack('us-east-1');
      const { vpc } = new LabVpc(stack, 'Vpc', { clusterName: 'lab' });
      new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab' }).addLoadBalancerController({ enableServiceMutatorWebhook: false });
      const values = helmValues(Template.fromStack(stack));
      expect(unknownValueKeys(values, CHART_DEFAULTS)).toEqual([]);
      const { 'mservice.elbv2.k8s.aws': _gone, ...rest } = EXPECTED_WEBHOOKS;
      expect(webhookPolicies(render(values))).toEqual(rest);
    });

    test('with EKS Pod Identity: the lab\'s service account, used and not created, and the annotation that rolls the pods', () => {
      const stack = newStack('us-east-1');
      const { vpc } = new LabVpc(stack, 'Vpc', { clusterName: 'lab' });
      new LabCluster(stack, 'Cluster', { vpc, clusterName: 'lab' }).addLoadBalancerController({ identity: 'pod-identity' });
      const values = helmValues(Template.fromStack(stack));
      expect(unknownValueKeys(values, CHART_DEFAULTS)).toEqual([]);
      const objects = render(values);
      expectLabRendering(objects, 'us-east-1', values.clusterName, values.vpcId);
      const deployment = objects.find((o) => o.kind === 'Deployment')!;
      expect(deployment.spec.template.metadata.annotations).toMatchObject({ 'eks-lb-lab/controller-identity': 'pod-identity' });
    });

    describe('manifests/aws-load-balancer-controller-values.yaml with the --set values its header names', () => {
      const file = path.join(ROOT, 'manifests', 'aws-load-balancer-controller-values.yaml');
      const text = fs.readFileSync(file, 'utf8');
      const sets = [...text.matchAll(/--set (\w+)=<([\w-]+)>/g)].map((m) => m[1]);

      test('the header names clusterName, region and vpcId, and the file sets only keys the chart defines', () => {
        expect(sets).toEqual(['clusterName', 'region', 'vpcId']);
        expect(unknownValueKeys(parse(text), CHART_DEFAULTS)).toEqual([]);
      });

      test.each(REGIONS)('$region ($partition)', ({ region }) => {
        const given: Record<string, string> = { clusterName: 'lab', region, vpcId: 'vpc-0123456789abcdef0' };
        // The header's note for China: the regional image registry, and Shield and WAF off.
        const china = region.startsWith('cn-') ? [
          `image.repository=${CHINA_IMAGE_REGISTRIES[region]}/amazon/aws-load-balancer-controller`,
          'enableShield=false', 'enableWaf=false', 'enableWafv2=false',
        ] : [];
        expect(text).toMatch(/In the China regions also set\s*\n?#?\s*image\.repository and enableShield\/enableWaf\/enableWafv2=false/);
        const objects = objectsOf(helmTemplate(helm, home, [file], [...sets.map((k) => `${k}=${given[k]}`), ...china]));
        expectLabRendering(objects, region, 'lab', 'vpc-0123456789abcdef0');
      });
    });
  });
