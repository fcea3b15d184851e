import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { FlowRecord } from './records';

/** Custom search attributes every flow carries (spec §6); registered on the namespace at start-up. */
export const SA_STATUS = defineSearchAttributeKey('TaskFlowStatus', SearchAttributeType.KEYWORD);
export const SA_SYNC_MODE = defineSearchAttributeKey('TaskFlowSyncMode', SearchAttributeType.KEYWORD);
export const SA_LOOKUP_KEY = defineSearchAttributeKey('TaskFlowLookupKey', SearchAttributeType.KEYWORD);
export const SA_REVISION = defineSearchAttributeKey('TaskFlowRevision', SearchAttributeType.INT);
export const SA_ACTIVE_TASKS = defineSearchAttributeKey('TaskFlowActiveTasks', SearchAttributeType.INT);
export const SA_TOTAL_TASKS = defineSearchAttributeKey('TaskFlowTotalTasks', SearchAttributeType.INT);
export const SA_CANCEL_REQUESTED = defineSearchAttributeKey('TaskFlowCancelRequested', SearchAttributeType.BOOL);

export const FLOW_SEARCH_ATTRIBUTES: Array<{ name: string; type: 'KEYWORD' | 'INT' | 'BOOL' | 'DATETIME' }> = [
  SA_STATUS,
  SA_SYNC_MODE,
  SA_LOOKUP_KEY,
  SA_REVISION,
  SA_ACTIVE_TASKS,
  SA_TOTAL_TASKS,
  SA_CANCEL_REQUESTED,
].map((key) => ({ name: key.name, type: key.type as 'KEYWORD' | 'INT' | 'BOOL' }));

/** The search attributes a flow record stands for; a `null` value means "remove" (no lookup key). */
export function searchAttributesOf(record: FlowRecord): SearchAttributeUpdatePair[] {
  return [
    { key: SA_STATUS, value: record.status },
    { key: SA_SYNC_MODE, value: record.syncMode },
    { key: SA_LOOKUP_KEY, value: record.lookupKey },
    { key: SA_REVISION, value: record.revision },
    { key: SA_ACTIVE_TASKS, value: record.taskSummary.active },
    { key: SA_TOTAL_TASKS, value: record.taskSummary.total },
    { key: SA_CANCEL_REQUESTED, value: record.cancelRequestedAt !== null },
  ];
}

/** The same, as a new flow is started with them (absent attributes left out). */
export function startSearchAttributesOf(record: FlowRecord): SearchAttributePair[] {
  return searchAttributesOf(record).filter((pair) => pair.value !== null) as SearchAttributePair[];
}
