import type { WorkflowExecutionInfo, WorkflowExecutionStatusName } from '@temporalio/client';
import type { FlowListMemo } from '../model/listing';
import { LIST_MEMO_KEY } from '../model/listing';
import type { FlowRecord, FlowStatus, SyncMode, TaskSummary } from '../model/records';
import {
  SA_LOOKUP_KEY,
  SA_REVISION,
  SA_STATUS,
  SA_SYNC_MODE,
  SA_ACTIVE_TASKS,
  SA_TOTAL_TASKS,
} from '../model/search-attributes';
import { isActiveTask, summarizeTasks } from '../model/status';

/** What `flow list` and the pressure line filter on (spec §7, §10). */
export interface FlowFilter {
  statuses?: FlowStatus[];
  mode?: SyncMode;
  flowType?: string;
  lookupKey?: string;
  /** Keep open flows and flows that started or ended at or after this time. */
  since?: Date;
}

/** Every flow, once: a flow that continued-as-new is listed by its current run only. */
export const IS_FLOW = `${SA_SYNC_MODE.name} IS NOT NULL AND ExecutionStatus != 'ContinuedAsNew'`;

/** A string literal of the visibility query language. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const OPEN = `ExecutionStatus = 'Running'`;

/**
 * The visibility clause for one flow status. A flow whose execution ended without writing its final
 * status (terminated, timed out) still carries its last status attribute, so Temporal's own
 * execution status decides those, as `flow show` does.
 */
export function statusClause(status: FlowStatus): string {
  const is = `${SA_STATUS.name} = ${quote(status)}`;
  switch (status) {
    case 'queued':
    case 'running':
    case 'waiting':
      return `(${is} AND ${OPEN})`;
    case 'blocked':
      return `(${is} AND ExecutionStatus IN ('Running', 'Completed'))`;
    case 'lost':
      return `(${is} OR ExecutionStatus = 'Terminated')`;
    case 'failed':
      return `(${is} OR ExecutionStatus = 'TimedOut')`;
    default:
      return `(${is} AND ExecutionStatus NOT IN ('Terminated', 'TimedOut'))`;
  }
}

export function buildListQuery(filter: FlowFilter, extra: string[] = []): string {
  const clauses = [IS_FLOW];
  if (filter.statuses?.length) clauses.push(`(${filter.statuses.map(statusClause).join(' OR ')})`);
  if (filter.mode) clauses.push(`${SA_SYNC_MODE.name} = ${quote(filter.mode)}`);
  if (filter.flowType) clauses.push(`WorkflowType = ${quote(filter.flowType)}`);
  if (filter.lookupKey) clauses.push(`${SA_LOOKUP_KEY.name} = ${quote(filter.lookupKey)}`);
  if (filter.since) {
    const at = quote(filter.since.toISOString());
    clauses.push(`(${OPEN} OR StartTime >= ${at} OR CloseTime >= ${at})`);
  }
  return [...clauses, ...extra].join(' AND ');
}

/** The flow status a closed execution stands for when the flow could not write its own. */
export function statusFromExecution(execution: WorkflowExecutionStatusName, recorded: FlowStatus): FlowStatus {
  if (execution === 'TERMINATED') return 'lost';
  if (execution === 'TIMED_OUT') return 'failed';
  return recorded;
}

/** A flow record as the visibility store has it: search attributes and memo, no query needed. */
export function flowRecordFromExecution(info: Omit<WorkflowExecutionInfo, 'raw'>): FlowRecord | null {
  const sa = info.typedSearchAttributes;
  const syncMode = sa.get(SA_SYNC_MODE) as SyncMode | undefined;
  if (!syncMode) return null;
  const memo = (info.memo?.[LIST_MEMO_KEY] ?? {}) as Partial<FlowListMemo>;
  const recorded = (sa.get(SA_STATUS) ?? 'queued') as FlowStatus;
  const status = statusFromExecution(info.status.name, recorded);
  const ended = status !== recorded;
  const endedAt = info.closeTime?.toISOString() ?? null;
  // An execution that ended without the flow's word left its active tasks behind: they are lost too.
  const tasks = (memo.tasks ?? []).map((t) => (ended && isActiveTask(t.status) ? { ...t, status: 'lost' as const, endedAt } : t));
  const recordedSummary = memo.taskSummary ?? summarizeTasks(tasks);
  const summary = ended ? lostActiveTasks(recordedSummary) : recordedSummary;
  return {
    flowId: info.workflowId,
    runId: info.runId,
    flowType: memo.flowType ?? info.type,
    syncMode,
    status,
    revision: sa.get(SA_REVISION) ?? 0,
    lookupKey: sa.get(SA_LOOKUP_KEY) ?? memo.lookupKey ?? null,
    goal: memo.goal ?? info.type,
    currentStep: memo.currentStep ?? null,
    state: null,
    wait: memo.wait ?? null,
    blocked: memo.blocked ?? null,
    cancelRequestedAt: memo.cancelRequestedAt ?? null,
    cancelReason: memo.cancelReason ?? null,
    createdAt: memo.createdAt ?? info.startTime.toISOString(),
    updatedAt: memo.updatedAt ?? info.startTime.toISOString(),
    endedAt: memo.endedAt ?? endedAt,
    error: memo.error ?? (ended ? `Workflow execution ${info.status.name.toLowerCase().replace('_', ' ')}.` : null),
    result: null,
    tasks,
    taskSummary: memo.taskSummary || ended ? summary : { ...summary, active: sa.get(SA_ACTIVE_TASKS) ?? 0, total: sa.get(SA_TOTAL_TASKS) ?? 0 },
  };
}

/** A task summary whose active tasks are counted lost (their flow's execution is gone). */
export function lostActiveTasks(summary: TaskSummary): TaskSummary {
  if (summary.active === 0) return summary;
  const byStatus: Record<string, number> = { ...summary.byStatus, lost: (summary.byStatus.lost ?? 0) + summary.active };
  delete byStatus.queued;
  delete byStatus.running;
  return { ...summary, active: 0, terminal: summary.total, failures: summary.failures + summary.active, byStatus };
}
