import { FlowRecordKeeper } from '../../src/model/keeper';
import { newFlowRecord, newTaskRecord } from '../../src/model/new-record';
import { summarizeTasks } from '../../src/model/status';
import { recordPage } from '../../src/model/record-page';
import { carryRecord, restoreRecord } from '../../src/model/carry';
import { MAX_TASKS_PER_FLOW } from '../../src/model/limits';

const at = '2026-01-01T00:00:00.000Z';
const now = () => at;

function keeperWith(tasks: number): FlowRecordKeeper {
  const keeper = new FlowRecordKeeper(newFlowRecord({ flowId: 'f', runId: 'r', flowType: 't', syncMode: 'mirrored', status: 'running', goal: 'g', createdAt: at }), now);
  keeper.apply((change) => {
    for (let i = 0; i < tasks; i++) change.setTask(`t-${i}`, newTaskRecord({ taskId: `t-${i}`, flowId: 'f', name: 'n', kind: 'k', status: 'queued', createdAt: at }));
  });
  return keeper;
}

test('a write patches its task in place and keeps the summary by counting, never by copying or rescanning the tasks', () => {
  const keeper = keeperWith(5_000);
  const tasks = keeper.record.tasks;
  expect(keeper.apply((change) => change.setTask('t-42', { status: 'running' }))).toBe(true);
  expect(keeper.apply((change) => change.setTask('t-43', { status: 'failed', endedAt: at }))).toBe(true);
  expect(keeper.record.tasks).toBe(tasks);
  expect(keeper.record.revision).toBe(3);
  expect(keeper.record.taskSummary).toEqual(summarizeTasks(keeper.record.tasks));
  expect(keeper.record.taskSummary).toMatchObject({ total: 5_000, active: 4_999, failures: 1, byStatus: { queued: 4_998, running: 1, failed: 1 } });
  expect(keeper.activeTasks(2).map((t) => t.taskId)).toEqual(['t-0', 't-1']);
  expect(keeper.activeTasks().length).toBe(4_999);
  // An identical write changes nothing.
  expect(keeper.apply((change) => change.setTask('t-42', { status: 'running' }))).toBe(false);
  expect(keeper.record.revision).toBe(3);
});

test('counts after a patch are previewed without applying it', () => {
  const keeper = keeperWith(3);
  const counts = keeper.countsAfter([['t-0', { status: 'succeeded', terminalOutcome: 'blocked' }], ['new', { status: 'running' } as never]]);
  expect(counts).toEqual({ byStatus: { queued: 2, succeeded: 1, running: 1 }, blockedOutcomes: 1 });
  expect(keeper.record.taskSummary.byStatus).toEqual({ queued: 3 });
});

test('a record of the most tasks a flow holds pages under 1 MB, and crosses continue-as-new packed under 2 MB', () => {
  const keeper = keeperWith(MAX_TASKS_PER_FLOW);
  keeper.apply((change) => {
    for (let i = 0; i < MAX_TASKS_PER_FLOW; i += 3) change.setTask(`t-${i}`, { status: 'succeeded', terminalOutcome: 'succeeded', endedAt: `2026-01-01T00:${String(i % 60).padStart(2, '0')}:00.000Z`, progressSummary: `item ${i} done` });
  });
  const record = keeper.record;
  const pages = [];
  for (let offset = 0; ; ) {
    const page = recordPage(record, { taskOffset: offset });
    expect(JSON.stringify(page).length).toBeLessThan(1.2 * 1024 * 1024);
    pages.push(page);
    offset += page.taskPage.count;
    if (page.taskPage.complete) break;
  }
  expect(pages.length).toBeGreaterThan(1);
  expect(pages.flatMap((p) => p.tasks)).toEqual(record.tasks);

  const carried = carryRecord(record);
  expect(JSON.stringify(carried).length).toBeLessThan(2 * 1024 * 1024);
  expect(restoreRecord(JSON.parse(JSON.stringify(carried)))).toEqual(record);
});

test('a reader catching up gets exactly the tasks changed after the revision it read at', () => {
  const keeper = keeperWith(100);
  const readAt = keeper.record.revision;
  keeper.apply((change) => change.setTask('t-7', { status: 'running' }));
  keeper.apply((change) => change.setTask('new', { ...newTaskRecord({ taskId: 'new', flowId: 'f', name: 'n', kind: 'k', status: 'queued', createdAt: at }) }));
  keeper.apply((change) => change.setFlow({ currentStep: 'x' }));
  expect(keeper.tasksChangedSince(readAt).map((t) => t.taskId)).toEqual(['t-7', 'new']);
  const page = recordPage(keeper.record, { changedSince: readAt }, keeper);
  expect(page.taskPage).toEqual({ offset: 0, count: 2, total: 101, complete: true, changedSince: readAt });
  expect(keeper.tasksChangedSince(keeper.record.revision)).toEqual([]);
});

test('asked for it packed, the whole record of 10,000 tasks answers in one payload under 2 MB', async () => {
  const { recordAnswer } = await import('../../src/model/record-page');
  const { unpack } = await import('../../src/model/pack');
  const keeper = keeperWith(MAX_TASKS_PER_FLOW);
  const answer = recordAnswer(keeper.record, { packed: true }, keeper);
  expect('packedRecord' in answer && answer.packedRecord.length).toBeLessThan(2 * 1024 * 1024);
  expect(unpack({ packed: (answer as { packedRecord: string }).packedRecord })).toEqual(keeper.record);
  expect('taskPage' in recordAnswer(keeper.record, {}, keeper)).toBe(true);
});

test('a keeper continuing a retried run numbers its next change after the old run’s last revision, never below', () => {
  const keeper = keeperWith(2);
  keeper.continueFrom(9);
  keeper.continueFrom(5);
  expect(keeper.record.revision).toBe(9);
  expect(keeper.apply((change) => change.setFlow({ retriedFrom: { runId: 'old', reason: null } }))).toBe(true);
  expect(keeper.record.revision).toBe(10);
  // A reader that caught up before the retry reads every task again.
  expect(keeper.tasksChangedSince(8).map((t) => t.taskId)).toEqual(['t-0', 't-1']);
});
