// @ts-check
'use strict';
// Runs in the Lambda Node.js 22 runtime, which provides AWS SDK v3; kept as plain CommonJS so it ships as is.
const {
  ElasticLoadBalancingV2Client, DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, DescribeTagsCommand,
  DeleteLoadBalancerCommand, DeleteTargetGroupCommand,
} = require('@aws-sdk/client-elastic-load-balancing-v2');
const { EC2Client, DescribeSecurityGroupsCommand, DeleteSecurityGroupCommand } = require('@aws-sdk/client-ec2');

/** The tag the AWS Load Balancer Controller puts on every load balancer, target group and security group it creates. */
const CLUSTER_TAG = 'elbv2.k8s.aws/cluster';

/** Errors that mean the resource is already gone. */
const GONE = new Set(['LoadBalancerNotFound', 'LoadBalancerNotFoundException', 'TargetGroupNotFound',
  'TargetGroupNotFoundException', 'InvalidGroup.NotFound', 'InvalidGroupId.NotFound']);

/** Errors that mean the resource is still in use and deleting it later may work. */
const IN_USE = new Set(['ResourceInUse', 'ResourceInUseException', 'DependencyViolation']);

/**
 * @typedef {object} CleanupOptions
 * @property {string} clusterName value of the elbv2.k8s.aws/cluster tag
 * @property {string} vpcId only resources in this VPC are touched
 * @property {number} deadline epoch milliseconds after which the cleanup gives up
 * @property {number} [retryIntervalMs] pause between rounds
 * @property {ElasticLoadBalancingV2Client} [elbv2]
 * @property {EC2Client} [ec2]
 * @property {() => number} [now]
 * @property {(ms: number) => Promise<void>} [sleep]
 * @property {(line: string) => void} [log]
 */

/**
 * @typedef {object} CleanupResult
 * @property {string[]} deleted ids and ARNs deleted by this run
 * @property {number} rounds listing rounds taken
 */

/** @param {unknown} error */
function errorName(error) {
  const e = /** @type {{ name?: string, Code?: string }} */ (error);
  return e?.name ?? e?.Code ?? '';
}

/**
 * @template T
 * @param {T[]} items
 * @param {number} size
 * @returns {T[][]}
 */
function chunks(items, size) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * ARNs among `arns` whose elbv2.k8s.aws/cluster tag equals `clusterName`.
 * @param {ElasticLoadBalancingV2Client} elbv2
 * @param {string[]} arns
 * @param {string} clusterName
 */
async function taggedForCluster(elbv2, arns, clusterName) {
  const out = [];
  for (const batch of chunks(arns, 20)) {
    const { TagDescriptions = [] } = await elbv2.send(new DescribeTagsCommand({ ResourceArns: batch }));
    for (const d of TagDescriptions) {
      if (d.ResourceArn && (d.Tags ?? []).some((t) => t.Key === CLUSTER_TAG && t.Value === clusterName)) out.push(d.ResourceArn);
    }
  }
  return out;
}

/**
 * ARNs of the ELBv2 resources in `vpcId` that a paged Describe call lists.
 * @param {(Marker: string | undefined) => Promise<any>} describe one page
 * @param {'LoadBalancers' | 'TargetGroups'} listKey
 * @param {'LoadBalancerArn' | 'TargetGroupArn'} arnKey
 * @param {string} vpcId
 * @returns {Promise<string[]>}
 */
async function arnsInVpc(describe, listKey, arnKey, vpcId) {
  const arns = [];
  /** @type {string | undefined} */
  let Marker;
  do {
    const page = await describe(Marker);
    for (const item of page[listKey] ?? []) if (item.VpcId === vpcId && item[arnKey]) arns.push(item[arnKey]);
    Marker = page.NextMarker;
  } while (Marker);
  return arns;
}

/** @param {EC2Client} ec2 @param {string} vpcId @param {string} clusterName */
async function securityGroupsIn(ec2, vpcId, clusterName) {
  const ids = [];
  /** @type {string | undefined} */
  let NextToken;
  do {
    const page = await ec2.send(new DescribeSecurityGroupsCommand({
      Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: `tag:${CLUSTER_TAG}`, Values: [clusterName] }],
      NextToken,
    }));
    for (const sg of page.SecurityGroups ?? []) if (sg.GroupId) ids.push(sg.GroupId);
    NextToken = page.NextToken;
  } while (NextToken);
  return ids;
}

/**
 * Deletes the load balancers, target groups and security groups the controller left in the VPC for the cluster,
 * in that order, retrying what is still in use until nothing is left or the deadline passes.
 * @param {CleanupOptions} options
 * @returns {Promise<CleanupResult>}
 */
async function cleanup(options) {
  const { clusterName, vpcId, deadline } = options;
  const elbv2 = options.elbv2 ?? new ElasticLoadBalancingV2Client({});
  const ec2 = options.ec2 ?? new EC2Client({});
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const log = options.log ?? ((line) => console.log(line));
  const interval = options.retryIntervalMs ?? 10_000;
  /** @type {string[]} */
  const deleted = [];
  /** @type {Map<string, string>} */
  let waiting = new Map();

  /** @param {string} id @param {() => Promise<unknown>} remove */
  const tryDelete = async (id, remove) => {
    try {
      await remove();
      deleted.push(id);
      log(`deleted ${id}`);
    } catch (error) {
      const name = errorName(error);
      if (GONE.has(name)) {
        log(`${id} already gone`);
      } else if (IN_USE.has(name)) {
        waiting.set(id, name);
        log(`${id} still in use (${name}); will retry`);
      } else {
        throw error;
      }
    }
  };

  for (let round = 1; ; round++) {
    waiting = new Map();
    const loadBalancersInVpc = await arnsInVpc((Marker) => elbv2.send(new DescribeLoadBalancersCommand({ Marker })),
      'LoadBalancers', 'LoadBalancerArn', vpcId);
    const loadBalancers = await taggedForCluster(elbv2, loadBalancersInVpc, clusterName);
    for (const arn of loadBalancers) await tryDelete(arn, () => elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn })));
    const targetGroupsInVpc = await arnsInVpc((Marker) => elbv2.send(new DescribeTargetGroupsCommand({ Marker })),
      'TargetGroups', 'TargetGroupArn', vpcId);
    const targetGroups = await taggedForCluster(elbv2, targetGroupsInVpc, clusterName);
    for (const arn of targetGroups) await tryDelete(arn, () => elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn })));
    const securityGroups = await securityGroupsIn(ec2, vpcId, clusterName);
    for (const id of securityGroups) await tryDelete(id, () => ec2.send(new DeleteSecurityGroupCommand({ GroupId: id })));

    if (loadBalancers.length + targetGroups.length + securityGroups.length === 0) {
      log(`nothing tagged ${CLUSTER_TAG}=${clusterName} left in ${vpcId}; deleted ${deleted.length} after ${round} round(s)`);
      return { deleted, rounds: round };
    }
    if (now() + interval > deadline) {
      const left = [...loadBalancers, ...targetGroups, ...securityGroups]
        .map((id) => (waiting.has(id) ? `${id} (${waiting.get(id)})` : id));
      throw new Error(`Cleanup of ${CLUSTER_TAG}=${clusterName} in ${vpcId} ran out of time; still present: ` +
        `${left.join(', ')}. Delete them, then retry the stack deletion.`);
    }
    await sleep(interval);
  }
}

/**
 * Custom resource handler: nothing to do on Create and Update; on Delete, remove what the controller left behind.
 * @param {{ RequestType: string, PhysicalResourceId?: string,
 *   ResourceProperties: { ClusterName: string, VpcId: string, TimeoutSeconds: string | number } }} event
 * @param {{ getRemainingTimeInMillis?: () => number }} [context]
 */
async function handler(event, context) {
  const { ClusterName: clusterName, VpcId: vpcId, TimeoutSeconds } = event.ResourceProperties;
  const physicalResourceId = `${CLUSTER_TAG}=${clusterName}@${vpcId}`;
  if (event.RequestType !== 'Delete') return { PhysicalResourceId: physicalResourceId };
  const budget = Number(TimeoutSeconds) * 1000;
  // Leave the function time to report the failure itself rather than be cut off.
  const remaining = context?.getRemainingTimeInMillis ? context.getRemainingTimeInMillis() - 20_000 : budget;
  const result = await cleanup({ clusterName, vpcId, deadline: Date.now() + Math.min(budget, remaining) });
  return { PhysicalResourceId: event.PhysicalResourceId ?? physicalResourceId, Data: { Deleted: result.deleted.length } };
}

module.exports = { handler, cleanup, CLUSTER_TAG };
