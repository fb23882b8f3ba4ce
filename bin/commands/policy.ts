import * as path from 'path';
import { GetPolicyCommand, GetPolicyVersionCommand, IAMClient } from '@aws-sdk/client-iam';
import { LoadBalancerControllerVersion, PolicyJson } from '../../lib';
import {
  ACTION_CONSEQUENCES, ACTION_FIRST_RELEASE, NormalStatement, iamRegion, PARTITIONS, PolicyFormatError, RequiredAddition, comparePolicies,
  normalize, optionalFeaturesOf, partitionsFor, policyForPartition, requiredAdditions, statementConsequence, withAdditions,
} from '../../lib/experiment';
import { CliError, CliIo, Command, EXIT_FINDING, EXIT_OK } from '../cli-io';
import { parseOptions } from '../options';
import { readInputFile } from '../read-input';

const USAGE = `Usage:
  eks-lb-lab policy diff <file.json> [--version v3.5.0] [--partition aws]
  eks-lb-lab policy diff --policy-arn <arn> [--version v3.5.0] [--partition <from the ARN>]
  eks-lb-lab policy show [--version v3.5.0] [--partition aws]

diff compares a policy document (a file with the document, or the output of \`aws iam get-policy-version\`,
or the default version of a managed policy read from IAM) with the official policy of a controller version.
Exit 0 when the document grants everything the official one does, 1 when it does not, 2 on bad input.

Known versions: ${LoadBalancerControllerVersion.KNOWN.map((v) => v.version).join(', ')}
`;

const OPTIONS = {
  'version': { type: 'string' },
  'partition': { type: 'string' },
  'policy-arn': { type: 'string' },
  'help': { type: 'boolean', short: 'h' },
} as const;

/** `eks-lb-lab policy diff|show`. */
export const policyCommand: Command = async (args, io) => {
  const { values, positionals } = parseOptions('policy', args, OPTIONS, true);
  const [sub, ...rest] = positionals;
  if (values.help) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  const version = versionOf(values.version);
  if (sub === 'show') {
    if (rest.length > 0 || values['policy-arn'] !== undefined) throw new CliError('show takes only --version and --partition.');
    io.stdout(`${JSON.stringify(official(version, values.partition ?? 'aws').file, undefined, 2)}\n`);
    return EXIT_OK;
  }
  if (sub === 'diff') {
    const arn = values['policy-arn'];
    if ((arn === undefined) === (rest.length !== 1)) {
      const got = arn !== undefined ? `--policy-arn and ${rest.join(' ')}` : rest.length === 0 ? 'no file' : rest.join(' ');
      throw new CliError(`diff takes one policy file, or --policy-arn <arn>; got ${got}.`);
    }
    const partition = values.partition ?? (arn !== undefined ? partitionOfArn(arn) : 'aws');
    const reference = official(version, partition);
    const input = arn !== undefined ? await readFromIam(arn, io) : readFile(rest[0], io);
    return diff(input, reference, `controller ${version.version} (${partition})`, io);
  }
  throw new CliError(sub === undefined ? 'missing subcommand; use diff or show.' : `unknown subcommand '${sub}'; use diff or show.`);
};

function versionOf(text: string | undefined): LoadBalancerControllerVersion {
  if (text === undefined) return LoadBalancerControllerVersion.V3_5_0;
  const version = LoadBalancerControllerVersion.tryFind(text);
  if (!version) {
    throw new CliError(`--version ${text} is not a version with a known policy; use one of ` +
      `${LoadBalancerControllerVersion.KNOWN.map((v) => v.version).join(', ')}.`);
  }
  return version;
}

/** The official file of a version and partition, and what the controller calls there beyond it. */
interface Reference {
  readonly file: PolicyJson;
  readonly additions: readonly RequiredAddition[];
}

function official(version: LoadBalancerControllerVersion, partition: string): Reference {
  if (!PARTITIONS.has(partition)) {
    throw new CliError(`--partition ${partition} is not an AWS partition; use one of ${[...PARTITIONS].join(', ')}.`);
  }
  const file = policyForPartition(version.policies, partition);
  if (!file) {
    throw new CliError(`--partition ${partition} has no official policy at ${version.version}; use one of ` +
      `${partitionsFor(version.policies).join(', ')}.`);
  }
  return { file, additions: requiredAdditions(version.version, partition, file) };
}

/** A labelled document to compare. */
interface Input {
  readonly source: string;
  readonly document: unknown;
}

function readFile(file: string, io: CliIo): Input {
  // Even `aws iam get-policy-version` output of the largest document IAM stores is a few tens of kilobytes.
  const text = readInputFile(file, path.resolve(io.cwd, file), 1024 * 1024, 'policy document');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not JSON: ${(error as Error).message}.`);
  }
  // The output of `aws iam get-policy-version` wraps the document.
  const wrapped = (json as { PolicyVersion?: { Document?: unknown } } | null)?.PolicyVersion?.Document;
  return { source: file, document: wrapped === undefined ? json : decodeDocument(wrapped, file) };
}

function decodeDocument(document: unknown, source: string): unknown {
  if (typeof document !== 'string') return document;
  try {
    return JSON.parse(decodeURIComponent(document));
  } catch (error) {
    throw new CliError(`the policy document of ${source} is not URL-encoded JSON: ${(error as Error).message}.`);
  }
}

function partitionOfArn(arn: string): string {
  const match = /^arn:([a-z-]+):iam::(\d{12}|aws):policy\/.+/.exec(arn);
  if (!match) throw new CliError(`--policy-arn must be a managed policy ARN like arn:aws:iam::123456789012:policy/Name; got '${arn}'.`);
  if (!PARTITIONS.has(match[1])) {
    throw new CliError(`--policy-arn names partition ${match[1]}, which is not an AWS partition; use one of ${[...PARTITIONS].join(', ')}.`);
  }
  return match[1];
}

async function readFromIam(arn: string, io: CliIo): Promise<Input> {
  const partition = partitionOfArn(arn);
  // IAM answers in every region of its partition; outside the commercial one the region must be of that partition.
  const client = new IAMClient({ region: iamRegion(partition, io.env.AWS_REGION) });
  try {
    const { Policy } = await client.send(new GetPolicyCommand({ PolicyArn: arn }));
    const versionId = Policy?.DefaultVersionId;
    if (!versionId) throw new CliError(`IAM returned no default version for ${arn}.`);
    const { PolicyVersion } = await client.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }));
    if (PolicyVersion?.Document === undefined) throw new CliError(`IAM returned no document for ${arn} version ${versionId}.`);
    return { source: `${arn} (${versionId})`, document: decodeDocument(PolicyVersion.Document, arn) };
  } catch (error) {
    if (error instanceof CliError) throw error;
    const e = error as Error;
    throw new CliError(`cannot read ${arn} from IAM: ${e.name}: ${e.message.split('\n')[0]}`);
  } finally {
    client.destroy();
  }
}

function describe(statement: NormalStatement): string {
  const label = statement.sid ? `${statement.index} (${statement.sid})` : `${statement.index}`;
  const condition = Object.keys(statement.condition).length > 0 ? ` when ${JSON.stringify(statement.condition)}` : '';
  return `statement ${label}: on ${statement.resources.join(', ')}${condition}`;
}

/** The release whose official policy first lists an action, when that is later than v2.0.0. */
function since(action: string): string | undefined {
  const first = ACTION_FIRST_RELEASE[action];
  return first ? `in the official policy since ${first}` : undefined;
}

function diff(input: Input, officialReference: Reference, label: string, io: CliIo): number {
  const reference = normalize(withAdditions(officialReference.file, officialReference.additions));
  const added = new Map(officialReference.additions.map((a) => [a.action, a]));
  let actual: NormalStatement[];
  try {
    actual = normalize(input.document);
  } catch (error) {
    if (error instanceof PolicyFormatError) throw new CliError(`${input.source}: ${error.message}.`);
    throw error;
  }
  const { missing, extra, differing } = comparePolicies(reference, actual);
  const narrower = differing.filter((d) => d.narrower.length > 0);
  const out: string[] = [`${input.source} against the official policy of ${label}:`];

  out.push(missing.length === 0 ? 'Missing actions: none' : `Missing actions (${missing.length}):`);
  for (const action of missing) {
    const addition = added.get(action);
    const why = addition
      ? [ACTION_CONSEQUENCES.get(action), `${addition.why}; the lab's policy adds it`]
      : [ACTION_CONSEQUENCES.get(action), since(action)];
    const text = why.filter((x) => x !== undefined).join('; ');
    out.push(`  - ${action}${text ? ` — ${text}` : ''}`);
  }
  out.push(differing.length === 0 ? 'Statements granted otherwise: none' : `Statements granted otherwise (${differing.length}):`);
  for (const d of differing) {
    out.push(`  - official ${describe(d.official)}`);
    if (d.narrower.length > 0) out.push(`      narrower for ${d.narrower.join(', ')}`);
    if (d.broader.length > 0) out.push(`      wider for ${d.broader.join(', ')}`);
    for (const s of d.granting) out.push(`      yours: ${describe(s)}`);
    const why = d.narrower.length > 0 ? statementConsequence(d.official) : undefined;
    if (why) out.push(`      — ${why}`);
  }
  const optional = extra.filter((a) => optionalFeaturesOf(a).length > 0);
  const beyond = extra.filter((a) => !optional.includes(a));
  if (optional.length > 0) out.push(`Optional features (${optional.length}, granted beyond the official policy for a feature that needs them):`);
  for (const action of optional) out.push(`  - ${action} — ${optionalFeaturesOf(action).map((f) => f.feature).join('; ')}`);
  out.push(beyond.length === 0 ? 'Extra actions: none' : `Extra actions (${beyond.length}, not in the official policy):`);
  for (const action of beyond) out.push(`  - ${action}`);
  const failing = missing.length > 0 || narrower.length > 0;
  out.push(failing
    ? `Result: ${missing.length} missing action(s), ${narrower.length} statement(s) granted more narrowly.`
    : 'Result: grants everything the official policy grants.');
  io.stdout(`${out.join('\n')}\n`);
  return failing ? EXIT_FINDING : EXIT_OK;
}
