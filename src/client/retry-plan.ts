import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { LIST_MEMO_KEY, type FlowListMemo } from '../model/listing';
import { MESSAGES, type RetriedSignal } from '../model/messages';
import type { FlowRecord, TaskRecord } from '../model/records';
import { FlowError, InvalidFlowInputError } from './errors';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Where `flow retry` resets an ended run to, and what the new run must be told about the old one. */
export interface RetryPlan {
  /** The workflow task the new run starts again from (its WorkflowTaskCompleted event id). */
  resetEventId: number;
  /** Attempts of the tasks the new run creates again, by task id. */
  attempts: RetriedSignal['attempts'];
  /** When the tasks really ended whose end the new run records again, by task id. */
  ended: RetriedSignal['ended'];
}

/** Tasks whose end a retry runs again from. */
const RETRIED_TASK_STATUSES: readonly TaskRecord['status'][] = ['failed', 'timed_out', 'cancelled', 'lost'];

/**
 * The plan for retrying the run whose record is `old` and whose history is `events`: from the start of
 * `fromStep`, or from just before the task that failed or was cancelled. Pure: a rule, no server.
 */
export function planRetry(old: FlowRecord, events: readonly HistoryEvent[], fromStep?: string): RetryPlan {
  const resetEventId = fromStep !== undefined ? stepResetPoint(old.flowId, events, fromStep) : failureResetPoint(old, events);
  return planFromResetPoint(old, events, resetEventId);
}

/** The plan of a reset already made to `resetEventId` (a retry interrupted before its signal). */
export function planFromResetPoint(old: FlowRecord, events: readonly HistoryEvent[], resetEventId: number): RetryPlan {
  return { resetEventId, attempts: rerunAttempts(old, events, resetEventId), ended: endedAtReset(old, events, resetEventId) };
}

const idOf = (event: HistoryEvent): number => Number(event.eventId ?? 0);

/** The activity-scheduled event of each task of this run, by task id (= activity id). */
function scheduledTasks(events: readonly HistoryEvent[]): Map<string, HistoryEvent> {
  const scheduled = new Map<string, HistoryEvent>();
  for (const event of events) {
    const activityId = event.activityTaskScheduledEventAttributes?.activityId;
    if (activityId && !scheduled.has(activityId)) scheduled.set(activityId, event);
  }
  return scheduled;
}

/**
 * Where a failed, cancelled or lost run is retried from: the workflow task that scheduled its first
 * task that failed or was cancelled; never after the workflow task that took a cancel (which the
 * new run must not see). Without such a task, the last workflow task before the run ended.
 */
function failureResetPoint(old: FlowRecord, events: readonly HistoryEvent[]): number {
  const scheduled = scheduledTasks(events);
  const candidates: number[] = [];
  const child = old.tasks.find((t) => RETRIED_TASK_STATUSES.includes(t.status) && t.childFlowId !== null);
  if (child) {
    // Run again, the task would start its child flow under the same id, which is never reused.
    throw new InvalidFlowInputError(
      `Flow ${old.flowId} ended at its child flow ${child.childFlowId} (task ${child.taskId}), which cannot run twice under one id; ` +
        `retry the child flow itself (taskflow flow retry ${child.childFlowId}).`,
      { childFlowId: child.childFlowId, taskId: child.taskId },
    );
  }
  const failing = old.tasks.find((t) => RETRIED_TASK_STATUSES.includes(t.status) && scheduled.has(t.taskId));
  const scheduledBy = failing && scheduled.get(failing.taskId)!.activityTaskScheduledEventAttributes!.workflowTaskCompletedEventId;
  if (Number(scheduledBy ?? 0) > 0) candidates.push(Number(scheduledBy));
  let lastCompleted = 0;
  for (const event of events) {
    if (event.workflowTaskCompletedEventAttributes) lastCompleted = idOf(event);
    const acceptedCancel = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === MESSAGES.cancel;
    if (acceptedCancel || event.workflowExecutionCancelRequestedEventAttributes) {
      // A cancel request between workflow tasks is seen by the next one: reset to the one before it.
      if (lastCompleted > 0) candidates.push(lastCompleted);
      break;
    }
  }
  if (candidates.length === 0 && lastCompleted > 0) candidates.push(lastCompleted);
  if (candidates.length === 0) {
    throw new FlowError(
      'not_ended',
      `Flow ${old.flowId} ended before it ran any of its code; there is nothing to retry from. Start it again instead.`,
    );
  }
  return Math.min(...candidates);
}

/** The workflow task that first made `step` the flow's current step (as published in the memo). */
function stepResetPoint(flowId: string, events: readonly HistoryEvent[], step: string): number {
  const reached: string[] = [];
  for (const event of events) {
    const modified = event.workflowPropertiesModifiedEventAttributes;
    const field = modified?.upsertedMemo?.fields?.[LIST_MEMO_KEY];
    if (!field) continue;
    const currentStep = decode<Partial<FlowListMemo>>(field)?.currentStep;
    if (typeof currentStep !== 'string' || reached.includes(currentStep)) continue;
    if (currentStep === step) return Number(modified!.workflowTaskCompletedEventId);
    reached.push(currentStep);
  }
  const listed =
    reached.length > 0 ? `the steps it reached are ${reached.map((s) => JSON.stringify(s)).join(', ')}` : 'it reached no named step';
  throw new InvalidFlowInputError(`Flow ${flowId} never reached step ${JSON.stringify(step)} in its last run; ${listed}.`, {
    steps: reached,
  });
}

/**
 * The attempts each task the new run creates again had in the old run (its record, or Temporal's
 * count when higher), so its next attempt is numbered after them.
 */
function rerunAttempts(old: FlowRecord, events: readonly HistoryEvent[], resetEventId: number): RetryPlan['attempts'] {
  const scheduled = scheduledTasks(events);
  const startedAttempt = new Map<number, number>();
  for (const event of events) {
    const started = event.activityTaskStartedEventAttributes;
    if (started) startedAttempt.set(Number(started.scheduledEventId), started.attempt ?? 1);
  }
  const attempts: RetryPlan['attempts'] = {};
  for (const task of old.tasks) {
    const event = scheduled.get(task.taskId);
    if (!event || idOf(event) < resetEventId) continue;
    attempts[task.taskId] = Math.max(task.attempt, startedAttempt.get(idOf(event)) ?? 0);
  }
  return attempts;
}

/**
 * Tasks whose end the workflow task at the reset point took in: the new run records that end again,
 * at its own time, so the signal brings back when they really ended.
 */
function endedAtReset(old: FlowRecord, events: readonly HistoryEvent[], resetEventId: number): RetryPlan['ended'] {
  const activityIds = new Map<number, string>();
  let previousTask = 0;
  for (const event of events) {
    if (idOf(event) >= resetEventId) break;
    const activityId = event.activityTaskScheduledEventAttributes?.activityId;
    if (activityId) activityIds.set(idOf(event), activityId);
    if (event.workflowTaskCompletedEventAttributes) previousTask = idOf(event);
  }
  const tasks = new Map(old.tasks.map((t) => [t.taskId, t]));
  const ended: RetryPlan['ended'] = {};
  for (const event of events) {
    const id = idOf(event);
    if (id <= previousTask) continue;
    if (id >= resetEventId) break;
    const closed =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    const task = closed ? tasks.get(activityIds.get(Number(closed.scheduledEventId)) ?? '') : undefined;
    if (task) ended[task.taskId] = { endedAt: task.endedAt, lastEventAt: task.lastEventAt };
  }
  return ended;
}

function decode<T>(payload: temporal.api.common.v1.IPayload): T | undefined {
  try {
    return defaultPayloadConverter.fromPayload<T>(payload);
  } catch {
    return undefined;
  }
}
