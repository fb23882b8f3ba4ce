import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { LabSettings, SETTINGS, givenSettings, readLabSettings, readNag, settingsMessage } from '../../lab-stacks/settings';
import { newStack } from '../fixtures';
import { LabCluster, LabValidationError, LabVpc } from '../../lib';
import { tempDir } from '../temp';
import { ROOT } from '../paths';

function read(context: Record<string, unknown>, env: Record<string, string> = {}) {
  return readLabSettings(new App({ context, outdir: tempDir('cdk.out-') }).node, env);
}

/** The settings with the typed values as text, for comparing. */
function plain(settings: LabSettings): Record<string, unknown> {
  return {
    ...settings, kubernetesVersion: settings.kubernetesVersion.version, nodeInstanceType: settings.nodeInstanceType.toString(),
    controllerVersion: settings.controllerVersion.version,
  };
}

describe('readLabSettings', () => {
  test('defaults: us-east-1, Kubernetes 1.36, two t3.medium nodes, open ALB, Cluster policy, NodePorts 30080 and 30081', () => {
    expect(plain(read({}))).toEqual({
      region: 'us-east-1',
      clusterName: 'eks-lb-lab',
      kubernetesVersion: '1.36',
      nodeInstanceType: 't3.medium',
      nodeCount: 2,
      vpcCidr: '10.0.0.0/16',
      azCount: 2,
      natGateways: 1,
      allowedCidr: ['0.0.0.0/0'],
      image: 'registry.k8s.io/e2e-test-images/echoserver:2.5',
      replicas: 2,
      externalTrafficPolicy: 'Cluster',
      nodePort: 30080,
      controllerVersion: 'v3.5.0',
      sharedAlb: false,
      shutdown: 'graceful',
      nlbPreserveClientIp: false,
      nlbProxyProtocol: false,
      tgbNodePort: 30081,
      serviceMutatorWebhook: true,
      publicEndpointCidrs: ['0.0.0.0/0'],
      controlPlaneLogging: [],
      controllerIdentity: 'irsa',
      ipFamily: 'ipv4',
    });
  });

  test('controllerVersion takes a known version, with or without the v', () => {
    expect(read({ controllerVersion: 'v2.8.3' }).controllerVersion.version).toBe('v2.8.3');
    expect(read({ controllerVersion: '2.13.0' }).controllerVersion.version).toBe('v2.13.0');
  });

  test('controllerPolicyVersion: absent by default, a known version when given', () => {
    expect(read({})).not.toHaveProperty('controllerPolicyVersion');
    expect(read({ controllerPolicyVersion: '2.8.3' }).controllerPolicyVersion?.version).toBe('v2.8.3');
  });

  test('flags from -c (strings) and from cdk.json (booleans)', () => {
    expect(read({ sharedAlb: 'true', nlbPreserveClientIp: true, nlbProxyProtocol: 'false', serviceMutatorWebhook: 'false' }))
      .toMatchObject({ sharedAlb: true, nlbPreserveClientIp: true, nlbProxyProtocol: false, serviceMutatorWebhook: false });
  });

  test('the region falls back to the CLI default region', () => {
    expect(read({}, { CDK_DEFAULT_REGION: 'eu-central-1' }).region).toBe('eu-central-1');
    expect(read({ region: 'ap-south-1' }, { CDK_DEFAULT_REGION: 'eu-central-1' }).region).toBe('ap-south-1');
  });

  test('strings from -c and typed values from cdk.json both work', () => {
    expect(read({ nodeCount: '3', azCount: 3, allowedCidr: '203.0.113.7/32, 198.51.100.0/24' })).toMatchObject({
      nodeCount: 3, azCount: 3, allowedCidr: ['203.0.113.7/32', '198.51.100.0/24'],
    });
  });

  test('endpoint CIDRs, control-plane logs and the service CIDR', () => {
    expect(read({ publicEndpointCidrs: '203.0.113.7/32,198.51.100.0/24', controlPlaneLogging: 'api, audit', serviceCidr: '172.20.0.0/16' }))
      .toMatchObject({ publicEndpointCidrs: ['203.0.113.7/32', '198.51.100.0/24'], controlPlaneLogging: ['api', 'audit'], serviceCidr: '172.20.0.0/16' });
    expect(read({ controlPlaneLogging: 'none' }).controlPlaneLogging).toEqual([]);
    expect(read({})).not.toHaveProperty('serviceCidr');
  });

  test.each([[undefined, false], ['true', true], [true, true], ['false', false], [false, false]])('nag=%j is %j', (value, expected) => {
    expect(readNag(new App({ context: value === undefined ? {} : { nag: value }, outdir: tempDir('cdk.out-') }).node)).toBe(expected);
  });

  test.each([
    [{ region: 'mars' }, "Context 'region' is not valid; got 'mars'. Pass -c region=eu-west-1."],
    [{ kubernetesVersion: '1.36.2' }, "Context 'kubernetesVersion' is not valid; got '1.36.2'. Pass -c kubernetesVersion=1.36."],
    [{ kubernetesVersion: 1.3 }, "Context 'kubernetesVersion' is not valid; got 1.3. Pass -c kubernetesVersion=1.36."],
    [{ nodeInstanceType: '' }, "Context 'nodeInstanceType' is not valid; got ''. Pass -c nodeInstanceType=t3.medium."],
    [{ nodeCount: 'two' }, "Context 'nodeCount' must be a whole number; got 'two'. Pass -c nodeCount=2."],
    [{ nodePort: '30080.5' }, "Context 'nodePort' must be a whole number; got '30080.5'. Pass -c nodePort=30080."],
    [{ allowedCidr: '203.0.113.7' }, "Context 'allowedCidr' must be IPv4 CIDR blocks, separated by commas; got '203.0.113.7'. Pass -c allowedCidr=203.0.113.7/32 (your address) or 0.0.0.0/0."],
    [{ allowedCidr: 7 }, "Context 'allowedCidr' must be a comma-separated list; got 7. Pass -c allowedCidr=203.0.113.7/32."],
    [{ controlPlaneLogging: 'api,everything' }, "Context 'controlPlaneLogging' must be log types among api, audit, authenticator, controllerManager, scheduler, separated by commas, or none; got 'everything'. Pass -c controlPlaneLogging=api,audit."],
    [{ allowedCIDR: '203.0.113.7/32' }, /^Context 'allowedCIDR' is not a setting of the lab; got '203.0.113.7\/32'\. Did you mean 'allowedCidr'\? The settings are region, /],
    [{ nodeport: 31000 }, /Did you mean 'nodePort'\?/],
    [{ externalTrafficPolicy: 'local' }, "Context 'externalTrafficPolicy' must be Cluster or Local; got 'local'. Pass -c externalTrafficPolicy=Local to keep traffic on the receiving node."],
    [{ sharedAlb: 'yes' }, "Context 'sharedAlb' must be true or false; got 'yes'. Pass -c sharedAlb=true."],
    [{ serviceMutatorWebhook: 0 }, "Context 'serviceMutatorWebhook' must be true or false; got 0. Pass -c serviceMutatorWebhook=false."],
    [{ tgbNodePort: '30080' }, "Context 'tgbNodePort' must differ from 'nodePort'; got 30080 for both. Each NodePort Service needs its own port; pass -c tgbNodePort=30081."],
    [{ nodePort: 31000, tgbNodePort: 31000 }, "Context 'tgbNodePort' must differ from 'nodePort'; got 31000 for both."],
    [{ image: '' }, "Context 'image' is not valid; got ''. Pass -c image=registry.k8s.io/e2e-test-images/echoserver:2.5."],
    [{ controllerVersion: 'v2.14.0' }, "Context 'controllerVersion' must be a controller version with a known IAM policy (v2.4.7, v2.7.2, v2.8.3, v2.9.2, v2.10.0, v2.11.0, v2.12.0, v2.13.0, v3.5.0); got 'v2.14.0'. Pass -c controllerVersion=v3.5.0."],
    [{ controllerPolicyVersion: true }, "Context 'controllerPolicyVersion' must be a controller version with a known IAM policy (v2.4.7, v2.7.2, v2.8.3, v2.9.2, v2.10.0, v2.11.0, v2.12.0, v2.13.0, v3.5.0); got true. Pass -c controllerPolicyVersion=v2.8.3 to give the controller an older policy, or leave it out for the policy of controllerVersion."],
  ])('rejects %j', (context, message) => {
    expect(() => read(context)).toThrow(message);
  });
});

describe('the settings table', () => {
  test('every row has a summary, an example and says how eks-lb-lab local takes it', () => {
    for (const [key, row] of Object.entries(SETTINGS)) {
      expect([key, row.summary.length > 0, row.example.length > 0, typeof row.local]).toEqual([key, true, true, expect.stringMatching(/^(string|object)$/)]);
    }
  });

  test('CDK\'s own keys and feature flags pass; so do the lab\'s nag and the CLI\'s cli-telemetry', () => {
    expect(() => read({ 'nag': 'true', 'cli-telemetry': false, '@aws-cdk/core:newStyleStackSynthesis': true, 'aws:cdk:enable-path-metadata': true })).not.toThrow();
  });

  test('givenSettings names the keys set explicitly', () => {
    expect(givenSettings(new App({ context: { replicas: '3', nag: 'true' }, outdir: tempDir('cdk.out-') }).node)).toEqual(['replicas']);
  });
});

describe('settingsMessage', () => {
  test('a construct\'s refusal of a value fed by a context key is named by that key; its own fix stays unless the row has one', () => {
    const stack = newStack();
    const vpc = new LabVpc(stack, 'Vpc', { clusterName: 'lab' });
    const refusal = (build: () => unknown) => { try { build(); } catch (e) { return e; } return undefined; };
    const count = refusal(() => new LabCluster(stack, 'A', { vpc: vpc.vpc, nodeCount: 0 }));
    expect(count).toBeInstanceOf(LabValidationError);
    expect(settingsMessage(count)).toBe("Context 'nodeCount' must be a whole number between 1 and 450; got 0. Use 2 nodes (one per zone) for the experiment.");
    const type = refusal(() => new LabCluster(stack, 'B', { vpc: vpc.vpc, nodeInstanceType: new (require('aws-cdk-lib/aws-ec2').InstanceType)('t3') }));
    expect(settingsMessage(type)).toBe("Context 'nodeInstanceType' must be an EC2 instance type; got 't3'. Pass -c nodeInstanceType=t3.medium.");
  });

  test('anything else: its own message, or undefined when it is not a user\'s mistake', () => {
    const other = new LabValidationError(newStack(), 'somethingElse', "is wrong; got 1. Fix it.");
    expect(settingsMessage(other)).toBe("Test: 'somethingElse' is wrong; got 1. Fix it.");
    expect(settingsMessage(new Error('boom'))).toBeUndefined();
  });
});

describe('regions', () => {
  test('a region aws-cdk-lib knows passes; one only shaped like a region needs -c newRegion=true', () => {
    expect(read({ region: 'ap-southeast-7' }).region).toBe('ap-southeast-7');
    expect(() => read({ region: 'us-east-12' })).toThrow(/^Context 'region' is not a region aws-cdk-lib [\d.]+ knows; got 'us-east-12'\./);
    expect(read({ region: 'us-east-12', newRegion: 'true' }).region).toBe('us-east-12');
    expect(() => read({}, { CDK_DEFAULT_REGION: 'mars-1' })).toThrow(/got 'mars-1' \(from CDK_DEFAULT_REGION\)/);
  });
});

describe('the README', () => {
  test('its Configuration table lists every setting, nag and newRegion, and nothing else', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## The constructs'));
    const keys = [...section.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1]).sort();
    expect(keys).toEqual([...Object.keys(SETTINGS), 'nag', 'newRegion'].sort());
  });
});
