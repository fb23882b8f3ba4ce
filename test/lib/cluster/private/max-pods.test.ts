import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { vpcCniMaxPods } from '../../../../lib/cluster/private/max-pods';
import { ROOT } from '../../../paths';

const DIR = path.join(ROOT, 'lib', 'cluster', 'private', 'eks-ami');

test('the instance table is the file awslabs/amazon-eks-ami publishes (nodeadm/internal/kubelet, commit 4d63a3b), with its licence', () => {
  const sha = (file: string) => createHash('sha256').update(fs.readFileSync(path.join(DIR, file))).digest('hex');
  expect(sha('instance-info.jsonl')).toBe('e185ed2e9b3e4b44bbe9210f3729267232162ccec1065a3aed475c3b5f0cbdc3');
  expect(sha('LICENSE')).toBe('a779a88a8d8bd5013120a5ef4351bfd966c41299cdca4d260487be409e3d4119');
});

test.each([
  // EKS's published max-pods figures for these types.
  ['t3.medium', 17], ['t3.small', 11], ['m5.large', 29], ['m5.xlarge', 58], ['c5.4xlarge', 234],
  // More addresses than a managed node group lets a node use.
  ['m5.24xlarge', 250],
])('%s takes %i pods', (type, pods) => {
  expect(vpcCniMaxPods(type)).toBe(pods);
});

test('a type the table lacks has no figure', () => {
  expect(vpcCniMaxPods('t3.mediun')).toBeUndefined();
});
