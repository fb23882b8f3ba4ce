#!/usr/bin/env node
// `npm run manifests`: writes the lab's Kubernetes objects and the controller's Helm values to manifests/.
import * as fs from 'fs';
import * as path from 'path';
import { MANIFESTS_DIR, renderManifests } from '../lab-stacks/manifests';

for (const [file, text] of Object.entries(renderManifests())) {
  fs.writeFileSync(path.join(MANIFESTS_DIR, file), text);
  process.stdout.write(`wrote manifests/${file}\n`);
}
