import type { temporal } from '@temporalio/proto';
import { planRetry } from '../../src/client/retry-plan';
import { newFlowRecord, newTaskRecord } from '../../src/model/new-record';
import type { FlowRecord, TaskRecord } from '../../src/model/records';
import { summarizeTasks } from '../../src/model/status';

type Event = temporal.api.history.v1.IHistoryEvent;
const at = '2026-01-01T00:00:00.000Z';

function record(tasks: Array<Partial<TaskRecord> & { taskId: string }>): FlowRecord {
  const all = tasks.map((t) => ({ ...newTaskRecord({ taskId: t.taskId, flowId: 'f', name: 'n', kind: 'k', status: 'succeeded', createdAt: at }), ...t }));
  const base = newFlowRecord({ flowId: 'f', runId: 'r', flowType: 't', syncMode: 'managed', status: 'failed', goal: 'g', createdAt: at });
  return { ...base, revision: 12, tasks: all, taskSummary: summarizeTasks(all) };
}

// A history of three workflow tasks: t-1 scheduled by the first (event 4), t-2 by the second (event 10).
// Event ids are plain numbers here (protobufjs decodes them as Long; the plan reads them with Number()).
const events = [
  { eventId: 4, workflowTaskCompletedEventAttributes: {} },
  { eventId: 5, activityTaskScheduledEventAttributes: { activityId: 't-1', workflowTaskCompletedEventId: 4 } },
  { eventId: 6, activityTaskStartedEventAttributes: { scheduledEventId: 5, attempt: 1 } },
  { eventId: 7, activityTaskCompletedEventAttributes: { scheduledEventId: 5 } },
  { eventId: 10, workflowTaskCompletedEventAttributes: {} },
  { eventId: 11, activityTaskScheduledEventAttributes: { activityId: 't-2', workflowTaskCompletedEventId: 10 } },
  { eventId: 12, activityTaskStartedEventAttributes: { scheduledEventId: 11, attempt: 3 } },
  { eventId: 13, activityTaskFailedEventAttributes: { scheduledEventId: 11 } },
  { eventId: 16, workflowTaskCompletedEventAttributes: {} },
] as unknown as Event[];

test('a failed run is retried from the workflow task that scheduled its failed task, counting its attempts on', () => {
  const old = record([
    { taskId: 't-1', endedAt: '2026-01-01T00:00:01.000Z', lastEventAt: '2026-01-01T00:00:01.000Z' },
    { taskId: 't-2', status: 'failed', attempt: 2 },
  ]);
  expect(planRetry(old, events)).toEqual({
    resetEventId: 10,
    // Temporal's own count (3) wins over the record's.
    attempts: { 't-2': 3 },
    // t-1 ended in the history the reset workflow task takes in again: its end keeps its time.
    ended: { 't-1': { endedAt: '2026-01-01T00:00:01.000Z', lastEventAt: '2026-01-01T00:00:01.000Z' } },
  });
});

test('never after the workflow task that took a cancel', () => {
  const cancelled = [
    ...events.slice(0, 5),
    { eventId: 8, workflowTaskCompletedEventAttributes: {} },
    { eventId: 9, workflowExecutionUpdateAcceptedEventAttributes: { acceptedRequest: { input: { name: 'cancel' } } } },
    ...events.slice(5),
  ] as unknown as Event[];
  const old = record([{ taskId: 't-1' }, { taskId: 't-2', status: 'cancelled' }]);
  expect(planRetry(old, cancelled).resetEventId).toBe(8);
});

test('a run that ended at a child flow is refused: the child would start again under the same id', () => {
  const old = record([{ taskId: 't-1' }, { taskId: 't-2', status: 'failed', childFlowId: 'f/t-2' }]);
  expect(() => planRetry(old, events)).toThrow(expect.objectContaining({ type: 'invalid_input', message: expect.stringContaining('taskflow flow retry f/t-2') }));
});
