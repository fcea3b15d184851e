import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { LIST_MEMO_KEY, type FlowListMemo } from '../model/listing';
import { MESSAGES, type RetriedSignal } from '../model/messages';
import type { FlowRecord, TaskRecord } from '../model/records';
import { SA_SYNC_MODE } from '../model/search-attributes';
import { FlowError, InvalidFlowInputError, RecordUnavailableError } from './errors';
import { readRecord, workerPolls, type RecordReader } from './record';
import { mergeDescription, type FlowSnapshot } from './snapshot';
import { flowRecordFromExecution } from './visibility';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface RetryOptions {
  /** Run again from the start of this step (also a flow that succeeded); default: from the task that failed or was cancelled. */
  fromStep?: string;
  /** Why; recorded in the new run's `retriedFrom` and on Temporal's reset marker. */
  reason?: string;
}

/** What `retryFlow` needs of FlowClient. */
export interface RetryAccess {
  client: Client;
  reader: RecordReader;
  call<T>(fn: () => Promise<T>): Promise<T>;
  snapshot(flowId: string): Promise<FlowSnapshot>;
}

/** Tasks whose end a retry runs again from. */
const RETRIED_TASK_STATUSES: readonly TaskRecord['status'][] = ['failed', 'timed_out', 'cancelled', 'lost'];
const POLL_MS = 250;
const WORKER_CHECK_MS = 5_000;

/**
 * Runs an ended managed flow again under the same id (spec §14), through Temporal's reset: the new
 * run keeps the history up to just before the task that failed or was cancelled (or the start of
 * `fromStep`), so the tasks that succeeded before it are not run again. A signal right after the
 * reset carries the old run's last revision and its tasks' attempts; the new run answers no record
 * before it, so the revision never goes back. Answers the new run's record once its first workflow
 * task completed; if the flow's code no longer replays the old history, the new run is terminated
 * and the error names the replay failure.
 */
export async function retryFlow(access: RetryAccess, flowId: string, description: WorkflowExecutionDescription, options: RetryOptions): Promise<FlowRecord> {
  const { client } = access;
  const reason = options.reason ?? null;
  const listed = flowRecordFromExecution(description);
  if (!listed) throw new FlowError('not_found', `TaskFlow not found: ${flowId}. Run taskflow flow list to see recent flow ids.`);
  if (description.typedSearchAttributes.get(SA_SYNC_MODE) !== 'managed') {
    throw new FlowError('not_managed', `Flow ${flowId} is a mirrored flow; its tasks run elsewhere, so only a managed flow can be retried.`, {
      syncMode: listed.syncMode,
    });
  }
  if (description.status.name === 'RUNNING') {
    throw new FlowError(
      'not_ended',
      `Flow ${flowId} is ${listed.status} and has not ended; only a flow that ended failed, cancelled, lost or timed out can be retried (cancel it first to retry it now).`,
      { status: listed.status },
    );
  }

  const runId = description.runId;
  const old = mergeDescription(await readOldRecord(access.reader, flowId, runId), description, 'query');
  if ((old.status === 'succeeded' || old.status === 'blocked') && options.fromStep === undefined) {
    throw new FlowError(
      'not_ended',
      `Flow ${flowId} ${old.status === 'succeeded' ? 'succeeded' : 'ended blocked'}, so there is nothing to retry; use --from-step STEP to run it again from a step.`,
      { status: old.status },
    );
  }

  const history = await access.call(() => client.workflow.getHandle(flowId, runId).fetchHistory());
  const events = history.events ?? [];
  const resetEventId =
    options.fromStep !== undefined ? stepResetPoint(flowId, events, options.fromStep) : failureResetPoint(old, events);
  return withRetryLock(access, flowId, runId, async () => {
    const current = await access.call(() => client.workflow.getHandle(flowId).describe());
    if (current.runId !== runId) {
      throw new FlowError('not_ended', `Flow ${flowId} was retried meanwhile (run ${current.runId}); see taskflow flow show ${flowId}.`, { runId: current.runId });
    }
    const { runId: newRunId } = await access.call(() =>
      client.workflowService.resetWorkflowExecution({
        namespace: access.reader.namespace,
        workflowExecution: { workflowId: flowId, runId },
        reason: `taskflow flow retry${reason ? `: ${reason}` : ''}`,
        // A plain number: protobufjs encodes it as the 64-bit event id.
        workflowTaskFinishEventId: resetEventId as never,
        // One id for every retry of this run: a retried request is one reset (the lock keeps out a second process).
        requestId: retryRequestId(flowId, runId),
        // Writes after the reset point (the cancel, resumes) are not applied again: the run starts over from there.
        resetReapplyExcludeTypes: [
          temporal.api.enums.v1.ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL,
          temporal.api.enums.v1.ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE,
        ],
      }),
    );
    // The server (1.32) takes no signal with the reset (postResetOperations), so it follows at once; until it
    // arrives the new run answers no record (see ManagedFlow.awaitingRetry), so no reader sees its revision behind.
    const attempts = rerunAttempts(old, events, resetEventId);
    const ended = endedAtReset(old, events, resetEventId);
    const signal: RetriedSignal = { forRunId: newRunId, fromRunId: runId, reason, lastRevision: old.revision, attempts, ended };
    await access.call(() => client.workflow.getHandle(flowId, newRunId).signal<[RetriedSignal]>(MESSAGES.retried, signal));
    await firstWorkflowTask(access, flowId, runId, newRunId);
    return (await access.snapshot(flowId)).flow;
  });
}

/** Where retry locks are started; no worker polls it, so a lock is an execution that only waits. */
const LOCK_TASK_QUEUE = 'taskflow-retry-locks';

/**
 * One retry of a run at a time. The server (1.32) does not dedupe resets by request id, and a
 * second reset of the same run would terminate the first one's new run: so a retry holds a lock,
 * an execution with an id made from the run, started with no other of that id running. It ends
 * when the retry does, or after a few minutes if that process died.
 */
async function withRetryLock<T>(access: RetryAccess, flowId: string, runId: string, retry: () => Promise<T>): Promise<T> {
  let lock: WorkflowHandle;
  try {
    lock = await access.client.workflow.start('taskflowRetryLock', {
      workflowId: `taskflow-retry-lock:${flowId}:${runId}`,
      taskQueue: LOCK_TASK_QUEUE,
      workflowExecutionTimeout: '5m',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: `TaskFlow: retry of flow ${flowId} from run ${runId} in progress`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    throw new FlowError('not_ended', `Flow ${flowId} is being retried by another process right now; follow it with taskflow flow show ${flowId} --watch.`, {
      status: 'retrying',
    });
  }
  try {
    return await retry();
  } finally {
    await lock.terminate('retry done').catch(() => undefined);
  }
}

/** The ended run's record; a worker whose code no longer replays that run cannot retry it either. */
async function readOldRecord(reader: RecordReader, flowId: string, runId: string): Promise<FlowRecord> {
  try {
    return await readRecord(reader, flowId, runId);
  } catch (err) {
    const replayError = err instanceof RecordUnavailableError ? NONDETERMINISM.exec(err.message)?.[0] : undefined;
    if (!replayError) throw err;
    throw new FlowError(
      'not_replayable',
      `Flow ${flowId} cannot be retried: its code no longer replays run ${runId} (${replayError.replace(/[.\s]+$/, '')}); deploy code that replays it, then retry.`,
      { runId, replayError },
    );
  }
}

/** The replay failure in a worker's answer, e.g. `[TMPRL1100] Nondeterminism error: …`, up to the end of its line. */
const NONDETERMINISM = /(\[TMPRL1100\]|Nondeterminism)[^\n]*/;

/** A request id that is the same for every retry of one run (a UUID made from its ids). */
export function retryRequestId(flowId: string, runId: string): string {
  const hex = createHash('sha256').update(`taskflow-retry\u0000${flowId}\u0000${runId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
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
  const failing = old.tasks.find((t) => RETRIED_TASK_STATUSES.includes(t.status) && scheduled.has(t.taskId));
  if (failing) candidates.push(Number(scheduled.get(failing.taskId)!.activityTaskScheduledEventAttributes!.workflowTaskCompletedEventId));
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
    throw new FlowError('not_ended', `Flow ${old.flowId} ended before it ran any of its code; there is nothing to retry from. Start it again instead.`);
  }
  return Math.min(...candidates);
}

/** The workflow task that first made `step` the flow's current step (published in the memo). */
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
  const listed = reached.length > 0 ? `the steps it reached are ${reached.map((s) => JSON.stringify(s)).join(', ')}` : 'it reached no named step';
  throw new InvalidFlowInputError(`Flow ${flowId} never reached step ${JSON.stringify(step)} in its last run; ${listed}.`, { steps: reached });
}

/**
 * The attempts each task the new run creates again had in the old run (its record, or Temporal's
 * count when higher), so its next attempt is numbered after them.
 */
function rerunAttempts(old: FlowRecord, events: readonly HistoryEvent[], resetEventId: number): Record<string, number> {
  const scheduled = scheduledTasks(events);
  const startedAttempt = new Map<number, number>();
  for (const event of events) {
    const started = event.activityTaskStartedEventAttributes;
    if (started) startedAttempt.set(Number(started.scheduledEventId), started.attempt ?? 1);
  }
  const attempts: Record<string, number> = {};
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
function endedAtReset(old: FlowRecord, events: readonly HistoryEvent[], resetEventId: number): RetriedSignal['ended'] {
  const activityIds = new Map<number, string>();
  let previousTask = 0;
  for (const event of events) {
    if (idOf(event) >= resetEventId) break;
    const activityId = event.activityTaskScheduledEventAttributes?.activityId;
    if (activityId) activityIds.set(idOf(event), activityId);
    if (event.workflowTaskCompletedEventAttributes) previousTask = idOf(event);
  }
  const ended: RetriedSignal['ended'] = {};
  for (const event of events) {
    const id = idOf(event);
    if (id <= previousTask) continue;
    if (id >= resetEventId) break;
    const closed =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    const taskId = closed ? activityIds.get(Number(closed.scheduledEventId)) : undefined;
    const task = taskId ? old.tasks.find((t) => t.taskId === taskId) : undefined;
    if (task) ended[task.taskId] = { endedAt: task.endedAt, lastEventAt: task.lastEventAt };
  }
  return ended;
}

/**
 * Waits for the new run's first workflow task: completed, the retry stands; failed (the code no
 * longer replays the old history), the run is terminated so it does not retry that task unnoticed,
 * and the error names the replay failure.
 */
async function firstWorkflowTask(access: RetryAccess, flowId: string, fromRunId: string, runId: string): Promise<void> {
  const { client, reader } = access;
  let nextWorkerCheck = Date.now() + WORKER_CHECK_MS;
  for (;;) {
    const { history } = await access.call(() =>
      client.workflowService.getWorkflowExecutionHistoryReverse({ namespace: reader.namespace, execution: { workflowId: flowId, runId }, maximumPageSize: 20 }),
    );
    const outcome = (history?.events ?? []).find((e) => e.workflowTaskCompletedEventAttributes || e.workflowTaskFailedEventAttributes || isClose(e));
    const failed = outcome?.workflowTaskFailedEventAttributes;
    const resetMarker = failed?.cause === temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW;
    if (outcome && !failed) return;
    if (failed && !resetMarker) {
      const replayError = (failed.failure?.message ?? 'unknown error').split('\n')[0]!;
      const message = `Flow ${flowId} could not be retried: its code no longer replays run ${fromRunId} (${replayError}); the new run ${runId} was terminated, so deploy code that replays it and retry again.`;
      await access.call(() => client.workflow.getHandle(flowId, runId).terminate(`taskflow flow retry: ${replayError}`)).catch(() => undefined);
      throw new FlowError('not_replayable', message, { runId, fromRunId, replayError });
    }
    if (Date.now() >= nextWorkerCheck) {
      nextWorkerCheck = Date.now() + WORKER_CHECK_MS;
      if (!(await workerPolls(reader))) {
        throw new FlowError(
          'server_unavailable',
          `Flow ${flowId} was reset to new run ${runId}, but no TaskFlow worker polls task queue ${reader.taskQueue} to run it; start one with taskflow worker and it continues.`,
          { runId, taskQueue: reader.taskQueue },
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function isClose(event: HistoryEvent): boolean {
  return Boolean(
    event.workflowExecutionCompletedEventAttributes ||
      event.workflowExecutionFailedEventAttributes ||
      event.workflowExecutionCanceledEventAttributes ||
      event.workflowExecutionTerminatedEventAttributes ||
      event.workflowExecutionTimedOutEventAttributes ||
      event.workflowExecutionContinuedAsNewEventAttributes,
  );
}

function decode<T>(payload: temporal.api.common.v1.IPayload): T | undefined {
  try {
    return defaultPayloadConverter.fromPayload<T>(payload);
  } catch {
    return undefined;
  }
}
