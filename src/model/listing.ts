import type { FlowRecord } from './records';

/** Memo key that carries what `flow list` shows beside the search attributes, so a list needs no query per flow. */
export const LIST_MEMO_KEY = 'taskflow';

/**
 * The slow-changing part of what `flow list` shows. Task counts, status, revision and update time
 * live in search attributes, so a task's progress never rewrites the memo, and nothing here grows
 * with the number of tasks.
 */
export interface FlowListMemo {
  goal: string;
  flowType: string;
  lookupKey: string | null;
  currentStep: string | null;
  wait: unknown;
  blocked: FlowRecord['blocked'];
  cancelRequestedAt: string | null;
  cancelReason: string | null;
  createdAt: string;
  error: string | null;
  parentFlowId: string | null;
  retriedFrom: FlowRecord['retriedFrom'];
}

export function listMemoOf(record: FlowRecord): FlowListMemo {
  return {
    goal: record.goal,
    flowType: record.flowType,
    lookupKey: record.lookupKey,
    currentStep: record.currentStep,
    wait: record.wait,
    blocked: record.blocked,
    cancelRequestedAt: record.cancelRequestedAt,
    cancelReason: record.cancelReason,
    createdAt: record.createdAt,
    error: record.error,
    parentFlowId: record.parentFlowId,
    retriedFrom: record.retriedFrom,
  };
}
