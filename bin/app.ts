#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { absentStacksNote, createLab } from '../lab-stacks/lab-app';
import { readLabSettings, readNag } from '../lab-stacks/settings';
import { processIo, reportError } from './cli-io';

const app = new App();
try {
  const settings = readLabSettings(app.node);
  createLab(app, settings);
  const note = absentStacksNote(settings);
  if (note) processIo.stderr(`eks-lb-lab: ${note}\n`);
  if (readNag(app.node)) {
    // Loaded only when asked for, so a plain synth does not pay for it.
    const { AwsSolutionsChecks } = require('cdk-nag') as typeof import('cdk-nag');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
} catch (error) {
  // One line, no stack trace: a bad setting under the context key that carried it, anything else as a bug.
  reportError('eks-lb-lab', error, processIo);
  process.exit(1);
}
