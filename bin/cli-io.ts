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
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_USAGE) {
    super(message);
    this.name = 'CliError';
  }
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
};
