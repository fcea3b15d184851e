import { Command, Option } from 'clipanion';

export class WorkerCommand extends Command {
  static override paths = [['worker']];

  static override usage = Command.Usage({
    description: 'Run the TaskFlow worker for the configured task queue',
    details: `
      Connects to \`connection.address\` (temporal.yaml, or \`TEMPORAL_ADDRESS\` and the other TEMPORAL_*
      variables), registers the flows' search attributes on the namespace, and runs every flow and task
      of the project on \`taskQueue\` until SIGINT or SIGTERM. Running tasks then get
      \`worker.shutdownGraceTime\` to finish; a second signal stops at once.

      Use it against a server you run yourself; \`taskflow dev\` also starts a local one.
      With \`--json\`, a line \`{ok, address, namespace, taskQueue}\` is printed once the worker runs.
    `,
    examples: [
      ['Run the worker', '$0 worker'],
      ['Against Temporal Cloud', 'TEMPORAL_ADDRESS=ns.acct.tmprl.cloud:7233 TEMPORAL_NAMESPACE=ns.acct TEMPORAL_API_KEY=... $0 worker'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'Print {ok, address, namespace, taskQueue} once running' });

  async execute(): Promise<number> {
    const { stdout, stderr } = this.context;
    const notify = (line: string) => stderr.write(`${line}\n`);
    const { handleShutdownSignals, runWorkerUntil } = await import('../shutdown');
    const shutdown = handleShutdownSignals(notify, () => undefined);
    try {
      const { loadConfig } = await import('../../config');
      const { prepareNamespace } = await import('../../server');
      const config = loadConfig();
      const { address, namespace } = config.connection;

      await prepareNamespace(config);
      const { createFlowWorker } = await import('../../worker');
      const worker = await createFlowWorker({ config });
      const running = runWorkerUntil(worker, shutdown.signal);

      const ready = { ok: true, address, namespace, taskQueue: config.taskQueue };
      if (this.json) stdout.write(`${JSON.stringify(ready)}\n`);
      else stdout.write(`Worker running on task queue ${config.taskQueue} (namespace ${namespace} at ${address}); Ctrl-C stops it.\n`);

      await running;
      notify('Worker stopped.');
      return 0;
    } catch (err) {
      const { renderError } = await import('../errors');
      return renderError(err, { json: this.json, stdout, stderr });
    } finally {
      shutdown.dispose();
    }
  }
}
