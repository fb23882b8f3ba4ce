import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { LabValidationError } from '../errors';
import { show } from './validate';

const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;

/** Throws unless `value` is a valid EKS cluster name (1-100 characters, letter or digit first). */
export function requireClusterName(scope: IConstruct, prop: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  if (value.length < 1 || value.length > 100 || !EKS_CLUSTER_NAME.test(value)) {
    throw new LabValidationError(scope, prop, `must be an EKS cluster name: 1 to 100 letters, digits, '-' or '_', ` +
      `starting with a letter or digit; got ${show(value)}. Use a name such as 'eks-lb-lab'.`);
  }
}

/** An EC2 instance type identifier as aws-cdk-lib parses it: family, generation, attributes, size. */
export const INSTANCE_TYPE_ID = /^[a-z]+\d{1,2}[a-z-]*\.[a-z0-9-]+$/;

const INSTANCE_CLASSES = new Set<string>(Object.values(ec2.InstanceClass));
const INSTANCE_SIZES = new Set<string>(Object.values(ec2.InstanceSize));

/**
 * Throws unless the class and size of `type` are ones aws-cdk-lib's EC2 tables know (`t3` and `medium`): a type that only
 * looks like one (`t3.mediun`) would fail at deploy, after the VPC and the control plane.
 */
export function requireKnownInstanceType(scope: IConstruct, type: string): void {
  if (Token.isUnresolved(type)) return;
  const [family, size] = type.split('.');
  if (!INSTANCE_CLASSES.has(family) || !INSTANCE_SIZES.has(size)) {
    const which = !INSTANCE_CLASSES.has(family) ? `the class '${family}'` : `the size '${size}'`;
    throw new LabValidationError(scope, 'nodeInstanceType', `must be an EC2 instance type, but ${which} is not one EC2 has ` +
      `(as aws-cdk-lib knows them); got ${show(type)}. Check the spelling, e.g. 't3.medium' or 'm7g.large'.`);
  }
}
