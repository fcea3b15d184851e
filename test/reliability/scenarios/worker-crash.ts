import type { ChildProcess } from 'node:child_process';
import type { FlowClient } from '../../../src/client';
import type { TaskFlowConfig } from '../../../src/config';
import { exited, processEnv, spawnTs } from '../../helpers/processes';
import { emptyMetrics, type ScenarioMetrics } from './metrics';
import { awaitFlowsEnded, judgeFlows, ledgerFiles, mixedFlows } from './worker-ledger';

/**
 * Worker crash: flows of every example kind running; the worker process is SIGKILLed `kills` times
 * at random moments and restarted. Every flow must end with its correct result, no task may
 * complete more often than its retry policy allows, and no record may be left running.
 */
export async function workerCrash(client: FlowClient, config: TaskFlowConfig, size: { flows: number; kills: number }): Promise<ScenarioMetrics> {
  const metrics = emptyMetrics('worker crash (SIGKILL)');
  const files = ledgerFiles();
  const start = () => spawnTs('test/fixtures/worker-process.ts', processEnv(config, { TASKFLOW_TEST_LEDGER: files.ledger, TASKFLOW_TEST_STARTS: files.starts }), 'worker ready');
  const killedAt = new Map<number, number>();
  let worker: ChildProcess = await start();
  try {
    const plan = mixedFlows(size.flows);
    const started = await Promise.all(plan.map((p) => client.start(p.type, p.input)));
    metrics.flows = started.length;

    for (let kill = 0; kill < size.kills; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 2500)); // a random moment mid-run
      worker.kill('SIGKILL');
      killedAt.set(worker.pid!, Date.now());
      await exited(worker);
      metrics.faults++;
      worker = await start();
    }

    const flows = await awaitFlowsEnded(client, started.map((f) => f.flowId), 120_000);
    judgeFlows(metrics, plan, flows, files, killedAt);
    return metrics;
  } finally {
    worker.kill('SIGKILL');
    await exited(worker);
  }
}
