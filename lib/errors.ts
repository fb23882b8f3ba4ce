import { IConstruct } from 'constructs';

/**
 * A configuration that cannot produce a working template.
 *
 * The message names the input, the value it got and how to fix it; the construct path says where.
 */
export class LabValidationError extends Error {
  /** Path of the construct whose input was rejected. */
  public readonly constructPath: string;

  constructor(scope: IConstruct, message: string) {
    super(`${scope.node.path || '<root>'}: ${message}`);
    this.name = 'LabValidationError';
    this.constructPath = scope.node.path;
  }
}
