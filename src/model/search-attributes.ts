import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { FlowRecord, ListedTaskSummary } from './records';

/**
 * Custom search attributes every flow carries (spec §6), registered on the namespace at start-up.
 * Slots on SQL visibility: 5 Keyword, 2 Int, 1 Bool, 1 Datetime — a namespace allows 10/3/3/3.
 */
export const SA_STATUS = defineSearchAttributeKey('TaskFlowStatus', SearchAttributeType.KEYWORD);
export const SA_SYNC_MODE = defineSearchAttributeKey('TaskFlowSyncMode', SearchAttributeType.KEYWORD);
export const SA_LOOKUP_KEY = defineSearchAttributeKey('TaskFlowLookupKey', SearchAttributeType.KEYWORD);
/** `total:T terminal:E failures:F`: the task counts `flow list` shows besides the active ones. */
export const SA_TASK_COUNTS = defineSearchAttributeKey('TaskFlowTaskCounts', SearchAttributeType.KEYWORD);
/** The parent's flow id on a child flow (spec §12); absent on a top-level flow. Set at start, never changed. */
export const SA_PARENT_ID = defineSearchAttributeKey('TaskFlowParentId', SearchAttributeType.KEYWORD);
export const SA_REVISION = defineSearchAttributeKey('TaskFlowRevision', SearchAttributeType.INT);
export const SA_ACTIVE_TASKS = defineSearchAttributeKey('TaskFlowActiveTasks', SearchAttributeType.INT);
export const SA_CANCEL_REQUESTED = defineSearchAttributeKey('TaskFlowCancelRequested', SearchAttributeType.BOOL);
/** When the revision in `TaskFlowRevision` was made. */
export const SA_UPDATED_AT = defineSearchAttributeKey('TaskFlowUpdatedAt', SearchAttributeType.DATETIME);

type SearchAttributeTypeName = 'KEYWORD' | 'INT' | 'BOOL' | 'DATETIME';

export const FLOW_SEARCH_ATTRIBUTES: Array<{ name: string; type: SearchAttributeTypeName }> = [
  SA_STATUS,
  SA_SYNC_MODE,
  SA_LOOKUP_KEY,
  SA_TASK_COUNTS,
  SA_PARENT_ID,
  SA_REVISION,
  SA_ACTIVE_TASKS,
  SA_CANCEL_REQUESTED,
  SA_UPDATED_AT,
].map((key) => ({ name: key.name, type: key.type as SearchAttributeTypeName }));

export function formatTaskCounts(summary: Pick<ListedTaskSummary, 'total' | 'terminal' | 'failures'>): string {
  return `total:${summary.total} terminal:${summary.terminal} failures:${summary.failures}`;
}

export function parseTaskCounts(value: string | undefined): Pick<ListedTaskSummary, 'total' | 'terminal' | 'failures'> | null {
  if (!value) return null;
  const counts: Record<string, number> = {};
  for (const [, name, n] of value.matchAll(/(\w+):(\d+)/g)) counts[name!] = Number(n);
  if (counts.total === undefined) return null;
  return { total: counts.total, terminal: counts.terminal ?? 0, failures: counts.failures ?? 0 };
}

/**
 * The search attributes a flow record stands for; a `null` value means "remove" (no lookup key).
 * Each publish that changes one of them carries the current revision and its time too.
 */
export function searchAttributesOf(record: FlowRecord): SearchAttributeUpdatePair[] {
  return [
    { key: SA_STATUS, value: record.status },
    { key: SA_SYNC_MODE, value: record.syncMode },
    { key: SA_LOOKUP_KEY, value: record.lookupKey },
    { key: SA_TASK_COUNTS, value: formatTaskCounts(record.taskSummary) },
    { key: SA_ACTIVE_TASKS, value: record.taskSummary.active },
    { key: SA_CANCEL_REQUESTED, value: record.cancelRequestedAt !== null },
    { key: SA_REVISION, value: record.revision },
    { key: SA_UPDATED_AT, value: new Date(record.updatedAt) },
  ];
}

/** Attributes that only ride along with a change of the others: they alone never cause a publish. */
export const RIDE_ALONG_ATTRIBUTES: ReadonlySet<string> = new Set([SA_REVISION.name, SA_UPDATED_AT.name]);

/** The same, as a new flow is started with them (absent attributes left out), and its parent, which never changes. */
export function startSearchAttributesOf(record: FlowRecord): SearchAttributePair[] {
  const pairs = [...searchAttributesOf(record), { key: SA_PARENT_ID, value: record.parentFlowId }];
  return pairs.filter((pair) => pair.value !== null) as SearchAttributePair[];
}
