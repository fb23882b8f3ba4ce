import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../../bin/cli';
import { Recording, answerFrom, awsMocks, loadRecording, recordingNames } from '../../doctor-recordings';
import { KubernetesStandIn, startKubernetesStandIn, writeKubeconfig } from '../../kubernetes-stand-in';
import { tempDir } from '../../temp';

let standIn: KubernetesStandIn | undefined;
/** An address where nothing listens: a stand-in's, closed. */
let closed: string;
beforeAll(async () => {
  const s = await startKubernetesStandIn({});
  closed = s.server;
  await s.close();
});
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

async function run(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['doctor', ...args], { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: tempDir('eks-lb-lab-doctor-') });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** `doctor` against a recording served by the stand-in. */
async function doctorOn(recording: Recording, ...args: string[]) {
  answerFrom(recording);
  standIn = await startKubernetesStandIn(recording.kubernetes);
  return run(['--kubeconfig', standIn.kubeconfig, ...args]);
}

/** The problem lines: `[check] ...`. */
const problems = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('['));

describe('eks-lb-lab doctor', () => {
  test('the four recordings are the ones these tests read', () => {
    expect(recordingNames()).toEqual(['healthy', 'staged-403', 'untagged-subnets', 'webhook-down']);
  });

  test('a healthy lab: what was looked at, no problem, exit 0', async () => {
    const { code, stdout, stderr } = await doctorOn(loadRecording('healthy'));
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toBe([
      'Context stand-in, cluster eks-lb-lab: controller v3.5.0 (chart 3.5.0) in kube-system, 2/2 ready, role ' +
      'arn:aws:iam::111122223333:role/LabCluster-ClusterLoadBalancerControllerServiceAc-1Q2W3E4R5T6Y (IRSA).',
      'Looked at 1 policy on the role, 2 Ingresses, 2 LoadBalancer Services of the controller, 2 TargetGroupBindings, 2 webhook endpoints, 4 subnets.',
      'Result: no problems found.',
      '',
    ].join('\n'));
  });

  test('the staged 403: each action the v2.8.3 policy lacks, every Ingress and NLB Service without address with its AccessDenied, exit 1', async () => {
    const { code, stdout, stderr } = await doctorOn(loadRecording('staged-403'));
    expect([code, stderr]).toEqual([1, '']);
    const lines = problems(stdout);
    expect(lines.map((l) => /^\[policy\] role \S+: lacks (\S+), which controller v3\.5\.0 needs: /.exec(l)?.[1]).filter((a) => a)).toEqual([
      'ec2:DescribeIpamPools', 'ec2:DescribeRouteTables', 'ec2:GetSecurityGroupsForVpc',
      'elasticloadbalancing:DescribeCapacityReservation', 'elasticloadbalancing:DescribeListenerAttributes',
      'elasticloadbalancing:ModifyCapacityReservation', 'elasticloadbalancing:ModifyIpPools',
      'elasticloadbalancing:ModifyListenerAttributes', 'elasticloadbalancing:SetRulePriorities',
    ]);
    expect(lines).toContain('[policy] role LabCluster-ClusterLoadBalancerControllerServiceAc-1Q2W3E4R5T6Y: lacks ' +
      'elasticloadbalancing:DescribeListenerAttributes, which controller v3.5.0 needs: the controller reads listener attributes on every listener reconcile except for TLS listeners (NLB TCP listeners from v2.9.0, ALB listeners from v2.10.1, the isolated partitions from v3.2.2), so every Ingress and LoadBalancer Service fails to reconcile; in the official policy since ' +
      'v2.9.0. Fix: give the role the official v3.5.0 policy (eks-lb-lab policy show --version v3.5.0 --partition aws; compare a managed ' +
      'policy with eks-lb-lab policy diff --policy-arn <arn>).');
    const denied = (check: string, kind: string, ns: string) => expect.stringMatching(new RegExp(
      `^\\[${check}\\] ${kind} ${ns}/echo: has no address \\d+ days after its creation; the last warning is FailedDeployModel: ` +
      'AccessDenied \\(403\\) on elasticloadbalancing:DescribeListenerAttributes\\. Fix: give the controller\'s role ' +
      'elasticloadbalancing:DescribeListenerAttributes: attach the official v3\\.5\\.0 policy \\(eks-lb-lab policy show --version v3\\.5\\.0\\)\\.$'));
    expect(lines.filter((l) => !l.startsWith('[policy]'))).toEqual([
      denied('ingress', 'Ingress', 'ip-mode'), denied('ingress', 'Ingress', 'instance-mode'),
      denied('service', 'Service', 'nlb-ip-mode'), denied('service', 'Service', 'nlb-instance-mode'),
    ]);
    expect(stdout).toMatch(/\nResult: 13 problems\.\n$/);
  });

  test('untagged subnets under v2.12.0: both roles, and the Ingress whose build found no subnet, exit 1', async () => {
    const { code, stdout } = await doctorOn(loadRecording('untagged-subnets'));
    expect(code).toBe(1);
    expect(problems(stdout).map((l) => l.split(': ').slice(0, 2).join(': ').replace(/\d+ days/, 'N days'))).toEqual([
      '[subnets] subnets of vpc-0a1b2c3d4e5f67890: none is tagged kubernetes.io/role/elb (value 1 or empty) for this cluster',
      '[subnets] subnets of vpc-0a1b2c3d4e5f67890: none is tagged kubernetes.io/role/internal-elb (value 1 or empty) for this cluster',
      '[ingress] Ingress ip-mode/echo: has no address N days after its creation; the last warning is FailedBuildModel',
    ]);
    expect(problems(stdout)[0]).toMatch(/Fix: tag the public subnets, one in each of two zones or more, kubernetes\.io\/role\/elb=1 and kubernetes\.io\/cluster\/eks-lb-lab=shared\.$/);
    expect(problems(stdout)[2]).toMatch(/Fix: tag the subnets kubernetes\.io\/role\/elb=1 \(public, internet-facing\)/);
  });

  test('the webhook down: no ready endpoint, both pods not ready, exit 1', async () => {
    const { code, stdout } = await doctorOn(loadRecording('webhook-down'));
    expect(code).toBe(1);
    expect(problems(stdout)).toEqual([
      '[webhook] webhook Service kube-system/aws-load-balancer-webhook-service: has no ready endpoint (2 not ready, from its EndpointSlice; ' +
      '0 of 2 controller pods ready): its webhooks fail closed, so creating Services and creating or updating Ingresses and ' +
      'TargetGroupBindings is refused with "failed calling webhook". Fix: get the controller\'s pods ready: kubectl -n kube-system ' +
      'describe pods -l app.kubernetes.io/name=aws-load-balancer-controller, and their logs.',
    ]);
  });

  test('--json: the report for scripts, with the problems as objects', async () => {
    const { code, stdout } = await doctorOn(loadRecording('webhook-down'), '--json');
    const report = JSON.parse(stdout);
    expect(code).toBe(1);
    expect(report).toMatchObject({
      context: 'stand-in', clusterName: 'eks-lb-lab', namespace: 'kube-system', result: 'problems', unchecked: [],
      controller: { deployment: 'aws-load-balancer-controller', version: 'v3.5.0', chart: '3.5.0', readyReplicas: 0, replicas: 2 },
      looked: { policies: 1, ingresses: 2, loadBalancerServices: 2, targetGroupBindings: 2, webhookEndpoints: 2, subnets: 4 },
    });
    expect(report.problems).toEqual([expect.objectContaining({ check: 'webhook', subject: 'webhook Service kube-system/aws-load-balancer-webhook-service' })]);
  });

  test('no problem found but a check not made (IAM refused): the reason on its own line, exit 2', async () => {
    const recording = loadRecording('healthy');
    answerFrom(recording);
    awsMocks.iam.reset();
    awsMocks.iam.rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    standIn = await startKubernetesStandIn(recording.kubernetes);
    const { code, stdout } = await run(['--kubeconfig', standIn.kubeconfig, '--context', 'stand-in']);
    expect(code).toBe(2);
    expect(stdout.split('\n').slice(2)).toEqual([
      'Not checked (policy): cannot read the policies of arn:aws:iam::111122223333:role/LabCluster-ClusterLoadBalancerControllerServiceAc-1Q2W3E4R5T6Y ' +
      'from IAM: CredentialsProviderError: Could not load credentials from any providers.',
      'Result: no problem found, but 1 check could not be made.',
      '',
    ]);
  });

  test('KUBECONFIG: the files merged as kubectl merges them, the first current context winning', async () => {
    const recording = loadRecording('healthy');
    answerFrom(recording);
    standIn = await startKubernetesStandIn(recording.kubernetes);
    const other = path.join(tempDir('eks-lb-lab-kubeconfig-'), 'other');
    fs.writeFileSync(other, fs.readFileSync(writeKubeconfig(closed), 'utf8').replace(/stand-in/g, 'elsewhere'));
    const { code } = await run([], { KUBECONFIG: [standIn.kubeconfig, '/nonexistent/config', other].join(path.delimiter) });
    expect(code).toBe(0);
    const { code: second, stderr } = await run(['--context', 'elsewhere'], { KUBECONFIG: [standIn.kubeconfig, other].join(path.delimiter) });
    expect([second, stderr]).toEqual([2, `eks-lb-lab doctor: cannot reach the Kubernetes API at ${closed} (context elsewhere): connect ECONNREFUSED ${closed.slice(7)}.\n`]);
  });

  test.each([
    ['an unreachable API server', () => ['--kubeconfig', writeKubeconfig(closed)], {},
      () => `eks-lb-lab doctor: cannot reach the Kubernetes API at ${closed} (context stand-in): connect ECONNREFUSED ${closed.slice(7)}.\n`],
    ['a missing --kubeconfig', () => ['--kubeconfig', 'absent/config'], {},
      'eks-lb-lab doctor: no kubeconfig: --kubeconfig absent/config does not exist. Pass --kubeconfig <file>, or write one with `aws eks ' +
      'update-kubeconfig --name <cluster>` (the LabCluster output UpdateKubeconfigCommand).\n'],
    ['no kubeconfig in the home folder', () => [], { HOME: '/nonexistent' },
      'eks-lb-lab doctor: no kubeconfig: /nonexistent/.kube/config does not exist. Pass --kubeconfig <file>, or write one with `aws eks ' +
      'update-kubeconfig --name <cluster>` (the LabCluster output UpdateKubeconfigCommand).\n'],
    ['an unknown context', () => ['--kubeconfig', writeKubeconfig(closed), '--context', 'prod'], {},
      'eks-lb-lab doctor: --context prod is not in the kubeconfig; use one of stand-in.\n'],
    ['an unknown option', () => ['--verbose'], {}, "eks-lb-lab doctor: Unknown option '--verbose'. Run `eks-lb-lab doctor --help`.\n"],
    ['a positional argument', () => ['eks-lb-lab'], {},
      "eks-lb-lab doctor: Unexpected argument 'eks-lb-lab'. Run `eks-lb-lab doctor --help`.\n"],
  ])('%s: one line on stderr, exit 2', async (_what, args, env: Record<string, string>, message: string | (() => string)) => {
    const { code, stdout, stderr } = await run(args(), env);
    expect([code, stdout, stderr]).toEqual([2, '', typeof message === 'string' ? message : message()]);
  });

  test('a kubeconfig that is not YAML: one line naming it, exit 2', async () => {
    const file = path.join(tempDir('eks-lb-lab-kubeconfig-'), 'config');
    fs.writeFileSync(file, 'clusters: [\n');
    const { code, stderr } = await run(['--kubeconfig', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`^eks-lb-lab doctor: cannot read the kubeconfig ${file}: .+\\.\\n$`));
  });

  test('--help: the options and exit codes', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const option of ['--kubeconfig', '--context', '--namespace', '--cluster-name', '--region', '--json']) expect(stdout).toContain(`  ${option}`);
    expect(stdout).toContain('Exit 0 when nothing is wrong, 1 when something is, 2 when the cluster could not be looked at');
  });
});
