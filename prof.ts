import { App } from 'aws-cdk-lib';
const t0 = Date.now();
import('./lab-stacks/lab-app').then(({ createLab }) => import('./bin/settings').then(({ readLabSettings }) => {
  const t1 = Date.now();
  const app = new App({ outdir: '/tmp/o2', context: JSON.parse(process.env.CTX || '{}') });
  createLab(app, readLabSettings(app.node, {}));
  const t2 = Date.now();
  app.synth();
  const t3 = Date.now();
  console.log({ imports: t1 - t0, construct: t2 - t1, synth: t3 - t2 });
}));
