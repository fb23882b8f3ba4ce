import { IConstruct } from 'constructs';

/**
 * Something the user can fix: a bad input, a stack that is not deployed, an endpoint that does not answer. Entry
 * points print its message as one line, without a stack trace; anything else is a bug in eks-lb-lab.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A configuration that cannot produce a working template.
 *
 * The message is `<construct path>: '<prop>' <detail>`: the input, what is wrong with the value it got, and how to
 * fix it. An app that took the value from elsewhere (cdk context, a flag) can name that instead, from `prop` and
 * `detail`, without rewriting the text.
 */
export class LabValidationError extends UserError {
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
    this.constructPath = scope.node.path;
    this.construct = scope;
    this.prop = prop;
    this.detail = detail;
  }
}
