import type { WorkflowExecutionDescription } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { FlowRecord, TaskRecord } from '../model/records';
import { progressOf } from '../model/outcome';
import { isActiveTask, isTerminalFlow, summarizeTasks } from '../model/status';
import { statusFromExecution } from './visibility';
import { lateHeartbeat, type LateHeartbeat } from './heartbeat';

type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;

/**
 * Where a shown record came from: the flow itself (its query), or — for a flow no worker has
 * picked up yet — how it was started, which is then all there is to it.
 */
export type RecordSource = 'query' | 'start';

export interface FlowSnapshot {
  flow: FlowRecord;
  source: RecordSource;
  /** Temporal's execution status, e.g. RUNNING, COMPLETED, CANCELLED, TERMINATED. */
  executionStatus: string;
  /** Running tasks the server has not heard from lately (their worker may be gone or blocked), by task id. */
  lateHeartbeats?: Record<string, LateHeartbeat>;
}

/** The running tasks whose heartbeat is late, by task id (none when all are heard from). */
export function lateHeartbeatsOf(description: WorkflowExecutionDescription, now = new Date()): Record<string, LateHeartbeat> {
  const late: Record<string, LateHeartbeat> = {};
  for (const pending of description.raw.pendingActivities ?? []) {
    const found = lateHeartbeat(pending, now);
    if (found && pending.activityId) late[pending.activityId] = found;
  }
  return late;
}

const timeOf = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): string | null => {
  if (!t || t.seconds == null) return null;
  return new Date(Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString();
};

function decodeFirst(payloads: temporal.api.common.v1.IPayloads | null | undefined): unknown {
  const first = payloads?.payloads?.[0];
  if (!first) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(first);
  } catch {
    return undefined;
  }
}

/** A running task as Temporal sees it right now: started or not, attempt, heartbeat progress, last failure. */
function withPendingActivity(task: TaskRecord, pending: PendingActivity): TaskRecord {
  const started = pending.state === 2 /* STARTED */ || pending.state === 3; /* CANCEL_REQUESTED */
  const progress = progressOf(decodeFirst(pending.heartbeatDetails));
  return {
    ...task,
    status: started ? 'running' : 'queued',
    // An active task's record holds its first attempt number (above 1 in a retried run); Temporal counts from 1.
    attempt: pending.attempt ? task.attempt - 1 + pending.attempt : task.attempt,
    startedAt: timeOf(pending.lastStartedTime) ?? task.startedAt,
    lastEventAt: timeOf(pending.lastHeartbeatTime) ?? timeOf(pending.lastStartedTime) ?? task.lastEventAt,
    progressSummary: progress ?? task.progressSummary,
    error: pending.lastFailure?.message ?? task.error,
  };
}

/**
 * The record merged with what describe knows better: live activity state, and the end of an
 * execution that closed without the flow writing its final status (terminated → lost, timed out → failed).
 */
export function mergeDescription(record: FlowRecord, description: WorkflowExecutionDescription, source: RecordSource): FlowRecord {
  const pending = new Map((description.raw.pendingActivities ?? []).map((p) => [p.activityId ?? '', p]));
  let tasks = record.tasks.map((t) => (isActiveTask(t.status) && pending.has(t.taskId) ? withPendingActivity(t, pending.get(t.taskId)!) : t));

  const status = statusFromExecution(description.status.name, record.status);
  let merged: FlowRecord = { ...record, runId: description.runId, tasks };
  if (status !== record.status && !isTerminalFlow(record)) {
    const endedAt = description.closeTime?.toISOString() ?? record.updatedAt;
    tasks = tasks.map((t) => (isActiveTask(t.status) ? { ...t, status: 'lost', endedAt, terminalSummary: `workflow execution ${description.status.name.toLowerCase()}` } : t));
    merged = { ...merged, status, endedAt, tasks, error: record.error ?? `Workflow execution ${description.status.name.toLowerCase().replace('_', ' ')}.` };
  }
  return source === 'query' ? { ...merged, taskSummary: summarizeTasks(merged.tasks) } : merged;
}
