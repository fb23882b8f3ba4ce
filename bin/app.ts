#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { LabValidationError } from '../lib';
import { createLab } from '../lab-stacks/lab-app';
import { ContextError, readLabSettings } from './settings';

const app = new App();
try {
  createLab(app, readLabSettings(app.node));
} catch (error) {
  // A bad setting is the user's to fix: one line, no stack trace.
  if (error instanceof LabValidationError || error instanceof ContextError) {
    process.stderr.write(`eks-lb-lab: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
