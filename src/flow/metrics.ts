import { ApplicationFailure, metricMeter, workflowInfo, type WorkflowInboundCallsInterceptor } from '@temporalio/workflow';
import type { FlowRecord, SyncMode, TaskRecord } from '../model/records';
import { MIRRORED_WORKFLOW_TYPE } from '../model/transitions';

/**
 * TaskFlow's own metrics, counted inside the workflow through the SDK's workflow metric meter: it
 * drops what a replay re-counts, and the worker exports it beside the SDK's metrics (served when
 * `worker.metrics.prometheus` is set). The exporter adds `_total` to counters and the labels
 * `namespace`, `task_queue`, `workflow_type` and `service_name`.
 */
export const METRIC_NAMES = {
  flowsStarted: 'taskflow_flows_started',
  flowsEnded: 'taskflow_flows_ended',
  tasksEnded: 'taskflow_tasks_ended',
  writesApplied: 'taskflow_writes_applied',
  writesNoop: 'taskflow_writes_noop',
  revisionConflicts: 'taskflow_revision_conflicts',
  cancelLatency: 'taskflow_cancel_latency_seconds',
} as const;

/** Seconds from a cancel request to the flow ending cancelled. */
export const CANCEL_LATENCY_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];

const count = (name: string, description: string, labels: Record<string, string>) =>
  metricMeter.createCounter(name, undefined, description).add(1, labels);

/** A new flow (not a continue-as-new run of one) started. */
export function countFlowStarted(mode: SyncMode): void {
  count(METRIC_NAMES.flowsStarted, 'Flows started', { mode });
}

/** A flow ended; a cancelled one also records how long its cancel took. */
export function countFlowEnded(record: Pick<FlowRecord, 'status' | 'syncMode' | 'cancelRequestedAt' | 'endedAt'>): void {
  count(METRIC_NAMES.flowsEnded, 'Flows ended, by final status', { status: record.status, mode: record.syncMode });
  if (record.status !== 'cancelled' || !record.cancelRequestedAt || !record.endedAt) return;
  const seconds = Math.max(0, Date.parse(record.endedAt) - Date.parse(record.cancelRequestedAt)) / 1000;
  metricMeter
    .createHistogram(METRIC_NAMES.cancelLatency, 'float', 's', 'Seconds from a cancel request to the flow ending cancelled')
    .record(seconds, { mode: record.syncMode });
}

/** A managed flow's task ended: succeeded, blocked, failed, timed_out or cancelled. */
export function countTaskEnded(task: Partial<Pick<TaskRecord, 'status' | 'terminalOutcome'>>): void {
  const outcome = task.status === 'succeeded' && task.terminalOutcome === 'blocked' ? 'blocked' : (task.status ?? 'unknown');
  count(METRIC_NAMES.tasksEnded, 'Tasks of managed flows ended, by outcome', { outcome });
}

/** A write a flow answered: applied (a new revision), or a no-op with its reason. */
export function countWrite(mode: SyncMode, result: { applied: boolean; reason?: string }): void {
  if (result.applied) count(METRIC_NAMES.writesApplied, 'Writes applied (each made a new revision)', { mode });
  else count(METRIC_NAMES.writesNoop, 'Writes that changed nothing, by reason', { mode, reason: result.reason ?? 'unknown' });
}

/** A write refused because it expected another revision. */
export function countConflict(mode: SyncMode): void {
  count(METRIC_NAMES.revisionConflicts, 'Writes refused for a stale expected revision', { mode });
}

const modeOfThisFlow = (): SyncMode => (workflowInfo().workflowType === MIRRORED_WORKFLOW_TYPE ? 'mirrored' : 'managed');

/**
 * Counts every update a flow answers (the write contract `{applied, reason?}`) and every one its
 * validator refuses for a stale revision. Signals are fire-and-forget and not counted.
 */
export const writeMetricsInterceptor: WorkflowInboundCallsInterceptor = {
  validateUpdate(input, next) {
    try {
      next(input);
    } catch (err) {
      if (err instanceof ApplicationFailure && err.type === 'revision_conflict') countConflict(modeOfThisFlow());
      throw err;
    }
  },
  async handleUpdate(input, next) {
    const result = await next(input);
    if (isWriteResult(result)) countWrite(modeOfThisFlow(), result);
    return result;
  },
};

function isWriteResult(value: unknown): value is { applied: boolean; reason?: string } {
  return typeof value === 'object' && value !== null && typeof (value as { applied?: unknown }).applied === 'boolean';
}
