#!/usr/bin/env node
// `npm run manifests`: writes the lab's Kubernetes objects and the controller's Helm values to manifests/.
import * as path from 'path';
import { MANIFESTS_DIR, renderManifests } from '../lab-stacks/manifests';
import { writeOutputFile } from './write-output';

for (const [file, text] of Object.entries(renderManifests())) {
  try {
    // Each file whole or not at all: a failed run leaves the committed manifests as they were.
    writeOutputFile(`manifests/${file}`, path.join(MANIFESTS_DIR, file), text);
  } catch (error) {
    process.stderr.write(`npm run manifests: ${(error as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(`wrote manifests/${file}\n`);
}
