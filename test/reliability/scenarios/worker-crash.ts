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
 *
 * Kills come 8–14 s apart (the first 0.5–3 s into the run): time for the tasks a crash interrupted
 * to be retried (heartbeat timeout 5 s + 1 s backoff) and to finish. Crashes faster than that are
 * the retry policy's business: a task killed in every one of its 3 attempts fails, as it should.
 */
export async function workerCrash(
  client: FlowClient,
  config: TaskFlowConfig,
  size: { flows: number; kills: number; deadlineMs?: number },
): Promise<ScenarioMetrics> {
  const metrics = emptyMetrics('worker crash (SIGKILL)');
  const files = ledgerFiles();
  const start = () => spawnTs('test/fixtures/worker-process.ts', processEnv(config, { TASKFLOW_TEST_LEDGER: files.ledger, TASKFLOW_TEST_STARTS: files.starts }), 'worker ready');
  const killedAt = new Map<number, number>();
  let worker: ChildProcess = await start();
  try {
    const plan = mixedFlows(size.flows);
    const started = await Promise.all(plan.map((p) => client.start(p.type, p.input)));
    metrics.flows = started.length;

    let lastKill = Date.now();
    for (let kill = 0; kill < size.kills; kill++) {
      const due = kill === 0 ? lastKill + 500 + Math.random() * 2_500 : lastKill + 8_000 + Math.random() * 6_000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(1_000, due - Date.now()))); // a random moment mid-run
      worker.kill('SIGKILL');
      lastKill = Date.now();
      killedAt.set(worker.pid!, lastKill);
      await exited(worker);
      metrics.faults++;
      worker = await start();
    }

    const flows = await awaitFlowsEnded(client, started.map((f) => f.flowId), size.deadlineMs ?? 120_000);
    judgeFlows(metrics, plan, flows, files, killedAt, config.flowDefaults.retry.maximumAttempts);
    return metrics;
  } finally {
    worker.kill('SIGKILL');
    await exited(worker);
  }
}
