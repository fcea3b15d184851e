import { DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TaskFlowConfig } from '../../src/config';
import { FlowClient } from '../../src/client';
import { bundleFlows, createFlowWorker, loadActivities } from '../../src/worker';
import { projectPaths } from '../../src/project/paths';
import { testConfig } from './server';

export { eventually } from './server';

/** The test server global set-up started, and a fresh task queue so test files never share work. */
export const flowTestConfig = testConfig;

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
let runtimeInstalled = false;

export interface FlowTestEnv {
  config: TaskFlowConfig;
  client: FlowClient;
  /** Starts (or restarts) the worker on this env's task queue. */
  startWorker(activities?: Record<string, (...args: any[]) => unknown>): Promise<Worker>;
  stopWorker(): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * A FlowClient and a worker for the project's flows (or those of `workflowsDir`, e.g. the test
 * fixtures' flows), on the shared test server.
 */
export async function flowTestEnv(overrides: Parameters<typeof testConfig>[0] = {}, workflowsDir = projectPaths.workflowsDir): Promise<FlowTestEnv> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const config = flowTestConfig(overrides);
  const client = await FlowClient.connect(config);
  const connection = await NativeConnection.connect({ address: config.connection.address });
  if (!bundles.has(workflowsDir)) bundles.set(workflowsDir, bundleFlows(workflowsDir));
  const bundle = bundles.get(workflowsDir)!;
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
