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

      Run it as many times as you like (on one machine or many): every worker polls the same task
      queue and the server hands each task to one of them; a task whose worker dies is retried on
      another once its heartbeat timeout passes. \`worker.metrics.prometheus\` serves Prometheus metrics
      at /metrics and \`worker.health\` serves GET /healthz (200 while the worker runs).

      Use it against a server you run yourself; \`taskflow dev\` also starts a local one.
      With \`--json\`, a line \`{ok, address, namespace, taskQueue, metrics, health}\` is printed once the worker runs.
    `,
    examples: [
      ['Run the worker', '$0 worker'],
      ['Against Temporal Cloud', 'TEMPORAL_ADDRESS=ns.acct.tmprl.cloud:7233 TEMPORAL_NAMESPACE=ns.acct TEMPORAL_API_KEY=... $0 worker'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'Print {ok, address, namespace, taskQueue, metrics, health} once running' });

  async execute(): Promise<number> {
    const { stdout, stderr } = this.context;
    const notify = (line: string) => stderr.write(`${line}\n`);
    const { handleShutdownSignals, serveFlows } = await import('../shutdown');
    const shutdown = handleShutdownSignals(notify, () => undefined);
    try {
      const { loadConfig } = await import('../../config');
      const config = loadConfig();
      const { address, namespace } = config.connection;
      // Before anything opens a connection: the SDK runtime is created once, with the metrics exporter.
      (await import('../../worker/telemetry')).installWorkerRuntime(config);
      await serveFlows(config, shutdown.signal, () => {
        const { metrics, health } = config.worker;
        const ready = { ok: true, address, namespace, taskQueue: config.taskQueue, metrics: metrics.prometheus, health };
        if (this.json) stdout.write(`${JSON.stringify(ready)}\n`);
        else stdout.write(`Worker running on task queue ${config.taskQueue} (namespace ${namespace} at ${address}); Ctrl-C stops it.\n`);
      });
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
