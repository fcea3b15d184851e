import { NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TaskFlowConfig } from '../config';
import { connectionOptions } from '../config';
import { bundleFlows } from './bundle';
import { loadActivities } from './activities';
import { autoHeartbeat } from './heartbeat';
import { serveHealth, type HealthServer } from './health';

export { bundleFlows } from './bundle';
export { loadActivities } from './activities';
export { autoHeartbeat, autoHeartbeatInterval } from './heartbeat';
export { serveHealth, type HealthServer } from './health';
export { installWorkerRuntime, workerRuntimeOptions } from './telemetry';

export interface FlowWorkerOptions {
  config: TaskFlowConfig;
  /** Reuse a connection (tests, `taskflow dev`); otherwise one is opened from the config and closed on shutdown. */
  connection?: NativeConnection;
  /** Reuse a bundle built once (tests); otherwise the workflows folder is bundled now. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  activities?: Record<string, (...args: any[]) => unknown>;
}

/**
 * The TaskFlow worker: every flow and task of the project on the configured task queue. Any number
 * of them may poll one task queue; the server hands each task to one of them. With `worker.health`
 * set, `/healthz` is served while the worker runs.
 */
export async function createFlowWorker(options: FlowWorkerOptions): Promise<Worker> {
  const { config } = options;
  const ownConnection = options.connection ? undefined : await NativeConnection.connect(connectionOptions(config));
  const connection = options.connection ?? ownConnection!;
  const tuning = config.worker;
  let worker: Worker | undefined;
  let health: HealthServer | undefined;
  try {
    const about = { namespace: config.connection.namespace, taskQueue: config.taskQueue };
    if (tuning.health) health = await serveHealth(() => worker?.getState() ?? 'INITIALIZED', tuning.health, about);
    worker = await Worker.create({
      connection,
      namespace: config.connection.namespace,
      taskQueue: config.taskQueue,
      workflowBundle: options.workflowBundle ?? (await bundleFlows()),
      activities: options.activities ?? loadActivities(),
      maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivityTaskExecutions,
      maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTaskExecutions,
      maxCachedWorkflows: tuning.maxCachedWorkflows,
      shutdownGraceTime: tuning.shutdownGraceTime,
      maxHeartbeatThrottleInterval: tuning.maxHeartbeatThrottleInterval,
      interceptors: tuning.autoHeartbeat ? { activity: [autoHeartbeat] } : {},
    });
    closeWhenDone(worker, ownConnection, health);
    return worker;
  } catch (err) {
    await health?.close();
    await ownConnection?.close();
    throw err;
  }
}

/** Releases what the worker owns (its own connection, the health server) once `run()` ends. */
function closeWhenDone(worker: Worker, connection: NativeConnection | undefined, health: HealthServer | undefined): void {
  if (!connection && !health) return;
  const run = worker.run.bind(worker);
  worker.run = async () => {
    try {
      await run();
    } finally {
      await health?.close();
      await connection?.close();
    }
  };
}
