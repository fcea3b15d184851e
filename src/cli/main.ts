import * as fs from 'node:fs';
import * as path from 'node:path';
import { Builtins, Cli, type BaseContext, type Command } from 'clipanion';
import { flowCommands } from './commands';
import { DevCommand } from './commands/dev';
import { ServerInstallCommand } from './commands/server/install';
import { WorkerCommand } from './commands/worker';
import { renderError } from './errors';

// Command modules import only clipanion and types at load time; each loads what it needs in execute(),
// so `flow list` never pays for @temporalio/worker.
export function buildCli(enableColors = Boolean(process.stdout.isTTY)): Cli {
  const cli = new Cli({ binaryName: 'taskflow', binaryLabel: 'TaskFlow', binaryVersion: packageVersion(), enableColors });
  for (const command of [DevCommand, WorkerCommand, ServerInstallCommand, ...flowCommands]) cli.register(command);
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  return cli;
}

/** Runs the command line `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], context: BaseContext = Cli.defaultContext): Promise<number> {
  endQuietlyOnBrokenPipe(context.stdout);
  endQuietlyOnBrokenPipe(context.stderr);
  const cli = buildCli(Boolean((context.stdout as { isTTY?: boolean }).isTTY));
  let command: Command;
  try {
    command = cli.process(argv, context);
  } catch (err) {
    // clipanion would print these to stdout with exit 1; they are usage errors (stderr, or JSON, exit 2).
    return renderError(err, { json: argv.includes('--json'), stdout: context.stdout, stderr: context.stderr });
  }
  if (command.help) {
    context.stdout.write(cli.usage(command, { detailed: true, colored: cli.enableColors }));
    return 0;
  }
  // What Cli.run does for a processed command, minus its own error printing.
  command.context = context;
  command.cli = {
    binaryLabel: cli.binaryLabel,
    binaryName: cli.binaryName,
    binaryVersion: cli.binaryVersion,
    enableCapture: cli.enableCapture,
    enableColors: cli.enableColors,
    definitions: () => cli.definitions(),
    error: (error, opts) => cli.error(error, opts),
    format: (colored) => cli.format(colored),
    process: (input, subContext) => cli.process(input, { ...context, ...subContext }),
    run: (input, subContext) => cli.run(input, { ...context, ...subContext }),
    usage: (target, opts) => cli.usage(target, opts),
  };
  const json = (command as { json?: unknown }).json === true || argv.includes('--json');
  try {
    return (await command.validateAndExecute()) ?? 0;
  } catch (err) {
    return renderError(err, { json, stdout: context.stdout, stderr: context.stderr });
  }
}

/**
 * `taskflow … | head -1`: once the reader has gone, nothing more can be said, and that is not a
 * failure of the command; end at once with exit 0 instead of crashing on `write EPIPE`.
 */
export function endQuietlyOnBrokenPipe(stream: NodeJS.WritableStream): void {
  if (typeof stream.on !== 'function' || stream.listenerCount('error') > 0) return;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

function packageVersion(): string | undefined {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version;
  }
  return undefined;
}


/**
 * Loads the modules the flow and task commands use, without running one: the CLI bundle's build
 * calls it so that the code cache it writes covers them.
 */
export async function loadFlowCommandModules(): Promise<void> {
  await Promise.all([import('../config'), import('../client/flow-client'), import('../client/tasks'), import('./errors'), import('./render/flows')]);
}
