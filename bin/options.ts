import { ParseArgsConfig, parseArgs } from 'util';
import { CliError } from './cli-io';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments with Node's `util.parseArgs` (strict: unknown options and missing values are errors);
 * a problem is one line naming it and where the help is.
 */
export function parseOptions<O extends Options>(command: string, args: readonly string[], options: O, positionals = false) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: positionals, strict: true });
  } catch (error) {
    // Node's message runs on with advice about '--'; its first sentence names the problem.
    throw new CliError(`${(error as Error).message.split(/\.\s/)[0].replace(/\.$/, '')}. Run \`eks-lb-lab ${command} --help\`.`);
  }
}

/** A whole number from `flag`'s text, from 1 to `max` (work stays bounded); `fallback` when the flag is absent. */
export function wholeNumber(flag: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new CliError(`${flag} must be a whole number of at least 1; got '${value}'.`);
  if (Number(value) > max) throw new CliError(`${flag} must be at most ${max.toLocaleString('en-US')}; got '${value}'.`);
  return Number(value);
}

/** `--zone-price`: US dollars per GB in each direction, 0 to 1; `fallback` when the flag is absent. */
export function zonePrice(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 1)) {
    throw new CliError(`--zone-price takes US dollars per GB in each direction, from 0 to 1; got '${value}'. ` +
      `Use ${fallback}, the price in most regions.`);
  }
  return n;
}

/** `-c key=value` pairs as a record, as the CDK CLI takes them. */
export function contextPairs(flag: string, pairs: readonly string[]): Record<string, string> {
  const context: Record<string, string> = Object.create(null);
  for (const kv of pairs) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new CliError(`${flag} takes key=value, e.g. -c replicas=1; got '${kv}'.`);
    // A plain object cannot hold this key, so it would vanish between here and the settings.
    if (kv.slice(0, eq) === '__proto__') throw new CliError(`${flag} __proto__ is not a setting of the lab; got '${kv}'. Drop it.`);
    context[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return context;
}

/** Requests per mode and in flight at most: enough for any measurement, and a bound on the work one flag can ask for. */
export const MAX_REQUESTS = 1_000_000;
export const MAX_CONCURRENCY = 1_000;

/** The disruption load: requests per second and seconds of window at most, and requests in all (rate × window). */
export const MAX_RATE = 1_000;
export const MAX_WINDOW_SECONDS = 3_600;
