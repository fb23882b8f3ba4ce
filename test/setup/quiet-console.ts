/**
 * A passing run prints nothing but jest's own lines. aws-cdk-lib prints its validation report (the warnings that
 * tests assert through `Annotations`) at every synth of a construct that warns; that report is dropped. Anything
 * else written to the console, in a test or in a hook before it, fails that test.
 */
import { inspect } from 'util';

const CDK_REPORT = /A copy of this report can be found in: /;
let unexpected: string[] = [];

for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  console[method] = (...args: unknown[]) => {
    const text = args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ');
    if (!CDK_REPORT.test(text)) unexpected.push(`console.${method}: ${text}`);
  };
}

/** What was written to the console since the last call, and forget it (for the guard's own test). */
export function takeUnexpected(): string[] {
  const seen = unexpected;
  unexpected = [];
  return seen;
}

afterEach(() => {
  const seen = takeUnexpected();
  if (seen.length > 0) throw new Error(`the test wrote to the console:\n${seen.join('\n').slice(0, 2000)}`);
});
