import { carryRecord, restoreRecord } from '../../src/model/carry';
import { newFlowRecord, newTaskRecord } from '../../src/model/new-record';
import { summarizeTasks } from '../../src/model/status';
import type { FlowRecord } from '../../src/model/records';

test('a carried record restores to the same record, and is much smaller', () => {
  const base = newFlowRecord({ flowId: 'f', runId: 'r', flowType: 't', syncMode: 'managed', status: 'running', goal: 'g', createdAt: '2026-01-01T00:00:00.000Z' });
  const tasks = Array.from({ length: 500 }, (_, i) => ({
    ...newTaskRecord({ taskId: `work-${i}`, flowId: 'f', name: i % 2 ? 'work' : `work on ${i}`, kind: 'work', status: 'queued', createdAt: '2026-01-01T00:00:01.000Z' }),
    ...(i % 3 === 0 ? { status: 'succeeded' as const, terminalOutcome: 'succeeded' as const, endedAt: '2026-01-01T00:00:02.000Z', lastEventAt: '2026-01-01T00:00:02.000Z' } : {}),
    ...(i % 7 === 0 ? { status: 'failed' as const, error: 'boom', attempt: 3, endedAt: '2026-01-01T00:00:03.000Z', lastEventAt: '2026-01-01T00:00:04.000Z' } : {}),
  }));
  const record: FlowRecord = { ...base, revision: 42, state: { cursor: 5 }, tasks, taskSummary: summarizeTasks(tasks) };
  const carried = carryRecord(record);
  expect(restoreRecord(JSON.parse(JSON.stringify(carried)))).toEqual(record);
  expect(JSON.stringify(carried).length).toBeLessThan(JSON.stringify(record).length * 0.6);
});
