import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CliError } from './cli-io';

/** The parts of `fs` a write uses; tests pass one that fails. */
export interface WriteFs {
  readonly writeFileSync: (file: string, data: string, options: { flag: string; mode: number }) => void;
  readonly renameSync: (from: string, to: string) => void;
  readonly rmSync: (file: string, options: { force: boolean }) => void;
  readonly statSync: (file: string) => { mode: number; isDirectory(): boolean };
  readonly existsSync: (file: string) => boolean;
}

/**
 * Writes `text` to `file` all or nothing: into a new temporary file in the same folder, then renamed over `file`,
 * so a reader never sees half a file and a failed write leaves an existing `file` as it was. An existing file keeps
 * its permission bits.
 */
export function writeFileAtomic(file: string, text: string, io: WriteFs = fs): void {
  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const mode = io.existsSync(target) ? io.statSync(target).mode & 0o7777 : 0o644;
  try {
    io.writeFileSync(temp, text, { flag: 'wx', mode });
    io.renameSync(temp, target);
  } catch (error) {
    io.rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * {@link writeFileAtomic} for a command's output file, as `shown` (the path the user typed): a missing folder or
 * another failure is one line naming the path.
 */
export function writeOutputFile(shown: string, file: string, text: string, io: WriteFs = fs): void {
  checkOutputPath(shown, file, io);
  try {
    writeFileAtomic(file, text, io);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new CliError(`cannot write ${shown}: ${e.message.split('\n')[0]}; ${io.existsSync(file) ? 'the file is unchanged' : 'nothing was written'}.`);
  }
}

/** Throws the one line {@link writeOutputFile} would for a missing folder or a directory: for a check before long work. */
export function checkOutputPath(shown: string, file: string, io: Pick<WriteFs, 'existsSync' | 'statSync'> = fs): void {
  const folder = path.dirname(path.resolve(file));
  if (!io.existsSync(folder) || !io.statSync(folder).isDirectory()) {
    throw new CliError(`cannot write ${shown}: the folder ${folder} does not exist; create it or write elsewhere.`);
  }
  if (io.existsSync(file) && io.statSync(file).isDirectory()) {
    throw new CliError(`cannot write ${shown}: it is a directory; give a file name.`);
  }
}
