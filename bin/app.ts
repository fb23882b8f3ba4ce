#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { createLab } from '../lab-stacks/lab-app';
import { readLabSettings, readNag, settingsMessage } from '../lab-stacks/settings';

const app = new App();
try {
  createLab(app, readLabSettings(app.node));
  if (readNag(app.node)) {
    // Loaded only when asked for, so a plain synth does not pay for it.
    const { AwsSolutionsChecks } = require('cdk-nag') as typeof import('cdk-nag');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
} catch (error) {
  // A bad setting is the user's to fix: one line, no stack trace, under the context key that carried it.
  const message = settingsMessage(error);
  if (message === undefined) throw error;
  process.stderr.write(`eks-lb-lab: ${message}\n`);
  process.exit(1);
}
