import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FlowClient } from '../../../src/client';
import type { FlowRecord } from '../../../src/model/records';
import type { ScenarioMetrics } from './metrics';

/** The most times a task may complete: its retry policy's attempts (the defaults). */
export const MAX_ATTEMPTS = 3;

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

/** Polls the flows until every one has ended (by its own answer, not the memo) or the deadline passes. */
export async function awaitFlowsEnded(client: FlowClient, flowIds: string[], deadlineMs: number): Promise<FlowRecord[]> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const all = await Promise.all(flowIds.map((id) => client.snapshot(id)));
    // Only the flow's own answer carries the result; a slow query falls back to the memo.
    if (all.every((s) => s.flow.endedAt !== null && s.source === 'query') || Date.now() > deadline) return all.map((s) => s.flow);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Judges finished flows against the ledgers: every flow ended with its correct result (else lost),
 * no task left active (stuck), every task completed at least once and never beyond its retry policy
 * (duplicated counts tasks that completed twice: their worker died after finishing, before reporting).
 * Recovery, per flow an attempt of which died with a killed worker: from that kill to the flow's end.
 */
export function judgeFlows(
  metrics: ScenarioMetrics,
  plan: Array<{ expect: (flow: FlowRecord) => boolean }>,
  flows: FlowRecord[],
  files: { ledger: string; starts: string },
  killedAt: Map<number, number>,
): void {
  const completions = new Map<string, TaskLine[]>();
  for (const line of readLines(files.ledger)) {
    const key = `${line.flowId}/${line.taskId}`;
    completions.set(key, [...(completions.get(key) ?? []), line]);
  }
  const lastKillOf = new Map<string, number>();
  for (const start of readLines(files.starts)) {
    const killed = killedAt.get(start.pid);
    if (killed === undefined) continue;
    const done = (completions.get(`${start.flowId}/${start.taskId}`) ?? []).some((c) => c.pid === start.pid && c.attempt === start.attempt);
    if (!done) lastKillOf.set(start.flowId, Math.max(lastKillOf.get(start.flowId) ?? 0, killed));
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
      if (n > MAX_ATTEMPTS || n === 0) metrics.notes.push(`${flow.flowId}/${task.taskId} completed ${n} times`);
    }
    const kill = lastKillOf.get(flow.flowId);
    if (kill !== undefined && flow.endedAt) metrics.recoveryMs.push(Math.max(0, Date.parse(flow.endedAt) - kill));
  });
}
