import type { FlowRecord, FlowStatus, SyncMode, TaskRecord } from './records';
import { summarizeTasks } from './status';

export interface NewFlowRecord {
  flowId: string;
  runId: string;
  flowType: string;
  syncMode: SyncMode;
  status: FlowStatus;
  goal: string;
  lookupKey?: string | null;
  state?: unknown;
  createdAt: string;
  parentFlowId?: string | null;
}

/** A flow record at revision 0, as it stands the moment the flow is created. */
export function newFlowRecord(init: NewFlowRecord): FlowRecord {
  return {
    flowId: init.flowId,
    runId: init.runId,
    flowType: init.flowType,
    syncMode: init.syncMode,
    status: init.status,
    revision: 0,
    lookupKey: init.lookupKey ?? null,
    goal: init.goal,
    currentStep: null,
    state: init.state ?? null,
    wait: null,
    blocked: null,
    cancelRequestedAt: null,
    cancelReason: null,
    createdAt: init.createdAt,
    updatedAt: init.createdAt,
    endedAt: null,
    error: null,
    result: null,
    tasks: [],
    taskSummary: summarizeTasks([]),
    parentFlowId: init.parentFlowId ?? null,
    retriedFrom: null,
  };
}

export interface NewTaskRecord {
  taskId: string;
  flowId: string;
  name: string;
  kind: string;
  status: TaskRecord['status'];
  createdAt: string;
  externalId?: string | null;
  childFlowId?: string | null;
}

export function newTaskRecord(init: NewTaskRecord): TaskRecord {
  return {
    taskId: init.taskId,
    flowId: init.flowId,
    name: init.name,
    kind: init.kind,
    externalId: init.externalId ?? null,
    status: init.status,
    attempt: 1,
    progressSummary: null,
    terminalSummary: null,
    terminalOutcome: null,
    error: null,
    createdAt: init.createdAt,
    startedAt: init.status === 'running' ? init.createdAt : null,
    endedAt: null,
    lastEventAt: init.createdAt,
    childFlowId: init.childFlowId ?? null,
  };
}
