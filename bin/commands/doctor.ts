import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterUnreachableError, gatherFacts } from '../../lib/experiment/doctor/gather';
import { doctorReport, renderDoctorJson, renderDoctorText } from '../../lib/experiment/doctor/report';
import { CliError, CliIo, Command, EXIT_FINDING, EXIT_OK, EXIT_USAGE } from '../cli-io';
import { readInputFile } from '../read-input';

const HELP = `Usage: eks-lb-lab doctor [options]

Looks at the AWS Load Balancer Controller on a cluster and says what keeps its Ingresses, Services,
TargetGroupBindings and Gateways from working, one line per problem with its fix: actions the controller's
IAM role lacks for the version that runs, objects without an address and the warning event that explains it,
subnets without discovery tags, a webhook without ready endpoints, Ingresses without a class, a chart that
does not match the image. Reads only; changes nothing.

Needs the kubeconfig of the cluster and, for the role's policies (IAM), Pod Identity and the cluster's VPC
(EKS) and its subnets (EC2), AWS credentials of the account.

  --kubeconfig <file>     kubeconfig (default: KUBECONFIG, else ~/.kube/config)
  --context <name>        kubeconfig context (default: its current context)
  --namespace <name>      namespace of the controller (default kube-system)
  --cluster-name <name>   EKS cluster name (default: the controller's --cluster-name argument)
  --region <region>       region of the AWS calls (default: the controller's --aws-region argument, else the
                          AWS SDK's default: AWS_REGION, the profile's region)
  --json                  the report as JSON on stdout

Exit 0 when nothing is wrong, 1 when something is, 2 when the cluster could not be looked at (or, with no
problem found, when a check could not be made).
`;

const OPTIONS = {
  'kubeconfig': { type: 'string' },
  'context': { type: 'string' },
  'namespace': { type: 'string' },
  'cluster-name': { type: 'string' },
  'region': { type: 'string' },
  'json': { type: 'boolean' },
  'help': { type: 'boolean', short: 'h' },
} as const;

/** `eks-lb-lab doctor`. */
export const doctor: Command = async (args, io) => {
  let values;
  try {
    ({ values } = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new CliError(`${(error as Error).message.split(/\.\s/)[0].replace(/\.$/, '')}. Run \`eks-lb-lab doctor --help\`.`);
  }
  if (values.help) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  const kubeConfig = selectedKubeConfig(values.kubeconfig, values.context, io);
  const context = kubeConfig.getCurrentContext();
  const namespace = values.namespace ?? 'kube-system';
  let facts;
  try {
    facts = await gatherFacts({ kubeConfig, namespace, clusterName: values['cluster-name'], region: values.region });
  } catch (error) {
    if (error instanceof ClusterUnreachableError) throw new CliError(`${error.message}.`);
    throw error;
  }
  const report = doctorReport(facts, context);
  io.stdout(values.json ? renderDoctorJson(report) : renderDoctorText(report));
  return report.result === 'problems' ? EXIT_FINDING : report.result === 'incomplete' ? EXIT_USAGE : EXIT_OK;
};

/** The kubeconfig {@link loadKubeConfig} finds, on the context of `--context` or its current one, which must name a cluster. */
export function selectedKubeConfig(flag: string | undefined, contextFlag: string | undefined, io: CliIo): KubeConfig {
  const kubeConfig = loadKubeConfig(flag, io);
  if (contextFlag !== undefined) {
    const names = kubeConfig.getContexts().map((c) => c.name);
    if (!names.includes(contextFlag)) {
      throw new CliError(`--context ${contextFlag} is not in the kubeconfig; use one of ${names.join(', ') || '(none)'}.`);
    }
    kubeConfig.setCurrentContext(contextFlag);
  }
  if (!kubeConfig.getCurrentContext() || !kubeConfig.getCurrentCluster()) {
    throw new CliError('the kubeconfig has no current context with a cluster; pass --context <name>.');
  }
  return kubeConfig;
}

/** The kubeconfig of `--kubeconfig`, else of KUBECONFIG (merged, the first file's context winning), else ~/.kube/config. */
function loadKubeConfig(flag: string | undefined, io: CliIo): KubeConfig {
  let files: string[];
  let named: string;
  if (flag !== undefined) {
    files = [path.resolve(io.cwd, flag)];
    named = `--kubeconfig ${flag}`;
  } else if (io.env.KUBECONFIG) {
    files = io.env.KUBECONFIG.split(path.delimiter).filter((f) => f !== '').map((f) => path.resolve(io.cwd, f));
    named = `KUBECONFIG ${io.env.KUBECONFIG}`;
  } else {
    files = [path.join(io.env.HOME ?? os.homedir(), '.kube', 'config')];
    named = files[0];
  }
  const present = files.filter((f) => fs.existsSync(f));
  if (present.length === 0) {
    throw new CliError(`no kubeconfig: ${named} does not exist. Pass --kubeconfig <file>, or write one with ` +
      '`aws eks update-kubeconfig --name <cluster>` (the LabCluster output UpdateKubeconfigCommand).');
  }
  const [first, ...rest] = present.map((file) => {
    const one = new KubeConfig();
    // Read here with a bound (a kubeconfig is kilobytes; /dev/zero never ends), parsed as loadFromFile would.
    const text = readInputFile(file, file, 16 * 1024 * 1024, 'kubeconfig');
    try {
      one.loadFromString(text);
      one.makePathsAbsolute(path.dirname(file));
    } catch (error) {
      throw new CliError(`cannot read the kubeconfig ${file}: ${(error as Error).message.split('\n')[0]}.`);
    }
    return one;
  });
  // As kubectl merges: the first file that names a cluster, user, context or the current context wins.
  for (const other of rest) {
    for (const c of other.getClusters()) if (!first.getCluster(c.name)) first.addCluster(c);
    for (const u of other.getUsers()) if (!first.getUser(u.name)) first.addUser(u);
    for (const c of other.getContexts()) if (!first.getContextObject(c.name)) first.addContext(c);
    if (!first.getCurrentContext() && other.getCurrentContext()) first.setCurrentContext(other.getCurrentContext());
  }
  return first;
}
