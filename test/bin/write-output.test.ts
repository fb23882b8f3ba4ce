import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../bin/cli';
import { CliError } from '../../bin/cli-io';
import { WriteFs, checkOutputPath, writeFileAtomic, writeOutputFile } from '../../bin/write-output';
import { tempDir } from '../temp';

/** The real fs, except that writes stop after `bytes` bytes with ENOSPC, as on a full disk. */
function fullDisk(bytes: number): WriteFs {
  return {
    existsSync: fs.existsSync, statSync: fs.statSync, renameSync: fs.renameSync, rmSync: fs.rmSync,
    writeFileSync: (file, data, options) => {
      fs.writeFileSync(file, data.slice(0, bytes), options);
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: 'ENOSPC' });
    },
  };
}

describe('writeFileAtomic', () => {
  test('a failing write leaves an existing file untouched and no temporary file behind', () => {
    const dir = tempDir('write-');
    const file = path.join(dir, 'report.md');
    fs.writeFileSync(file, 'the report of yesterday\n');
    expect(() => writeFileAtomic(file, 'x'.repeat(10_000), fullDisk(100))).toThrow(/ENOSPC/);
    expect(fs.readFileSync(file, 'utf8')).toBe('the report of yesterday\n');
    expect(fs.readdirSync(dir)).toEqual(['report.md']);
  });

  test('a successful write replaces the file whole and keeps its mode', () => {
    const dir = tempDir('write-');
    const file = path.join(dir, 'out.yaml');
    fs.writeFileSync(file, 'old', { mode: 0o600 });
    writeFileAtomic(file, 'new\n');
    expect([fs.readFileSync(file, 'utf8'), fs.statSync(file).mode & 0o777]).toEqual(['new\n', 0o600]);
    writeFileAtomic(path.join(dir, 'fresh.yaml'), 'a');
    expect(fs.statSync(path.join(dir, 'fresh.yaml')).mode & 0o777).toBe(0o644);
    expect(fs.readdirSync(dir).sort()).toEqual(['fresh.yaml', 'out.yaml']);
  });
});

describe('writeOutputFile', () => {
  test('a failed write is one line naming the path and saying the file is unchanged', () => {
    const dir = tempDir('write-');
    const file = path.join(dir, 'report.md');
    fs.writeFileSync(file, 'kept');
    let message = '';
    try {
      writeOutputFile('report.md', file, 'new', fullDisk(1));
    } catch (error) {
      expect(error).toBeInstanceOf(CliError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/^cannot write report\.md: ENOSPC: no space left on device, write '.+\.tmp'; the file is unchanged\.$/);
    expect([fs.readFileSync(file, 'utf8'), fs.readdirSync(dir)]).toEqual(['kept', ['report.md']]);
  });

  test('a missing folder or a directory is refused in one line naming the path', () => {
    const dir = tempDir('write-');
    expect(() => checkOutputPath('out/r.md', path.join(dir, 'out', 'r.md'))).toThrow(new CliError(
      `cannot write out/r.md: the folder ${path.join(dir, 'out')} does not exist; create it or write elsewhere.`));
    expect(() => checkOutputPath('.', dir)).toThrow(new CliError('cannot write .: it is a directory; give a file name.'));
  });
});

describe('eks-lb-lab local --markdown', () => {
  test('a folder that does not exist is refused in one line before anything runs', async () => {
    const dir = tempDir('local-');
    let stderr = '';
    const code = await main(['local', '--markdown', 'missing/local.md'], { stdout: () => undefined, stderr: (t) => { stderr += t; }, env: {}, cwd: dir });
    expect([code, stderr]).toEqual([2,
      `eks-lb-lab local: cannot write missing/local.md: the folder ${path.join(dir, 'missing')} does not exist; create it or write elsewhere.\n`]);
  });
});
