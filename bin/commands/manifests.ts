import * as path from 'path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { App } from 'cdk8s';
import { ExternalTrafficPolicy, LabValidationError, TargetGroupBindingChart } from '../../lib';
import { ECHO_PORT } from '../../lib/workloads/echo-pod';
import { NODE_PORT_RANGE } from '../../lib/workloads/ingress-workload-chart';
import { labPath, pathChart } from '../../lab-stacks/catalogue';
import { writeOutputFile } from '../write-output';
import { parseOptions } from '../options';
import { CliError, CliIo, Command, EXIT_OK } from '../cli-io';
import { chartYaml, generatedHeader } from '../../lab-stacks/manifests';
import { describeStack, partitionOf, stackRegion } from '../../lib/experiment';
import { LAB_DEFAULTS, REGION } from '../../lab-stacks/settings';

const HELP = `Usage: eks-lb-lab manifests <manifest> [options]

Writes kubectl-ready YAML of a lab chart whose values exist only in AWS. The other labs need none: their files
are in manifests/ (npm run manifests).

Manifests:
  tgb   the TargetGroupBinding lab, with the target groups, VPC and security group of a deployed TgbLab or your own

Run \`eks-lb-lab manifests tgb --help\` for its options.
`;

const TGB_HELP = `Usage: eks-lb-lab manifests tgb [--stack TgbLab] [--region <region>] [-o <file>]
       eks-lb-lab manifests tgb --ip-target-group-arn <arn> --instance-target-group-arn <arn> --vpc-id <vpc-id>
                                --security-group-id <sg-id> [--node-port <port>] [--external-traffic-policy <p>]
                                [--namespace <name>] [--image <image>] [--replicas <n>] [-o <file>]

Renders the TargetGroupBinding lab as YAML for kubectl apply: its namespace, the echo Deployment, a headless
Service with a TargetGroupBinding of target type ip and a NodePort Service with one of target type instance.
Every value is checked before anything is written.

From a deployed TgbLab (the default):
  --stack <name>                     the stack whose outputs to read (default TgbLab); NodePort, traffic policy,
                                     namespace, image and replicas come from them too, as deployed
  --region <region>                  its region (default: AWS_REGION, cdk.json context 'region', us-east-1)

From your own load balancer (the first four together, instead of --stack):
  --ip-target-group-arn <arn>        target group of target type ip; pods are registered on port ${ECHO_PORT}
  --instance-target-group-arn <arn>  target group of target type instance, on the NodePort
  --vpc-id <vpc-id>                  VPC of the target groups and the cluster
  --security-group-id <sg-id>        the load balancer's security group, admitted on the targets' ports
  --node-port <port>                 NodePort of the instance Service (default ${LAB_DEFAULTS.tgbNodePort})
  --external-traffic-policy <p>      Cluster or Local (default ${LAB_DEFAULTS.externalTrafficPolicy})
  --namespace <name>                 namespace of every object (default tgb)
  --image <image>                    echo server image (default ${LAB_DEFAULTS.image})
  --replicas <n>                     number of echo pods (default ${LAB_DEFAULTS.replicas})

Output:
  -o, --output <file>                write the YAML to a file instead of stdout
`;

/** The values the chart needs from outside the lab's defaults, by chart prop, with their flag and TgbLab output. */
const VALUES = {
  ipTargetGroupArn: { flag: '--ip-target-group-arn', output: 'IpTargetGroupArn' },
  instanceTargetGroupArn: { flag: '--instance-target-group-arn', output: 'InstanceTargetGroupArn' },
  vpcId: { flag: '--vpc-id', output: 'VpcId' },
  loadBalancerSecurityGroupId: { flag: '--security-group-id', output: 'LoadBalancerSecurityGroupId' },
  nodePort: { flag: '--node-port', output: 'NodePort' },
  externalTrafficPolicy: { flag: '--external-traffic-policy', output: 'ExternalTrafficPolicy' },
  namespace: { flag: '--namespace', output: 'Namespace' },
  image: { flag: '--image', output: 'Image' },
  replicas: { flag: '--replicas', output: 'Replicas' },
} as const;

type Key = keyof typeof VALUES;
const KEYS = Object.keys(VALUES) as Key[];
/** The values a binding cannot do without; the rest have the lab's defaults. */
const REQUIRED: readonly Key[] = ['ipTargetGroupArn', 'instanceTargetGroupArn', 'vpcId', 'loadBalancerSecurityGroupId'];
const REQUIRED_FLAGS = list(REQUIRED.map((k) => VALUES[k].flag), 'and');

/** The values checked here; the chart checks the traffic policy, the namespace and the image itself. */
type CheckedKey = Exclude<Key, 'externalTrafficPolicy' | 'namespace' | 'image'>;

/** Where the values came from: how to name one in a message, how to fix a bad one, and the header's account of them. */
interface Source {
  readonly values: Readonly<Partial<Record<Key, string>>>;
  readonly label: (key: Key) => string;
  readonly fix: (key: CheckedKey) => string;
  readonly from: string;
}

const OPTIONS = {
  'help': { type: 'boolean', short: 'h', default: false },
  'stack': { type: 'string' },
  'region': { type: 'string' },
  'output': { type: 'string', short: 'o' },
  ...Object.fromEntries(KEYS.map((k) => [VALUES[k].flag.slice(2), { type: 'string' }])) as Record<string, { type: 'string' }>,
} as const;

/** `eks-lb-lab manifests <manifest>`. */
export const manifests: Command = async (args, io) => {
  const [kind, ...rest] = args;
  if (kind === '--help' || kind === '-h') {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (kind === 'tgb') return tgb(rest, io);
  throw new CliError(kind === undefined ? 'missing the manifest to write; use tgb. Run `eks-lb-lab manifests --help`.'
    : `unknown manifest '${kind}'; use tgb. Run \`eks-lb-lab manifests --help\`.`);
};

async function tgb(args: readonly string[], io: CliIo): Promise<number> {
  const options = parse(args);
  if (options.help) {
    io.stdout(TGB_HELP);
    return EXIT_OK;
  }
  const given = KEYS.filter((k) => options[VALUES[k].flag.slice(2)] !== undefined);
  const source = given.length > 0 ? flagSource(options, given) : await stackSource(options, io);
  const chart = render(source);
  const yaml = chartYaml(generatedHeader('eks-lb-lab manifests tgb', `the cdk8s charts in lib/ and ${source.from}`,
    'run it again rather than editing this file.'), chart);
  if (options.output === undefined) {
    io.stdout(yaml);
    return EXIT_OK;
  }
  writeOutputFile(options.output, path.resolve(io.cwd, options.output), yaml);
  io.stdout(`wrote ${options.output}\n`);
  return EXIT_OK;
}

function parse(args: readonly string[]): Record<string, string | undefined> & { help: boolean } {
  return parseOptions('manifests tgb', args, OPTIONS).values as Record<string, string | undefined> & { help: boolean };
}

function flagSource(options: Record<string, string | undefined>, given: readonly Key[]): Source {
  const flags = given.map((k) => VALUES[k].flag);
  const stackFlags = ['--stack', '--region'].filter((f) => options[f.slice(2)] !== undefined);
  if (stackFlags.length > 0) {
    throw new CliError(`cannot combine ${list(stackFlags, 'and')} (values from a deployed stack) with ${list(flags, 'and')} ` +
      '(values you give); pass one or the other.');
  }
  const missing = REQUIRED.filter((k) => !given.includes(k)).map((k) => VALUES[k].flag);
  if (missing.length > 0) {
    throw new CliError(`your own target groups take ${REQUIRED_FLAGS} together; got ${list(flags, 'and')} without ` +
      `${list(missing, 'or')}. Pass all four, or none of them to read a deployed TgbLab.`);
  }
  return {
    values: Object.fromEntries(given.map((k) => [k, options[VALUES[k].flag.slice(2)]])),
    label: (k) => VALUES[k].flag,
    fix: (k) => FLAG_FIXES[k],
    from: 'the values given on the command line',
  };
}

const ARN_FIX = 'Copy it from `aws elbv2 describe-target-groups --query \'TargetGroups[].TargetGroupArn\'`.';
const FLAG_FIXES: Readonly<Record<CheckedKey, string>> = {
  ipTargetGroupArn: ARN_FIX,
  instanceTargetGroupArn: ARN_FIX,
  vpcId: 'Use the VPC of the cluster and the target groups: `aws eks describe-cluster --name <cluster> --query cluster.resourcesVpcConfig.vpcId`.',
  loadBalancerSecurityGroupId: 'Use the load balancer\'s: `aws elbv2 describe-load-balancers --names <name> --query \'LoadBalancers[].SecurityGroups\'`.',
  nodePort: `Pick a port in the API server's NodePort range ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}, e.g. ${LAB_DEFAULTS.tgbNodePort}.`,
  replicas: `Use ${LAB_DEFAULTS.replicas} replicas so pods land on both nodes.`,
};

async function stackSource(options: Record<string, string | undefined>, io: CliIo): Promise<Source> {
  const stackName = options.stack ?? 'TgbLab';
  const region = stackRegion(options.region, io.env, io.cwd);
  const client = new CloudFormationClient({ region });
  let stack;
  try {
    stack = await describeStack(client, stackName, region);
  } finally {
    client.destroy();
  }
  if (!stack) {
    throw new CliError(`stack ${stackName} does not exist in ${region}; deploy it (npx cdk deploy TgbLab), pass --stack or ` +
      `--region, or give your own target groups with ${REQUIRED_FLAGS}.`);
  }
  const outputs = stack.outputs;
  const missing = KEYS.filter((k) => outputs[VALUES[k].output] === undefined).map((k) => VALUES[k].output);
  if (outputs.IpTargetGroupArn === undefined && outputs.InstanceTargetGroupArn === undefined) {
    throw new CliError(`stack ${stackName} in ${region} (${stack.status}) has no IpTargetGroupArn or InstanceTargetGroupArn ` +
      'output; is it a TgbLab stack that finished deploying?');
  }
  if (missing.length > 0) {
    throw new CliError(`stack ${stackName} in ${region} (${stack.status}) lacks the output${missing.length > 1 ? 's' : ''} ` +
      `${list(missing, 'and')}, which older versions of TgbLab did not write; redeploy it (npx cdk deploy TgbLab), or ` +
      `pass the values with ${REQUIRED_FLAGS}.`);
  }
  return {
    values: Object.fromEntries(KEYS.map((k) => [k, outputs[VALUES[k].output]])),
    label: (k) => `output ${VALUES[k].output} of stack ${stackName}`,
    fix: () => `Check that ${stackName} is the lab's TgbLab, or pass the values with ${REQUIRED_FLAGS}.`,
    from: `the outputs of stack ${stackName} in ${region}`,
  };
}

/** The chart with the lab's settings and the checked values of `source`; a bad value is one line naming it. */
function render(source: Source): TargetGroupBindingChart {
  const { values, label, fix } = source;
  const fail = (key: CheckedKey, problem: string): never => {
    throw new CliError(`${label(key)} ${problem}; got '${values[key]}'. ${fix(key)}`);
  };
  for (const key of ['ipTargetGroupArn', 'instanceTargetGroupArn'] as const) {
    const problem = targetGroupArnProblem(values[key]!);
    if (problem) fail(key, `must be a target group ARN, ${TARGET_GROUP_ARN_FORM}, but ${problem}`);
  }
  if (!EC2_ID('vpc').test(values.vpcId!)) fail('vpcId', 'must be a VPC id, vpc- and 8 or 17 hexadecimal digits');
  if (!EC2_ID('sg').test(values.loadBalancerSecurityGroupId!)) {
    fail('loadBalancerSecurityGroupId', 'must be a security group id, sg- and 8 or 17 hexadecimal digits');
  }
  for (const key of ['nodePort', 'replicas'] as const) {
    if (values[key] !== undefined && !/^\d+$/.test(values[key]!)) fail(key, 'must be a whole number');
  }

  const chart = pathChart(labPath('tgb-ip')!, LAB_DEFAULTS);
  if (chart.kind !== 'tgb') throw new Error('tgb-ip is not a TargetGroupBinding path');
  const { inboundCidrs: _cidrs, ...workload } = chart.props;
  try {
    return new TargetGroupBindingChart(new App(), 'Chart', {
      ...workload,
      ipTargetGroupArn: values.ipTargetGroupArn!,
      instanceTargetGroupArn: values.instanceTargetGroupArn!,
      vpcId: values.vpcId!,
      loadBalancerSecurityGroupId: values.loadBalancerSecurityGroupId!,
      ...(values.nodePort !== undefined ? { nodePort: Number(values.nodePort) } : {}),
      // The chart checks the policy itself, with the same message as for the stacks.
      ...(values.externalTrafficPolicy !== undefined ? { externalTrafficPolicy: values.externalTrafficPolicy as ExternalTrafficPolicy } : {}),
      ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
      ...(values.image !== undefined ? { image: values.image } : {}),
      ...(values.replicas !== undefined ? { replicas: Number(values.replicas) } : {}),
    });
  } catch (error) {
    if (!(error instanceof LabValidationError)) throw error;
    // The chart names its props ('nodePort'); the user knows them by flag or output.
    const message = error.message.slice(`${error.constructPath}: `.length);
    throw new CliError(KEYS.reduce((text, key) => text.split(`'${key}'`).join(label(key)), message));
  }
}

/** The form of a target group ARN, for messages. */
export const TARGET_GROUP_ARN_FORM = 'arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>';

/** Partitions an ELB ARN can name. */
export const PARTITIONS: readonly string[] = ['aws', 'aws-cn', 'aws-us-gov', 'aws-eusc', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f'];

/** ELB's rule for target group names: 1 to 32 letters, digits and hyphens, no hyphen first or last. */
const TARGET_GROUP_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

const EC2_ID = (prefix: string) => new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);

/** What keeps `value` from being a target group ARN, or undefined when it is one. */
export function targetGroupArnProblem(value: string): string | undefined {
  const parts = value.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn') return 'it is not an ARN';
  const [, partition, service, region, account, resource] = parts;
  if (!PARTITIONS.includes(partition)) return `'${partition}' is not a partition (${PARTITIONS.join(', ')})`;
  if (service !== 'elasticloadbalancing') return `it is an ARN of ${service === '' ? 'no service' : service}, not elasticloadbalancing`;
  if (!REGION.test(region)) return `'${region}' is not a region`;
  if (partitionOf(region) !== partition) return `region ${region} is in partition ${partitionOf(region)}, not ${partition}`;
  if (!/^\d{12}$/.test(account)) return `the account '${account}' is not 12 digits`;
  const [type, name, id, ...extra] = resource.split('/');
  if (type !== 'targetgroup') return `it names a ${type === 'loadbalancer' ? 'load balancer' : type === '' ? 'nothing' : type}, not a target group`;
  if (name === undefined || !TARGET_GROUP_NAME.test(name)) {
    return `the name '${name ?? ''}' is not 1 to 32 letters, digits and hyphens (no hyphen first or last)`;
  }
  if (id === undefined || extra.length > 0 || !/^[0-9a-f]{16}$/.test(id)) {
    return `the id '${[id ?? '', ...extra].join('/')}' is not 16 hexadecimal digits`;
  }
  return undefined;
}

/** `a`, `a and b`, `a, b and c`. */
function list(items: readonly string[], conjunction: 'and' | 'or'): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}
