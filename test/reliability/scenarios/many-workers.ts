import type { ChildProcess } from 'node:child_process';
import type { FlowClient } from '../../../src/client';
import type { TaskFlowConfig } from '../../../src/config';
import { exited, processEnv, spawnTs } from '../../helpers/processes';
import { emptyMetrics, type ScenarioMetrics } from './metrics';
import { awaitFlowsEnded, judgeFlows, ledgerFiles, mixedFlows, readLines } from './worker-ledger';

export interface ManyWorkersSize {
  flows: number;
  workers: number;
  /** Flows are started evenly over this long, so kills land while work is under way. */
  spreadMs: number;
  /** One worker (in turn) is SIGKILLed this often while flows are open. */
  killEveryMs: number;
  maxKills: number;
  /** Start a new worker in place of each killed one. */
  replace: boolean;
  /** Give up waiting for the flows after this long. */
  deadlineMs: number;
}

/**
 * Many workers on one task queue: `workers` processes share the flows; one of them is SIGKILLed
 * every `killEveryMs` (and replaced). Every flow must end correct and no task stay active, every
 * task must complete (more than once only when its worker died after finishing it), and the work
 * must really be spread: more than one worker must have run tasks.
 *
 * Every worker death costs the tasks it was running an attempt: at one death every 10 s a retried
 * task can land on the next victim, so with the default 3 attempts about one task in a few hundred
 * is killed in all three and fails its flow, as its retry policy says. The soak gives tasks more
 * attempts (the flows' `flowDefaults.retry.maximumAttempts`, from `config`).
 */
export async function manyWorkers(client: FlowClient, config: TaskFlowConfig, size: ManyWorkersSize): Promise<ScenarioMetrics> {
  const attempts = config.flowDefaults.retry.maximumAttempts;
  const metrics = emptyMetrics(`${size.workers} workers, one SIGKILLed every ${size.killEveryMs / 1000} s (${attempts} attempts per task)`);
  const files = ledgerFiles();
  const env = processEnv(config, { TASKFLOW_TEST_LEDGER: files.ledger, TASKFLOW_TEST_STARTS: files.starts });
  const start = () => spawnTs('test/fixtures/worker-process.ts', env, 'worker ready');
  const workers: ChildProcess[] = await Promise.all(Array.from({ length: size.workers }, start));
  const killedAt = new Map<number, number>();
  try {
    const plan = mixedFlows(size.flows);
    const began = Date.now();
    let open = true;
    // Kills run from the start, while the flows are still being started.
    const killer = (async () => {
      for (let turn = 0; open && metrics.faults < size.maxKills; turn++) {
        const due = began + (turn + 1) * size.killEveryMs;
        while (open && Date.now() < due) await new Promise((resolve) => setTimeout(resolve, 100));
        if (!open) return;
        const victim = turn % workers.length;
        const worker = workers[victim]!;
        worker.kill('SIGKILL');
        killedAt.set(worker.pid!, Date.now());
        await exited(worker);
        metrics.faults++;
        if (size.replace) workers[victim] = await start();
        else workers.splice(victim, 1);
      }
    })();

    let flows;
    try {
      const started = await Promise.all(
        plan.map(async (p, i) => {
          await new Promise((resolve) => setTimeout(resolve, (size.spreadMs * i) / plan.length));
          return client.start(p.type, p.input);
        }),
      );
      metrics.flows = started.length;
      flows = await awaitFlowsEnded(client, started.map((f) => f.flowId), size.deadlineMs);
    } finally {
      open = false;
      await killer;
    }
    judgeFlows(metrics, plan, flows, files, killedAt, attempts);
    const ranTasks = new Set(readLines(files.starts).map((s) => s.pid));
    if (ranTasks.size < 2) metrics.notes.push(`only ${ranTasks.size} worker ran tasks; the work was not shared`);
    return metrics;
  } finally {
    for (const worker of workers) worker.kill('SIGKILL');
    await Promise.all(workers.map(exited));
  }
}
