import { IConstruct } from 'constructs';

/**
 * A configuration that cannot produce a working template.
 *
 * The message is `<construct path>: '<prop>' <detail>`: the input, what is wrong with the value it got, and how to
 * fix it. An app that took the value from elsewhere (cdk context, a flag) can name that instead, from `prop` and
 * `detail`, without rewriting the text.
 */
export class LabValidationError extends Error {
  /** Path of the construct whose input was rejected. */
  public readonly constructPath: string;

  /** The construct whose input was rejected. */
  public readonly construct: IConstruct;

  /** The rejected prop, e.g. `nodeCount` or `inboundCidrs[1]`. */
  public readonly prop: string;

  /** The problem, the value and the fix: the message after the prop. */
  public readonly detail: string;

  constructor(scope: IConstruct, prop: string, detail: string) {
    super(`${scope.node.path || '<root>'}: '${prop}' ${detail}`);
    this.name = 'LabValidationError';
    this.constructPath = scope.node.path;
    this.construct = scope;
    this.prop = prop;
    this.detail = detail;
  }
}
