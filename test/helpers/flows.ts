import { randomUUID } from 'node:crypto';
import { DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { parseConfig, type TaskFlowConfig } from '../../src/config';
import { FlowClient } from '../../src/client';
import { bundleFlows, createFlowWorker, loadActivities } from '../../src/worker';
import { projectPaths } from '../../src/project/paths';

/** The test server global set-up started, and a fresh task queue so test files never share work. */
export function flowTestConfig(overrides: Partial<TaskFlowConfig> = {}): TaskFlowConfig {
  const base = parseConfig('');
  return {
    ...base,
    connection: {
      ...base.connection,
      address: process.env.TASKFLOW_TEST_ADDRESS ?? '127.0.0.1:7233',
      namespace: process.env.TASKFLOW_TEST_NAMESPACE ?? 'default',
    },
    taskQueue: `test-${randomUUID()}`,
    ...overrides,
  };
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
let runtimeInstalled = false;

export interface FlowTestEnv {
  config: TaskFlowConfig;
  client: FlowClient;
  /** Starts (or restarts) the worker on this env's task queue. */
  startWorker(activities?: Record<string, (...args: any[]) => unknown>): Promise<Worker>;
  stopWorker(): Promise<void>;
  teardown(): Promise<void>;
}

/** A FlowClient and a worker for the project's flows, on the shared test server. */
export async function flowTestEnv(overrides: Partial<TaskFlowConfig> = {}): Promise<FlowTestEnv> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const config = flowTestConfig(overrides);
  const client = await FlowClient.connect(config);
  const connection = await NativeConnection.connect({ address: config.connection.address });
  bundle ??= bundleFlows(projectPaths.workflowsDir);
  let running: { worker: Worker; done: Promise<void> } | undefined;

  const env: FlowTestEnv = {
    config,
    client,
    async startWorker(activities) {
      const worker = await createFlowWorker({ config, connection, workflowBundle: await bundle, activities: activities ?? loadActivities() });
      running = { worker, done: worker.run() };
      return worker;
    },
    async stopWorker() {
      if (!running) return;
      const { worker, done } = running;
      running = undefined;
      worker.shutdown();
      await done;
    },
    async teardown() {
      await env.stopWorker();
      await client.close();
      await connection.close();
    },
  };
  return env;
}

/** Polls until `ok` holds or the deadline passes: visibility is eventually consistent, never sleep. */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)?.slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 500);
  }
}
