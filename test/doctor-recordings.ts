import * as fs from 'fs';
import * as path from 'path';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeClusterCommand, DescribePodIdentityAssociationCommand, EKSClient, ListPodIdentityAssociationsCommand,
} from '@aws-sdk/client-eks';
import {
  GetPolicyCommand, GetPolicyVersionCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { LoadBalancerControllerVersion } from '../lib';
import { ROOT } from './paths';

const DIR = path.join(ROOT, 'test', 'fixtures', 'doctor');

/** A policy document as recorded: a document, or `official <tag>` for the vendored official commercial policy of a tag. */
type RecordedDocument = string | Record<string, unknown>;

/** What a cluster's API and its AWS account answered, as `test/fixtures/doctor/*.json` hold it. */
export interface Recording {
  readonly now: string;
  /** API path → the JSON the API server answered (`{ "$status": 403 }` for an error). */
  readonly kubernetes: Readonly<Record<string, unknown>>;
  readonly aws: {
    /** Role name → its managed policies (ARN → default version and document) and inline ones (name → document). */
    readonly roles: Readonly<Record<string, {
      readonly attached: Readonly<Record<string, { readonly version: string; readonly document: RecordedDocument }>>;
      readonly inline: Readonly<Record<string, RecordedDocument>>;
    }>>;
    /** `DescribeSubnets` items. */
    readonly subnets: readonly Record<string, unknown>[];
    /** Pod Identity associations: namespace, service account and role. */
    readonly podIdentityAssociations: readonly { readonly namespace: string; readonly serviceAccount: string; readonly roleArn: string }[];
    /** Cluster name → VPC id, for `DescribeCluster`. */
    readonly clusters?: Readonly<Record<string, string>>;
  };
}

/** A recording by file name (without `.json`), laid over the one its `base` names. */
export function loadRecording(name: string): Recording {
  const raw = JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8'));
  if (!raw.base) return raw;
  const base = loadRecording(raw.base);
  return {
    now: raw.now ?? base.now,
    kubernetes: { ...base.kubernetes, ...raw.kubernetes },
    aws: { ...base.aws, ...raw.aws },
  };
}

/** The names of the recordings. */
export function recordingNames(): string[] {
  return fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();
}

function encoded(document: RecordedDocument): string {
  const tag = typeof document === 'string' ? /^official (v[\d.]+)$/.exec(document)?.[1] : undefined;
  const json = tag ? LoadBalancerControllerVersion.tryFind(tag)!.policies.aws : document;
  if (!json || typeof json === 'string') throw new Error(`unknown recorded document ${JSON.stringify(document)}`);
  return encodeURIComponent(JSON.stringify(json));
}

function notFound(what: string): Error {
  return Object.assign(new Error(`${what} cannot be found.`), { name: 'NoSuchEntityException' });
}

/** The AWS SDK clients `doctor` uses, mocked once per test file; reset and answer from a recording per test. */
export const awsMocks = { iam: mockClient(IAMClient), eks: mockClient(EKSClient), ec2: mockClient(EC2Client) };

/** Makes the mocked clients answer as the recording's account did. */
export function answerFrom(recording: Recording): void {
  const { iam, eks, ec2 } = awsMocks;
  iam.reset();
  eks.reset();
  ec2.reset();
  const role = (name: string | undefined) => {
    const r = recording.aws.roles[name ?? ''];
    if (!r) throw notFound(`The role with name ${name}`);
    return r;
  };
  const managed = (arn: string | undefined) => {
    const found = Object.values(recording.aws.roles).map((r) => r.attached[arn ?? '']).find((p) => p !== undefined);
    if (!found) throw notFound(`Policy ${arn}`);
    return found;
  };
  iam.on(ListAttachedRolePoliciesCommand).callsFake(({ RoleName }) => ({
    AttachedPolicies: Object.keys(role(RoleName).attached).map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop() })),
    IsTruncated: false,
  }));
  iam.on(GetPolicyCommand).callsFake(({ PolicyArn }) => ({ Policy: { Arn: PolicyArn, DefaultVersionId: managed(PolicyArn).version } }));
  iam.on(GetPolicyVersionCommand).callsFake(({ PolicyArn, VersionId }) => ({
    PolicyVersion: { VersionId, IsDefaultVersion: true, Document: encoded(managed(PolicyArn).document) },
  }));
  iam.on(ListRolePoliciesCommand).callsFake(({ RoleName }) => ({ PolicyNames: Object.keys(role(RoleName).inline), IsTruncated: false }));
  iam.on(GetRolePolicyCommand).callsFake(({ RoleName, PolicyName }) => ({
    RoleName, PolicyName, PolicyDocument: encoded(role(RoleName).inline[PolicyName ?? '']),
  }));
  ec2.on(DescribeSubnetsCommand).callsFake(({ Filters }) => {
    const vpc = Filters?.find((f: { Name?: string }) => f.Name === 'vpc-id')?.Values ?? [];
    return { Subnets: recording.aws.subnets.filter((s) => vpc.includes(s.VpcId as string)) };
  });
  eks.on(ListPodIdentityAssociationsCommand).callsFake(({ namespace, serviceAccount }) => ({
    associations: recording.aws.podIdentityAssociations
      .map((a, i) => ({ ...a, associationId: `a-${i}` }))
      .filter((a) => a.namespace === namespace && a.serviceAccount === serviceAccount)
      .map(({ associationId, namespace: ns, serviceAccount: sa }) => ({ associationId, namespace: ns, serviceAccount: sa })),
  }));
  eks.on(DescribePodIdentityAssociationCommand).callsFake(({ associationId }) => ({
    association: { associationId, roleArn: recording.aws.podIdentityAssociations[Number(String(associationId).slice(2))]?.roleArn },
  }));
  eks.on(DescribeClusterCommand).callsFake(({ name }) => {
    const vpcId = recording.aws.clusters?.[name ?? ''];
    if (!vpcId) throw Object.assign(new Error(`No cluster found for name: ${name}.`), { name: 'ResourceNotFoundException' });
    return { cluster: { name, resourcesVpcConfig: { vpcId } } };
  });
}

/** The AWS commands sent since the last reset, by name. */
export function awsCommandsSent(): string[] {
  return Object.values(awsMocks).flatMap((m) => m.calls().map((c) => (c.args[0] as object).constructor.name));
}
