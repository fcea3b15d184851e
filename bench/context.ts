import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { parseConfig, type TaskFlowConfig } from '../src/config';
import { FlowClient } from '../src/client';
import { flowDefinitionOf, type FlowDefinition } from '../src/flow/define';
import { projectPaths } from '../src/project/paths';
import { createFlowWorker } from '../src/worker';
import * as activities from './activities';
import * as benchWorkflows from './workflows';
import type { BenchServer } from './environment';

/** FlowClient knowing the benchmark's flows (they live in bench/workflows, not the project's workflows/). */
export class BenchFlowClient extends FlowClient {
  override async definitions(): Promise<Map<string, FlowDefinition>> {
    const flows = new Map<string, FlowDefinition>();
    for (const value of Object.values(benchWorkflows)) {
      const definition = flowDefinitionOf(value);
      if (definition) flows.set(definition.name, definition);
    }
    return flows;
  }
}

export interface BenchContext {
  server: BenchServer;
  config: TaskFlowConfig;
  flows: BenchFlowClient;
  client: Client;
  /** The bundle of bench/workflows (with TaskFlow's interceptor), on disk for worker processes. */
  bundlePath: string;
  tmpDir: string;
  /** A config on a fresh task queue (each benchmark keeps its flows apart). */
  configOn(taskQueue: string): TaskFlowConfig;
  /** A FlowClient on another task queue, sharing the connection. */
  flowsOn(taskQueue: string): BenchFlowClient;
  /** Another in-process worker, on its own task queue, with other worker settings (for diagnostics). */
  extraWorker(worker: Partial<TaskFlowConfig['worker']>): Promise<{ taskQueue: string; stop(): Promise<void> }>;
  close(): Promise<void>;
}

export function benchConfig(address: string, namespace: string, taskQueue: string): TaskFlowConfig {
  const base = parseConfig('');
  return { ...base, connection: { ...base.connection, address, namespace }, taskQueue };
}

export async function createContext(server: BenchServer): Promise<BenchContext & { worker: Worker; bundleMs: number }> {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-bench-'));
  const started = Date.now();
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./workflows'),
    workflowInterceptorModules: [projectPaths.workflowInterceptors],
    logger: quietLogger,
  });
  const bundleMs = Date.now() - started;
  const bundlePath = path.join(tmpDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);

  const config = benchConfig(server.address, server.namespace, `bench-${randomUUID().slice(0, 8)}`);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const flowsOn = (taskQueue: string) => new BenchFlowClient(client, { ...config, taskQueue });
  const native = await NativeConnection.connect({ address: server.address });
  const worker = await createFlowWorker({ config, connection: native, workflowBundle: bundle, activities: { ...activities } });
  const running = worker.run();
  return {
    server,
    config,
    flows: flowsOn(config.taskQueue),
    client,
    bundlePath,
    tmpDir,
    worker,
    bundleMs,
    configOn: (taskQueue) => ({ ...config, taskQueue }),
    flowsOn,
    async extraWorker(tuning) {
      const taskQueue = `bench-extra-${randomUUID().slice(0, 8)}`;
      const extra = await createFlowWorker({
        config: { ...config, taskQueue, worker: { ...config.worker, ...tuning } },
        connection: native,
        workflowBundle: bundle,
        activities: { ...activities },
      });
      const done = extra.run();
      return {
        taskQueue,
        async stop() {
          extra.shutdown();
          await done.catch(() => undefined);
        },
      };
    },
    async close() {
      worker.shutdown();
      await running.catch(() => undefined);
      await native.close();
      await connection.close();
      fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

const ignore = () => undefined;
const quietLogger = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: (m: string) => console.error(m) };
