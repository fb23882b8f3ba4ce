// Every temp folder of the run, the tests' own and those of the CLIs they start (cdk, tsx), is made under one
// folder of the run's; the teardown fails the run if a test left anything there, then removes the folder.
const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-lb-lab-test-'));
  process.env.EKS_LB_LAB_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
  // The CDK CLIs the tests start send no telemetry and look for no newer version (cdk.json turns off the rest).
  process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
  process.env.CDK_DISABLE_VERSION_CHECK = '1';
};
