import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { MESSAGES, RETRY_PENDING, type RetriedSignal } from '../model/messages';
import type { FlowRecord } from '../model/records';
import { SA_SYNC_MODE } from '../model/search-attributes';
import { FlowError, FlowNotFoundError, RecordUnavailableError } from './errors';
import { isNotFound, resolveDescribed } from './lookup';
import { readRecord, workerPolls, type RecordReader } from './record';
import { planFromResetPoint, planRetry, type RetryPlan } from './retry-plan';
import type { FlowSession } from './session';
import { mergeDescription } from './snapshot';
import { flowRecordFromExecution } from './visibility';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { ResetReapplyExcludeType, WorkflowTaskFailedCause } = temporal.api.enums.v1;

export interface RetryOptions {
  /** Run again from the start of this step (also a flow that succeeded); default: from the task that failed or was cancelled. */
  fromStep?: string;
  /** Why; recorded in the new run's `retriedFrom` and on Temporal's reset marker. */
  reason?: string;
}

/** What `retryFlow` needs of a FlowSession. */

const POLL_MS = 250;
const WORKER_CHECK_MS = 5_000;

/**
 * Runs an ended managed flow again under the same id (spec §14), through Temporal's reset: the new
 * run keeps the history up to just before the task that failed or was cancelled (or the start of
 * `fromStep`), so the tasks that succeeded before it are not run again. A signal right after the
 * reset carries the old run's last revision and its tasks' attempts; the new run answers no record
 * before it, so the revision never goes back. Answers the new run's record once its first workflow
 * task completed; a run the flow's code no longer replays is refused, or terminated if only the new
 * run finds out, never left retrying a workflow task.
 */
export async function retryFlow(session: FlowSession, lookup: string, options: RetryOptions = {}): Promise<FlowRecord> {
  const { client } = session;
  const resolved = await session.call(() => resolveDescribed(client, lookup));
  const flowId = resolved.flowId;
  const description = resolved.description ?? (await session.call(() => client.workflow.getHandle(flowId).describe()));
  const reason = options.reason ?? null;
  const listed = flowRecordFromExecution(description);
  if (!listed) throw new FlowNotFoundError(flowId);
  if (description.typedSearchAttributes.get(SA_SYNC_MODE) !== 'managed') {
    throw new FlowError('not_managed', `Flow ${flowId} is a mirrored flow; its tasks run elsewhere, so only a managed flow can be retried.`, {
      syncMode: listed.syncMode,
    });
  }
  if (description.status.name === 'RUNNING') {
    const finished = await finishInterruptedRetry(session, flowId, description.runId);
    if (finished) return finished;
    throw new FlowError(
      'not_ended',
      `Flow ${flowId} is ${listed.status} and has not ended; only a flow that ended failed, cancelled, lost or timed out ` +
        'can be retried (cancel it first to retry it now).',
      { status: listed.status },
    );
  }

  const runId = description.runId;
  const old = mergeDescription(await readOldRecord(session.reader(), flowId, runId), description, 'query');
  if ((old.status === 'succeeded' || old.status === 'blocked') && options.fromStep === undefined) {
    throw new FlowError(
      'not_ended',
      `Flow ${flowId} ${old.status === 'succeeded' ? 'succeeded' : 'ended blocked'}, so there is nothing to retry; ` +
        'use --from-step STEP to run it again from a step.',
      { status: old.status },
    );
  }
  const history = await session.call(() => client.workflow.getHandle(flowId, runId).fetchHistory());
  const plan = planRetry(old, history.events ?? [], options.fromStep);

  return withRetryLock(session, flowId, runId, async () => {
    const current = await session.call(() => client.workflow.getHandle(flowId).describe());
    if (current.runId !== runId) {
      throw new FlowError('not_ended', `Flow ${flowId} was retried meanwhile (run ${current.runId}); see taskflow flow show ${flowId}.`, {
        runId: current.runId,
      });
    }
    const { runId: newRunId } = await session.call(() =>
      client.workflowService.resetWorkflowExecution({
        namespace: session.reader().namespace,
        workflowExecution: { workflowId: flowId, runId },
        reason: `taskflow flow retry${reason ? `: ${reason}` : ''}`,
        // A plain number: protobufjs encodes it as the 64-bit event id.
        workflowTaskFinishEventId: plan.resetEventId as never,
        // One id for every retry of this run: a retried request is one reset (the lock keeps out a second process).
        requestId: retryRequestId(flowId, runId),
        // Writes after the reset point (the cancel, resumes) are not applied again: the run starts over from there.
        resetReapplyExcludeTypes: [
          ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL,
          ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE,
        ],
      }),
    );
    // The server (1.32) refuses a signal as a post-reset operation, so it follows the reset; until it arrives
    // the new run answers no record (ManagedFlow.awaitingRetry), so no reader sees its revision behind.
    await signalRetried(session, flowId, newRunId, { runId, reason, record: old }, plan);
    await firstWorkflowTask(session, flowId, runId, newRunId);
    return (await session.snapshot(flowId)).flow;
  });
}

/** Tells the run a reset made what it continues: the old run's last revision, its tasks' attempts and ends. */
function signalRetried(
  session: FlowSession,
  flowId: string,
  runId: string,
  from: { runId: string; reason: string | null; record: FlowRecord },
  plan: RetryPlan,
): Promise<void> {
  const signal: RetriedSignal = {
    forRunId: runId,
    fromRunId: from.runId,
    reason: from.reason,
    lastRevision: from.record.revision,
    attempts: plan.attempts,
    ended: plan.ended,
  };
  return session.call(() => session.client.workflow.getHandle(flowId, runId).signal<[RetriedSignal]>(MESSAGES.retried, signal));
}

/**
 * A run made by a reset that never got its retry signal (the retrying process died between the two,
 * or someone reset the flow outside TaskFlow) waits for it: send it now, from the run it was reset
 * from. Null when the open run is not such a run.
 */
async function finishInterruptedRetry(session: FlowSession, flowId: string, runId: string): Promise<FlowRecord | null> {
  const { client } = session;
  const handle = client.workflow.getHandle(flowId, runId);
  const pending = await client.connection
    .withDeadline(Date.now() + 10_000, () => handle.query(MESSAGES.record, { taskLimit: 0 }))
    .then(
      () => false,
      (err: unknown) => err instanceof Error && err.message.includes(RETRY_PENDING),
    );
  if (!pending) return null;
  const events = (await session.call(() => handle.fetchHistory())).events ?? [];
  const marker = events.find((e) => isResetMarker(e) && e.workflowTaskFailedEventAttributes!.newRunId === runId);
  const fromRunId = marker?.workflowTaskFailedEventAttributes?.baseRunId;
  if (!marker || !fromRunId) return null;
  const baseDescription = await session.call(() => client.workflow.getHandle(flowId, fromRunId).describe());
  const old = mergeDescription(await readOldRecord(session.reader(), flowId, fromRunId), baseDescription, 'query');
  const baseEvents = (await session.call(() => client.workflow.getHandle(flowId, fromRunId).fetchHistory())).events ?? [];
  const plan = planFromResetPoint(old, baseEvents, Number(marker.eventId));
  const reason = (marker.workflowTaskFailedEventAttributes!.failure?.message ?? '').replace(/^taskflow flow retry:? ?/, '') || null;
  // A run that ended meanwhile keeps the record it ended with (after the read's wait, as it stands).
  await signalRetried(session, flowId, runId, { runId: fromRunId, reason, record: old }, plan).catch((err) => {
    if (!isNotFound(err)) throw err;
  });
  return (await session.snapshot(flowId)).flow;
}

function isResetMarker(event: HistoryEvent): boolean {
  return event.workflowTaskFailedEventAttributes?.cause === WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW;
}

/** A request id that is the same for every retry of one run (a UUID made from its ids). */
export function retryRequestId(flowId: string, runId: string): string {
  const hex = createHash('sha256').update(`taskflow-retry\u0000${flowId}\u0000${runId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Where retry locks are started; no worker polls it, so a lock is an execution that only waits. */
const LOCK_TASK_QUEUE = 'taskflow-retry-locks';

/**
 * One retry of a run at a time. The server (1.32) does not dedupe resets by request id, and a
 * second reset of the same run would terminate the first one's new run: so a retry holds a lock,
 * an execution with an id made from the run, started with no other of that id running. It ends
 * when the retry does, or after a few minutes if that process died.
 */
async function withRetryLock<T>(session: FlowSession, flowId: string, runId: string, retry: () => Promise<T>): Promise<T> {
  let lock: WorkflowHandle;
  try {
    lock = await session.client.workflow.start('taskflowRetryLock', {
      workflowId: `taskflow-retry-lock:${flowId}:${runId}`,
      taskQueue: LOCK_TASK_QUEUE,
      workflowExecutionTimeout: '5m',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: `TaskFlow: retry of flow ${flowId} from run ${runId} in progress`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    throw new FlowError(
      'not_ended',
      `Flow ${flowId} is being retried by another process right now; follow it with taskflow flow show ${flowId} --watch.`,
      { status: 'retrying' },
    );
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
      `Flow ${flowId} cannot be retried: its code no longer replays run ${runId} (${replayError.replace(/[.\s]+$/, '')}); ` +
        'deploy code that replays it, then retry.',
      { runId, replayError },
    );
  }
}

/** The replay failure in a worker's answer, e.g. `[TMPRL1100] Nondeterminism error: …`, up to the end of its line. */
const NONDETERMINISM = /(\[TMPRL1100\]|Nondeterminism)[^\n]*/;

/**
 * Waits for the new run's first workflow task: completed, the retry stands; failed (the code no
 * longer replays the old history), the run is terminated so it does not retry that task unnoticed,
 * and the error names the replay failure.
 */
async function firstWorkflowTask(session: FlowSession, flowId: string, fromRunId: string, runId: string): Promise<void> {
  const { client } = session;
  const reader = session.reader();
  const execution = { workflowId: flowId, runId };
  let nextWorkerCheck = Date.now() + WORKER_CHECK_MS;
  for (;;) {
    const { history } = await session.call(() =>
      client.workflowService.getWorkflowExecutionHistoryReverse({ namespace: reader.namespace, execution, maximumPageSize: 20 }),
    );
    const outcome = (history?.events ?? []).find(
      (e) => e.workflowTaskCompletedEventAttributes || e.workflowTaskFailedEventAttributes || isClose(e),
    );
    const failed = outcome?.workflowTaskFailedEventAttributes;
    if (outcome && !failed) return;
    if (failed && !isResetMarker(outcome!)) {
      const replayError = (failed.failure?.message ?? 'unknown error').split('\n')[0]!;
      await session.call(() => client.workflow.getHandle(flowId, runId).terminate(`taskflow flow retry: ${replayError}`)).catch(() => undefined);
      throw new FlowError(
        'not_replayable',
        `Flow ${flowId} could not be retried: its code no longer replays run ${fromRunId} (${replayError}); ` +
          `the new run ${runId} was terminated, so deploy code that replays it and retry again.`,
        { runId, fromRunId, replayError },
      );
    }
    if (Date.now() >= nextWorkerCheck) {
      nextWorkerCheck = Date.now() + WORKER_CHECK_MS;
      if (!(await workerPolls(reader))) {
        throw new FlowError(
          'server_unavailable',
          `Flow ${flowId} was reset to new run ${runId}, but no TaskFlow worker polls task queue ${reader.taskQueue} to run it; ` +
            'start one with taskflow worker and it continues.',
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
