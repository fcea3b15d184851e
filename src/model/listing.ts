import type { FlowRecord, TaskRecord, TaskSummary } from './records';
import { isActiveTask } from './status';

/** Memo key that carries what `flow list` shows, so a list needs no query per flow. */
export const LIST_MEMO_KEY = 'taskflow';
/** Active tasks carried in the memo; `flow show` has them all. */
export const LIST_MEMO_MAX_TASKS = 10;

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
  updatedAt: string;
  endedAt: string | null;
  error: string | null;
  taskSummary: TaskSummary;
  tasks: TaskRecord[];
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
    updatedAt: record.updatedAt,
    endedAt: record.endedAt,
    error: record.error,
    taskSummary: record.taskSummary,
    tasks: record.tasks.filter((t) => isActiveTask(t.status)).slice(0, LIST_MEMO_MAX_TASKS),
  };
}
