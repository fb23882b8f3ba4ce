import { Token } from 'aws-cdk-lib';
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
