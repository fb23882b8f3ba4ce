import * as fs from 'fs';
import * as path from 'path';

/** One line of EKS's node AMI table of instance types (nodeadm's `instance-info.jsonl`, vendored unmodified). */
interface InstanceInfo {
  readonly instanceType: string;
  readonly defaultMaxENIs: number;
  readonly ipv4AddressesPerInterface: number;
}

/** Managed node groups never set max-pods above this, whatever the ENIs allow. */
const MANAGED_NODE_GROUP_CEILING = 250;

let maxPods: ReadonlyMap<string, number> | undefined;

/**
 * Pods a node of `instanceType` takes with the VPC CNI in its default mode (one address per pod, no prefix
 * delegation): ENIs × (IPv4 addresses per ENI − 1) + 2, as EKS's node AMIs set kubelet's max-pods. Undefined for a
 * type the table lacks.
 */
export function vpcCniMaxPods(instanceType: string): number | undefined {
  maxPods ??= new Map(fs.readFileSync(path.join(__dirname, 'eks-ami', 'instance-info.jsonl'), 'utf8').split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as InstanceInfo)
    .map((i) => [i.instanceType, Math.min(i.defaultMaxENIs * (i.ipv4AddressesPerInterface - 1) + 2, MANAGED_NODE_GROUP_CEILING)]));
  return maxPods.get(instanceType);
}
