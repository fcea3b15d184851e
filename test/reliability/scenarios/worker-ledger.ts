import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FlowClient } from '../../../src/client';
import type { FlowRecord } from '../../../src/model/records';
import type { ScenarioMetrics } from './metrics';

/** One line of a worker fixture's ledgers (test/fixtures/worker-process.ts). */
export interface TaskLine {
  flowId: string;
  taskId: string;
  attempt: number;
  pid: number;
  at?: number;
}

/** Files the worker fixture appends to: tasks completed (ledger) and attempts started (starts). */
export function ledgerFiles(): { ledger: string; starts: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-ledger-'));
  return { ledger: path.join(dir, 'ledger.jsonl'), starts: path.join(dir, 'starts.jsonl') };
}

export function readLines(file: string): TaskLine[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TaskLine);
}

/** A mix of the example flows, with the result each must end with. */
export function mixedFlows(count: number): Array<{ type: string; input: unknown; expect: (flow: FlowRecord) => boolean }> {
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
 * Waits until every flow's execution has closed (describe: no worker needed) or the deadline passes,
 * then reads each record from the flow itself, a few at a time: a query of a closed flow replays its
 * history on a worker, too heavy to poll hundreds of them. Only the flow's own answer carries the
 * result (a slow query falls back to the memo, which does not), so a memo answer is asked again.
 */
export async function awaitFlowsEnded(client: FlowClient, flowIds: string[], deadlineMs: number): Promise<FlowRecord[]> {
  const deadline = Date.now() + deadlineMs;
  const open = new Set(flowIds);
  while (open.size > 0 && Date.now() < deadline) {
    for (const id of [...open]) {
      const { status } = await client.client.workflow.getHandle(id).describe();
      if (status.name !== 'RUNNING') open.delete(id);
    }
    if (open.size > 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const records = new Map<string, FlowRecord>();
  const read = async (id: string) => {
    for (let attempt = 1; ; attempt++) {
      const snapshot = await client.snapshot(id);
      if ((snapshot.flow.endedAt !== null && snapshot.source === 'query') || attempt === 5 || open.has(id)) return records.set(id, snapshot.flow);
    }
  };
  const queue = [...flowIds];
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) await read(id);
  }));
  return flowIds.map((id) => records.get(id)!);
}

/**
 * Judges finished flows against the ledgers: every flow ended with its correct result (else lost),
 * no task left active (stuck), every task completed at least once and never beyond its retry policy
 * (duplicated counts tasks that completed twice: their worker died after finishing, before reporting).
 * Recovery, per flow a task attempt of which died with a killed worker: from the kill to that task
 * running again on a live worker (the latest such, when several of its tasks were interrupted).
 */
export function judgeFlows(
  metrics: ScenarioMetrics,
  plan: Array<{ expect: (flow: FlowRecord) => boolean }>,
  flows: FlowRecord[],
  files: { ledger: string; starts: string },
  killedAt: Map<number, number>,
  /** The retry policy's attempts (0: unlimited): no task may complete more often. */
  maxAttempts: number,
): void {
  const completions = new Map<string, TaskLine[]>();
  for (const line of readLines(files.ledger)) {
    const key = `${line.flowId}/${line.taskId}`;
    completions.set(key, [...(completions.get(key) ?? []), line]);
  }
  const starts = readLines(files.starts);
  const recoveredAfter = new Map<string, number>();
  for (const start of starts) {
    const killed = killedAt.get(start.pid);
    if (killed === undefined) continue;
    const done = (completions.get(`${start.flowId}/${start.taskId}`) ?? []).some((c) => c.pid === start.pid && c.attempt === start.attempt);
    if (done) continue;
    const retry = starts.find((s) => s.flowId === start.flowId && s.taskId === start.taskId && s.attempt > start.attempt);
    if (retry) recoveredAfter.set(start.flowId, Math.max(recoveredAfter.get(start.flowId) ?? 0, retry.at! - killed));
  }
  flows.forEach((flow, i) => {
    if (!flow.endedAt) {
      metrics.stuck++;
      metrics.notes.push(`${flow.flowId} still ${flow.status}`);
      return;
    }
    if (flow.status !== 'succeeded' || !plan[i]!.expect(flow)) {
      metrics.lost++;
      metrics.notes.push(`${flow.flowId} ended ${flow.status}: ${flow.error ?? JSON.stringify(flow.result)}`);
    }
    if (flow.tasks.some((t) => t.status === 'running' || t.status === 'queued')) metrics.stuck++;
    for (const task of flow.tasks) {
      const n = completions.get(`${flow.flowId}/${task.taskId}`)?.length ?? 0;
      if (n > 1) metrics.duplicated++;
      if ((maxAttempts > 0 && n > maxAttempts) || n === 0) metrics.notes.push(`${flow.flowId}/${task.taskId} completed ${n} times`);
    }
    const recovered = recoveredAfter.get(flow.flowId);
    if (recovered !== undefined) metrics.recoveryMs.push(Math.max(0, recovered));
  });
}
