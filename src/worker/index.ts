import { NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TaskFlowConfig } from '../config';
import { connectionOptions } from '../config';
import { bundleFlows } from './bundle';
import { loadActivities } from './activities';

export { bundleFlows } from './bundle';
export { loadActivities } from './activities';

export interface FlowWorkerOptions {
  config: TaskFlowConfig;
  /** Reuse a connection (tests, `taskflow dev`); otherwise one is opened from the config and closed on shutdown. */
  connection?: NativeConnection;
  /** Reuse a bundle built once (tests); otherwise the workflows folder is bundled now. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  activities?: Record<string, (...args: any[]) => unknown>;
}

/** The TaskFlow worker: every flow and task of the project on the configured task queue. */
export async function createFlowWorker(options: FlowWorkerOptions): Promise<Worker> {
  const { config } = options;
  const ownConnection = options.connection ? undefined : await NativeConnection.connect(connectionOptions(config));
  const connection = options.connection ?? ownConnection!;
  try {
    const tuning = config.worker;
    const worker = await Worker.create({
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
    });
    if (ownConnection) closeWhenDone(worker, ownConnection);
    return worker;
  } catch (err) {
    await ownConnection?.close();
    throw err;
  }
}

function closeWhenDone(worker: Worker, connection: NativeConnection): void {
  const run = worker.run.bind(worker);
  worker.run = async () => {
    try {
      await run();
    } finally {
      await connection.close();
    }
  };
}
