import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const made: string[] = [];

// Registered once per test file (jest loads this module afresh for each): what a file made goes with it.
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder under the system temp folder, removed after the test file that asked for it. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
