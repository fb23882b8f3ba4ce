import { createHash } from 'crypto';
import { gzipSync } from 'zlib';
import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Duration } from 'aws-cdk-lib';
import { parse, parseAllDocuments } from 'yaml';
import { GatewayApiCrds, LabCluster, LabVpc } from '../../../lib';
import { GATEWAY_API_CRDS_CHART_DIR, GATEWAY_API_VERSION } from '../../../lib/cluster/gateway-api-crds';
import { newStack } from '../../fixtures';
import { extractHelm, helmTemplateOf, helmUnavailable } from '../../helm';
import { tempDir } from '../../temp';

/**
 * The chart folder: templates/ holds config/crd/standard/*.yaml of kubernetes-sigs/gateway-api at tag v1.6.1 and
 * LICENSE that repository's, unmodified; Chart.yaml is the project's own.
 */
const VENDORED: Readonly<Record<string, string>> = {
  'LICENSE': '20b6dde626f521dbb384f75e6d96c3d16789df3bf878b58bc2810614fb4db07c',
  'templates/gateway.networking.k8s.io_backendtlspolicies.yaml': '0d48c9e4b53dd9510cf615b9b1192d9d7afb07a1cc0498c9515627cb1c075419',
  'templates/gateway.networking.k8s.io_gatewayclasses.yaml': '53710048ba26f8620eed59d5e51b157ecf040daf5c6eef31a4b991e0808c4be5',
  'templates/gateway.networking.k8s.io_gateways.yaml': '25b885f5870b8fff1ae82efa2628b2761cef3745900c2aecf8fb76629a01255a',
  'templates/gateway.networking.k8s.io_grpcroutes.yaml': '53a8d029da8f07e55d3fa58a5cf6de5950dab19fbb8d6a8082fb5e51ca5ef6fc',
  'templates/gateway.networking.k8s.io_httproutes.yaml': 'a424a0d6c953b162e71d1d97bb7e75012d8f1ac264e7274f2763d1b96ab39852',
  'templates/gateway.networking.k8s.io_listenersets.yaml': 'bf4d4b02564999b2558b96e31465129895db9b3a8adfb90adb9c80eac52a3a70',
  'templates/gateway.networking.k8s.io_referencegrants.yaml': '8c645e9333cfa67790cc2a53e0c00076f88b2bd4230d2b49688c78bc34f9b2c3',
  'templates/gateway.networking.k8s.io_tcproutes.yaml': 'd5104d0cf30e924f5e3c9e2e76abd46876401c34ca33b9e79321523eee78c7f6',
  'templates/gateway.networking.k8s.io_tlsroutes.yaml': 'bb8b67926e5d9652cbfd2e19063b7c1d9e78806c9dd671608f57baef2f2e3bbb',
  'templates/gateway.networking.k8s.io_udproutes.yaml': '4b80684c2bf8ef4b0a2a3ab45164ac9f96258fc69912645ff50ced595b0aa6de',
  'templates/gateway.networking.k8s.io_vap_safeupgrades.yaml': 'afb0ea1b3cc2e9344d93b0926fbe741aeb48ab4439f9f7b4b77b9ac94faf6c2e',
};

describe('the vendored Gateway API CRDs chart', () => {
  test('holds the v1.6.1 standard-channel files as published, with their licence, and a Chart.yaml of the same version', () => {
    const files = fs.readdirSync(GATEWAY_API_CRDS_CHART_DIR, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile()).map((e) => path.relative(GATEWAY_API_CRDS_CHART_DIR, path.join(e.parentPath, e.name))).sort();
    expect(files).toEqual([...Object.keys(VENDORED), 'Chart.yaml'].sort());
    for (const [file, sha] of Object.entries(VENDORED)) {
      const digest = createHash('sha256').update(fs.readFileSync(path.join(GATEWAY_API_CRDS_CHART_DIR, file))).digest('hex');
      expect([file, digest]).toEqual([file, sha]);
    }
    expect(fs.readFileSync(path.join(GATEWAY_API_CRDS_CHART_DIR, 'LICENSE'), 'utf8')).toContain('Apache License');
    expect(parse(fs.readFileSync(path.join(GATEWAY_API_CRDS_CHART_DIR, 'Chart.yaml'), 'utf8')))
      .toMatchObject({ apiVersion: 'v2', name: 'gateway-api-crds', version: GATEWAY_API_VERSION.slice(1), appVersion: GATEWAY_API_VERSION });
  });

  test('every CRD is of the standard channel of v1.6.1, and Gateway, HTTPRoute and TCPRoute serve v1', () => {
    const docs = Object.keys(VENDORED).filter((f) => f.startsWith('templates/'))
      .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(GATEWAY_API_CRDS_CHART_DIR, f), 'utf8')).map((d) => d.toJS()))
      .filter((d) => d);
    const crds = docs.filter((d) => d.kind === 'CustomResourceDefinition');
    for (const crd of crds) {
      expect([crd.metadata.name, crd.metadata.annotations]).toEqual([crd.metadata.name, expect.objectContaining({
        'gateway.networking.k8s.io/bundle-version': GATEWAY_API_VERSION, 'gateway.networking.k8s.io/channel': 'standard',
      })]);
    }
    const served = (kind: string) => crds.find((c) => c.spec.names.kind === kind)?.spec.versions
      .filter((v: { served: boolean }) => v.served).map((v: { name: string }) => v.name);
    expect(served('GatewayClass')).toContain('v1');
    expect(served('Gateway')).toContain('v1');
    expect(served('HTTPRoute')).toContain('v1');
    expect(served('TCPRoute')).toContain('v1');
    expect(docs.filter((d) => d.kind !== 'CustomResourceDefinition').map((d) => d.kind).sort())
      .toEqual(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
  });
});

/**
 * The size of the release record Helm keeps in a Secret (`sh.helm.release.v1.<name>.v1`): the release as JSON (the
 * chart's files base64-encoded, and the rendered manifest), gzipped and base64-encoded, as Helm's storage driver
 * writes it. A Secret holds at most 1 MiB.
 */
function helmReleaseRecordBytes(): number {
  const files = Object.keys(VENDORED).filter((f) => f.startsWith('templates/')).sort();
  const read = (f: string) => fs.readFileSync(path.join(GATEWAY_API_CRDS_CHART_DIR, f));
  const release = {
    name: 'gateway-api-crds', namespace: 'kube-system', version: 1, info: { status: 'deployed' }, config: {},
    chart: {
      metadata: parse(fs.readFileSync(path.join(GATEWAY_API_CRDS_CHART_DIR, 'Chart.yaml'), 'utf8')),
      templates: files.map((f) => ({ name: f, data: read(f).toString('base64') })),
      files: [{ name: 'LICENSE', data: read('LICENSE').toString('base64') }], values: {},
    },
    manifest: files.map((f) => `---\n# Source: gateway-api-crds/${f}\n${read(f).toString('utf8')}`).join('\n'),
  };
  return gzipSync(JSON.stringify(release), { level: 9 }).toString('base64').length;
}

describe('GatewayApiCrds', () => {
  test('the Helm release record fits a Secret (1 MiB), using under 65 % of it', () => {
    const bytes = helmReleaseRecordBytes();
    expect(bytes).toBeGreaterThan(500_000);
    expect(bytes).toBeLessThan(0.65 * 1024 * 1024);
  });

  test('a Helm release of the chart folder as an asset, with the timeout given', () => {
    const stack = newStack();
    const labVpc = new LabVpc(stack, 'Vpc', { clusterName: 'eks-lb-lab' });
    const labCluster = new LabCluster(stack, 'Cluster', { vpc: labVpc.vpc, gatewayApiCrds: false });
    const crds = new GatewayApiCrds(stack, 'Crds', { cluster: labCluster.cluster, timeout: Duration.minutes(3) });
    expect(crds.chart).toBeInstanceOf(eks.HelmChart);
    expect(crds.asset.isZipArchive).toBe(true);
    Template.fromStack(stack).hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Release: 'gateway-api-crds', Timeout: '180s' });
  });
});

const unavailable = helmUnavailable();
(unavailable ? test.skip : test)(`helm renders the chart into the vendored objects${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  const home = tempDir('helm-');
  const rendered = parseAllDocuments(helmTemplateOf(extractHelm(home), home, 'gateway-api-crds', GATEWAY_API_CRDS_CHART_DIR))
    .map((d) => d.toJS()).filter((d) => d);
  const names = rendered.map((d) => `${d.kind}/${d.metadata.name}`);
  expect(names).toHaveLength(12);
  expect(names).toEqual(expect.arrayContaining(['CustomResourceDefinition/gateways.gateway.networking.k8s.io',
    'CustomResourceDefinition/httproutes.gateway.networking.k8s.io', 'CustomResourceDefinition/tcproutes.gateway.networking.k8s.io']));
});
