import { LabValidationError, UserError } from '../lib/errors';
/** Where a command writes and what it reads from its surroundings; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
}

/** A command's signature: arguments after the command name in, exit code out. */
export type Command = (args: readonly string[], io: CliIo) => Promise<number>;

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** The command ran and found a difference (missing actions, model mismatch). */
export const EXIT_FINDING = 1;
/** The command could not run: bad arguments, unreadable input, missing privilege. */
export const EXIT_USAGE = 2;

/** The user's to fix: printed as one line, no stack trace. */
export class CliError extends UserError {
  constructor(message: string, readonly exitCode: number = EXIT_USAGE) {
    super(message);
  }
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
};

/** Set to 1 to print the stack trace of an unexpected error. */
export const DEBUG_ENV = 'EKS_LB_LAB_DEBUG';

/**
 * Reports an error that ended a command, in one line under `prefix`, and returns the exit code: a user's mistake
 * (the {@link UserError} family, a setting named by its context key) as its message, exit 2 or the CliError's own
 * code; anything else as a bug, with where to find the detail.
 */
export function reportError(prefix: string, error: unknown, io: CliIo): number {
  if (error instanceof UserError) {
    // Loaded only here: a construct's refusal of a lab setting is named by its context key.
    const named = error instanceof LabValidationError
      ? (require('../lab-stacks/settings') as typeof import('../lab-stacks/settings')).settingsMessage(error) : undefined;
    io.stderr(`${prefix}: ${named ?? error.message}\n`);
    return error instanceof CliError ? error.exitCode : EXIT_USAGE;
  }
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  io.stderr(`${prefix}: unexpected error (a bug in eks-lb-lab): ${first}. ` +
    (io.env[DEBUG_ENV] === '1' ? `\n${(error as Error)?.stack ?? ''}\n` : `Run again with ${DEBUG_ENV}=1 for the stack trace.\n`));
  return EXIT_USAGE;
}
