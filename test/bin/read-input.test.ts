import * as fs from 'fs';
import * as path from 'path';
import { readInputFile } from '../../bin/read-input';
import { tempDir } from '../temp';

describe('reading an input file with a bound', () => {
  let dir: string;
  beforeAll(() => { dir = tempDir('eks-lb-lab-read-'); });

  test('a file within the bound is read whole, multi-byte characters across chunks intact', () => {
    const text = `${'é'.repeat(70_000)}\n`;
    fs.writeFileSync(path.join(dir, 'ok.json'), text);
    expect(readInputFile('ok.json', path.join(dir, 'ok.json'), 1024 * 1024, 'policy document')).toBe(text);
  });

  test('a device that never ends stops at the bound in one line', () => {
    expect(() => readInputFile('/dev/zero', '/dev/zero', 1024 * 1024, 'policy document'))
      .toThrow('cannot read /dev/zero: it holds more than 1 MiB, far more than any policy document; give the policy document itself.');
  });

  test('a missing file and a folder are named with the reason', () => {
    expect(() => readInputFile('nope.json', path.join(dir, 'nope.json'), 1024, 'policy document'))
      .toThrow('cannot read nope.json: no such file (ENOENT).');
    expect(() => readInputFile('.', dir, 1024, 'policy document')).toThrow('cannot read .: it is a directory, not a file (EISDIR).');
  });
});
