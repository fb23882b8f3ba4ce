import * as fs from 'fs';
import { CliError } from './cli-io';

/** Why a file cannot be read, in words, with the error code for searching. */
export function readFailure(error: NodeJS.ErrnoException): string {
  const words = new Map([
    ['ENOENT', 'no such file'], ['EACCES', 'permission denied'], ['EPERM', 'permission denied'],
    ['EISDIR', 'it is a directory, not a file'], ['ENOTDIR', 'a part of the path is not a directory'],
    ['ELOOP', 'too many symbolic links'], ['ENAMETOOLONG', 'the name is too long'], ['EMFILE', 'too many open files'],
  ]).get(error.code ?? '');
  if (words) return `${words} (${error.code})`;
  return error.code ? `${error.message.split('\n')[0]}` : error.message;
}

/**
 * Reads `file` as UTF-8, at most `limit` bytes: a larger file, or a device that never ends (`/dev/zero`), stops at the
 * limit with one line naming `shown` (the path the user typed) instead of filling memory.
 */
export function readInputFile(shown: string, file: string, limit: number, what: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    throw new CliError(`cannot read ${shown}: ${readFailure(error as NodeJS.ErrnoException)}.`);
  }
  try {
    const chunks: Buffer[] = [];
    const chunk = Buffer.alloc(64 * 1024);
    let total = 0;
    for (let n = fs.readSync(fd, chunk); n > 0; n = fs.readSync(fd, chunk)) {
      total += n;
      if (total > limit) {
        throw new CliError(`cannot read ${shown}: it holds more than ${limit / 1024 / 1024} MiB, far more than any ${what}; ` +
          `give the ${what} itself.`);
      }
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${shown}: ${readFailure(error as NodeJS.ErrnoException)}.`);
  } finally {
    fs.closeSync(fd);
  }
}
