import type { TaskRecord } from '../../src/model/records';
import { countTasks } from '../../src/model/status';
import {
  MirroredCreate,
  ReportRequest,
  TaskReport,
  defaultGoal,
  finishedStatus,
  mirroredFlowViewOf,
  planTaskReport,
  type ReportContext,
  type TaskReportInput,
} from '../../src/model/transitions';

const T0 = '2026-05-01T12:00:00.000Z';
const T1 = '2026-05-01T12:01:00.000Z';
const T2 = '2026-05-01T12:02:00.000Z';
const context = (overrides: Partial<ReportContext> = {}): ReportContext => ({ seenEvent: false, flowId: 'flow-1', receivedAt: T1, ...overrides });
const report = (input: TaskReportInput) => TaskReport.parse(input);

function task(overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskId: 'build',
    flowId: 'flow-1',
    name: 'Build',
    kind: 'ci-job',
    externalId: null,
    status: 'running',
    attempt: 1,
    progressSummary: null,
    terminalSummary: null,
    terminalOutcome: null,
    error: null,
    createdAt: T0,
    startedAt: T0,
    endedAt: null,
    lastEventAt: T0,
    childFlowId: null,
    ...overrides,
  };
}

describe('planTaskReport', () => {
  test('a first report creates the task, stamped with when it occurred', () => {
    const plan = planTaskReport(undefined, report({ taskId: 'build', status: 'running', summary: 'compiling', occurredAt: T0 }), context());
    expect(plan).toEqual({
      apply: expect.objectContaining({
        taskId: 'build',
        flowId: 'flow-1',
        name: 'build',
        kind: 'external',
        status: 'running',
        progressSummary: 'compiling',
        terminalSummary: null,
        createdAt: T0,
        startedAt: T0,
        lastEventAt: T0,
      }),
    });
  });

  test('occurredAt defaults to when the flow received the report', () => {
    const plan = planTaskReport(task(), report({ taskId: 'build', status: 'succeeded' }), context());
    expect(plan).toEqual({ apply: expect.objectContaining({ status: 'succeeded', endedAt: T1, lastEventAt: T1, terminalOutcome: 'succeeded' }) });
  });

  test('summary sets progressSummary for an active status and terminalSummary for a terminal one', () => {
    expect(planTaskReport(task(), report({ taskId: 'build', status: 'running', summary: '50%' }), context())).toEqual({
      apply: { progressSummary: '50%', lastEventAt: T1 },
    });
    expect(planTaskReport(task({ progressSummary: '50%' }), report({ taskId: 'build', status: 'failed', summary: 'exit 2' }), context())).toEqual({
      apply: { status: 'failed', terminalSummary: 'exit 2', endedAt: T1, lastEventAt: T1 },
    });
  });

  test('options left out (or sent as null) keep the current values', () => {
    const current = task({ progressSummary: 'half', error: 'flaky', externalId: 'gh-1' });
    const plan = planTaskReport(current, report({ taskId: 'build', status: 'running', error: null, externalId: null, name: 'Build' }), context());
    expect(plan).toEqual({ noop: 'identical' });
  });

  test('a repeated event id changes nothing, whatever its payload', () => {
    expect(planTaskReport(task(), report({ taskId: 'build', status: 'failed', eventId: 'e1' }), context({ seenEvent: true }))).toEqual({ noop: 'duplicate_event' });
  });

  test('a report older than the task last event is stale as a whole', () => {
    const current = task({ lastEventAt: T1 });
    expect(planTaskReport(current, report({ taskId: 'build', status: 'succeeded', occurredAt: T0 }), context({ receivedAt: T2 }))).toEqual({ noop: 'stale' });
    // Offsets are compared as instants, not as text.
    expect(planTaskReport(current, report({ taskId: 'build', status: 'running', summary: 'x', occurredAt: '2026-05-01T14:00:30+02:00' }), context())).toEqual({ noop: 'stale' });
  });

  test('a terminal status is final: never back to active, never to another terminal status', () => {
    const done = task({ status: 'succeeded', terminalOutcome: 'succeeded', endedAt: T0 });
    expect(planTaskReport(done, report({ taskId: 'build', status: 'running' }), context())).toEqual({ noop: 'terminal_task' });
    expect(planTaskReport(done, report({ taskId: 'build', status: 'failed' }), context())).toEqual({ noop: 'terminal_task' });
    // The same terminal status may still refresh its summary.
    expect(planTaskReport(done, report({ taskId: 'build', status: 'succeeded', summary: 'artifacts uploaded' }), context())).toEqual({
      apply: { terminalSummary: 'artifacts uploaded', lastEventAt: T1 },
    });
  });

  test('a cancelled task ignores late success and failure reports', () => {
    const cancelled = task({ status: 'cancelled', endedAt: T0 });
    expect(planTaskReport(cancelled, report({ taskId: 'build', status: 'succeeded' }), context())).toEqual({ noop: 'cancelled_task' });
    expect(planTaskReport(cancelled, report({ taskId: 'build', status: 'failed', error: 'boom' }), context())).toEqual({ noop: 'cancelled_task' });
  });

  test('an identical re-sync changes nothing, not even lastEventAt', () => {
    const current = task({ progressSummary: 'half' });
    expect(planTaskReport(current, report({ taskId: 'build', status: 'running', summary: 'half', occurredAt: T2 }), context())).toEqual({ noop: 'identical' });
  });

  test('kind, name and external id are fields too', () => {
    expect(planTaskReport(task(), report({ taskId: 'build', status: 'running', externalId: 'gh-7' }), context())).toEqual({ apply: { externalId: 'gh-7', lastEventAt: T1 } });
    expect(planTaskReport(task(), report({ taskId: 'build', status: 'running', kind: 'gh-job' }), context())).toEqual({ apply: { kind: 'gh-job', lastEventAt: T1 } });
  });

  test('queued to running stamps startedAt once', () => {
    const queued = task({ status: 'queued', startedAt: null });
    expect(planTaskReport(queued, report({ taskId: 'build', status: 'running' }), context())).toEqual({ apply: { status: 'running', startedAt: T1, lastEventAt: T1 } });
  });

  test('succeeded with outcome blocked', () => {
    expect(planTaskReport(task(), report({ taskId: 'build', status: 'succeeded', terminalOutcome: 'blocked', summary: 'needs review' }), context())).toEqual({
      apply: { status: 'succeeded', terminalOutcome: 'blocked', terminalSummary: 'needs review', endedAt: T1, lastEventAt: T1 },
    });
  });
});

describe('schemas', () => {
  test('a report is checked field by field, naming the field', () => {
    expect(TaskReport.safeParse({ taskId: 'a', status: 'done' }).success).toBe(false);
    expect(TaskReport.safeParse({ taskId: 'a', status: 'running', lease: '10 minutes' }).error?.issues[0]?.path).toEqual(['lease']);
    expect(TaskReport.safeParse({ taskId: 'a', status: 'running', occurredAt: 'yesterday' }).error?.issues[0]?.path).toEqual(['occurredAt']);
    expect(TaskReport.safeParse({ taskId: 'a', status: 'failed', terminalOutcome: 'blocked' }).error?.issues[0]?.path).toEqual(['terminalOutcome']);
    expect(TaskReport.parse({ taskId: 'a', status: 'running', lease: '10m', occurredAt: T0 })).toMatchObject({ lease: '10m', occurredAt: T0 });
  });

  test('the report update takes an expected revision beside the report', () => {
    expect(ReportRequest.parse({ taskId: 'a', status: 'queued', expectedRevision: 3 })).toMatchObject({ expectedRevision: 3 });
    expect(ReportRequest.safeParse({ taskId: 'a', status: 'queued', expectedRevision: -1 }).success).toBe(false);
  });

  test('create options default to auto-complete', () => {
    expect(MirroredCreate.parse({})).toEqual({ autoComplete: true });
    expect(MirroredCreate.parse({ autoComplete: false, lookupKey: 'PR-1' })).toMatchObject({ autoComplete: false, lookupKey: 'PR-1' });
  });

  test('the default goal is the first task name, else its kind, else its id', () => {
    expect(defaultGoal({ taskId: 't', kind: 'k', name: 'n' })).toBe('n');
    expect(defaultGoal({ taskId: 't', kind: 'k' })).toBe('k');
    expect(defaultGoal({ taskId: 't' })).toBe('t');
  });
});

describe('mirroredFlowView', () => {
  const on = { autoComplete: true, cancelRequested: false };
  const off = { autoComplete: false, cancelRequested: false };

  test('active tasks: running, or queued when every active one is queued', () => {
    expect(mirroredFlowViewOf([task({ status: 'queued' })], on)).toMatchObject({ status: 'queued', ends: false });
    expect(mirroredFlowViewOf([task({ status: 'queued' }), task({ taskId: 'b', status: 'running' })], on)).toMatchObject({ status: 'running', ends: false });
    expect(mirroredFlowViewOf([task({ status: 'queued' }), task({ taskId: 'b', status: 'failed' })], on)).toMatchObject({ status: 'queued', ends: false });
  });

  test('all terminal with auto-complete: ends with the worst outcome; blocked names its task', () => {
    const blocked = task({ status: 'succeeded', terminalOutcome: 'blocked', terminalSummary: 'review' });
    expect(mirroredFlowViewOf([blocked], on)).toEqual({ status: 'blocked', wait: null, blocked: { taskId: 'build', summary: 'review' }, ends: true });
    expect(mirroredFlowViewOf([blocked, task({ taskId: 'b', status: 'lost' })], on)).toMatchObject({ status: 'lost', ends: true });
  });

  test('auto-complete off, or no task yet: waiting for reports', () => {
    expect(mirroredFlowViewOf([task({ status: 'succeeded' })], off)).toEqual({ status: 'waiting', wait: { for: 'reports' }, blocked: null, ends: false });
    expect(mirroredFlowViewOf([], on)).toMatchObject({ status: 'waiting', ends: false });
  });

  test('under a cancel intent the flow ends cancelled once no task is active', () => {
    expect(mirroredFlowViewOf([task({ status: 'succeeded' })], { ...off, cancelRequested: true })).toMatchObject({ status: 'cancelled', ends: true });
    expect(mirroredFlowViewOf([task()], { ...on, cancelRequested: true })).toMatchObject({ status: 'running', ends: false });
  });

  test('finish: what the tasks derive, succeeded without tasks', () => {
    expect(finishedStatus(countTasks([]))).toBe('succeeded');
    expect(finishedStatus(countTasks([task({ status: 'timed_out' })]))).toBe('failed');
  });
});
