#!/usr/bin/env node
import { Command, CliIo, EXIT_USAGE, processIo, reportError } from './cli-io';

/** Each command is loaded on demand, so `policy` never pays for what `local` needs. */
const COMMANDS: Record<string, { readonly summary: string; readonly load: () => Promise<Command> }> = {
  policy: {
    summary: 'compare a controller IAM policy with the official one (diff), or print the official one (show)',
    // require, not import(): this package is CommonJS, and jest resolves only extension-less paths to .ts.
    load: async () => (require('./commands/policy') as typeof import('./commands/policy.js')).policyCommand,
  },
  probe: {
    summary: 'measure each deployed mode and compare what the pods saw with the path model',
    load: async () => (require('./commands/probe') as typeof import('./commands/probe.js')).probe,
  },
  manifests: {
    summary: 'write the TargetGroupBinding lab as YAML with the target groups of a deployed TgbLab, or your own (tgb)',
    load: async () => (require('./commands/manifests') as typeof import('./commands/manifests.js')).manifests,
  },
  doctor: {
    summary: 'say what keeps the controller\'s load balancers from working on a cluster: IAM, subnets, webhook, events',
    load: async () => (require('./commands/doctor') as typeof import('./commands/doctor.js')).doctor,
  },
  local: {
    summary: 'build both data paths in network namespaces on this host (root, no AWS), probe and compare with the model',
    load: async () => (require('./commands/local') as typeof import('./commands/local')).local,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return ['Usage: eks-lb-lab <command> [options]', '', 'Commands:', ...lines, '',
    'Run `eks-lb-lab <command> --help` for a command\'s options.', ''].join('\n');
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.stderr(`eks-lb-lab: unknown command '${name}'; use one of: ${Object.keys(COMMANDS).join(', ')}.\n`);
    return EXIT_USAGE;
  }
  try {
    return await (await command.load())(rest, io);
  } catch (error) {
    return reportError(`eks-lb-lab ${name}`, error, io);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
