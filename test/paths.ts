import * as path from 'path';

/** The repository's root folder, for tests that read its files or run its commands. */
export const ROOT = path.resolve(__dirname, '..');
