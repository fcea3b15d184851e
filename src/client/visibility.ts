import type { WorkflowExecutionInfo, WorkflowExecutionStatusName } from '@temporalio/client';
import type { FlowListMemo } from '../model/listing';
import { LIST_MEMO_KEY } from '../model/listing';
import type { FlowListEntry, FlowStatus, ListedTaskSummary, SyncMode } from '../model/records';
import {
  SA_ACTIVE_TASKS,
  SA_LOOKUP_KEY,
  SA_PARENT_ID,
  SA_REVISION,
  SA_STATUS,
  SA_SYNC_MODE,
  SA_TASK_COUNTS,
  SA_UPDATED_AT,
  parseTaskCounts,
} from '../model/search-attributes';
import { isTerminalFlow } from '../model/status';

/** What `flow list` and the pressure line filter on (spec §7, §10). */
export interface FlowFilter {
  statuses?: FlowStatus[];
  mode?: SyncMode;
  flowType?: string;
  lookupKey?: string;
  /** Keep open flows and flows that started or ended at or after this time. */
  since?: Date;
  /** Only the child flows of this flow, by `<lookup>` (FlowClient resolves it to `parentFlowId`). */
  parent?: string;
  /** Only the child flows of this flow id. */
  parentFlowId?: string;
  /** Only top-level flows, no child flows. */
  roots?: boolean;
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
  if (filter.parentFlowId) clauses.push(`${SA_PARENT_ID.name} = ${quote(filter.parentFlowId)}`);
  if (filter.roots) clauses.push(`${SA_PARENT_ID.name} IS NULL`);
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

/**
 * A flow as the visibility store has it (spec §9: no query per flow): search attributes for the
 * status, counts, revision and update time, the memo for what changes seldom. No tasks.
 */
export function flowRecordFromExecution(info: Omit<WorkflowExecutionInfo, 'raw'>): FlowListEntry | null {
  const sa = info.typedSearchAttributes;
  const syncMode = sa.get(SA_SYNC_MODE) as SyncMode | undefined;
  if (!syncMode) return null;
  const memo = (info.memo?.[LIST_MEMO_KEY] ?? {}) as Partial<FlowListMemo>;
  const recorded = (sa.get(SA_STATUS) ?? 'queued') as FlowStatus;
  const status = statusFromExecution(info.status.name, recorded);
  // An execution that ended without the flow's word (terminated, timed out) left its active tasks behind: lost too.
  const withoutFlowsWord = status !== recorded;
  const updatedAt = sa.get(SA_UPDATED_AT)?.toISOString() ?? info.startTime.toISOString();
  const closedAt = info.closeTime?.toISOString() ?? null;
  const endedByFlow = isTerminalFlow({ status: recorded, endedAt: info.status.name === 'RUNNING' ? null : (closedAt ?? updatedAt) });
  const counts = parseTaskCounts(sa.get(SA_TASK_COUNTS)) ?? { total: 0, terminal: 0, failures: 0 };
  const active = sa.get(SA_ACTIVE_TASKS) ?? counts.total - counts.terminal;
  const summary: ListedTaskSummary = withoutFlowsWord
    ? { total: counts.total, active: 0, terminal: counts.total, failures: counts.failures + active }
    : { total: counts.total, active, terminal: counts.terminal, failures: counts.failures };
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
    updatedAt,
    // The flow's own end is the revision that ended it; an execution that ended without it, its close.
    endedAt: endedByFlow ? updatedAt : withoutFlowsWord ? closedAt : null,
    error: memo.error ?? (withoutFlowsWord ? `Workflow execution ${info.status.name.toLowerCase().replace('_', ' ')}.` : null),
    result: null,
    taskSummary: summary,
    parentFlowId: sa.get(SA_PARENT_ID) ?? memo.parentFlowId ?? null,
    retriedFrom: memo.retriedFrom ?? null,
  };
}
