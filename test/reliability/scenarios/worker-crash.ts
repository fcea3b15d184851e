import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { FlowClient } from '../../../src/client';
import type { TaskFlowConfig } from '../../../src/config';
import type { FlowRecord } from '../../../src/model/records';
import { eventually } from '../../helpers/flows';
import { exited, processEnv, spawnTs } from '../../helpers/processes';
import { emptyMetrics, type ScenarioMetrics } from './metrics';

const MAX_ATTEMPTS = 3;

/** A mix of the example flows, with the result each must end with. */
function mixedFlows(count: number): Array<{ type: string; input: unknown; expect: (flow: FlowRecord) => boolean }> {
  return Array.from({ length: count }, (_, i) => {
    switch (i % 4) {
      case 0:
        return { type: 'dataExport', input: { tables: [`a${i}`, `b${i}`], rowsPerTable: 8000, msPerChunk: 300 }, expect: (f) => (f.result as { rows: number })?.rows === 16000 };
      case 1:
        return { type: 'thumbnailBatch', input: { images: [`p${i}.jpg`, `q${i}.jpg`, `r${i}.jpg`] }, expect: (f) => f.result === 'contact-sheet(3)' };
      case 2:
        return { type: 'catalogReindex', input: { catalog: `c${i}`, items: 60, pageSize: 20 }, expect: (f) => (f.result as { reindexed: number })?.reindexed === 60 };
      default:
        return { type: 'greeting', input: { name: `n${i}` }, expect: (f) => f.result === `Hello, n${i}!` };
    }
  });
}

/**
 * Worker crash: flows of every example kind running; the worker process is SIGKILLed `kills` times
 * at random moments and restarted. Every flow must end with its correct result, no task may
 * complete more often than its retry policy allows, and no record may be left running.
 */
export async function workerCrash(client: FlowClient, config: TaskFlowConfig, size: { flows: number; kills: number }): Promise<ScenarioMetrics> {
  const metrics = emptyMetrics('worker crash (SIGKILL)');
  const ledger = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-ledger-')), 'ledger.jsonl');
  const start = () => spawnTs('test/fixtures/worker-process.ts', processEnv(config, { TASKFLOW_TEST_LEDGER: ledger }), 'worker ready');
  let worker: ChildProcess = await start();
  try {
    const plan = mixedFlows(size.flows);
    const started = await Promise.all(plan.map((p) => client.start(p.type, p.input)));
    metrics.flows = started.length;

    let lastRestart = Date.now();
    for (let kill = 0; kill < size.kills; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 2500)); // a random moment mid-run
      worker.kill('SIGKILL');
      await exited(worker);
      metrics.faults++;
      worker = await start();
      lastRestart = Date.now();
    }

    const finishedAt = new Map<string, number>();
    const snapshots = await eventually(
      async () => {
        const all = await Promise.all(started.map((f) => client.snapshot(f.flowId)));
        for (const s of all) if (s.flow.endedAt && !finishedAt.has(s.flow.flowId)) finishedAt.set(s.flow.flowId, Date.now());
        return all;
      },
      // The flow's own answer, not the memo a slow query falls back to: only it carries the result.
      (all) => all.every((s) => s.flow.endedAt !== null && s.source === 'query'),
      120_000,
    );
    metrics.recoveryMs = started.map((f) => Math.max(0, (finishedAt.get(f.flowId) ?? Date.now()) - lastRestart));

    const completions = new Map<string, number>();
    for (const line of fs.readFileSync(ledger, 'utf8').trim().split('\n').filter(Boolean)) {
      const { flowId, taskId } = JSON.parse(line) as { flowId: string; taskId: string };
      completions.set(`${flowId}/${taskId}`, (completions.get(`${flowId}/${taskId}`) ?? 0) + 1);
    }
    snapshots.forEach(({ flow }, i) => {
      if (flow.status !== 'succeeded' || !plan[i]!.expect(flow)) {
        metrics.lost++;
        metrics.notes.push(`${flow.flowId} ended ${flow.status}: ${flow.error ?? JSON.stringify(flow.result)}`);
      }
      if (flow.tasks.some((t) => t.status === 'running' || t.status === 'queued')) metrics.stuck++;
      for (const task of flow.tasks) {
        const n = completions.get(`${flow.flowId}/${task.taskId}`) ?? 0;
        if (n > 1) metrics.duplicated++;
        if (n > MAX_ATTEMPTS || n === 0) metrics.notes.push(`${flow.flowId}/${task.taskId} completed ${n} times`);
      }
    });
    return metrics;
  } finally {
    worker.kill('SIGKILL');
    await exited(worker);
  }
}
