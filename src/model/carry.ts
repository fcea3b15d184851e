import type { FlowRecord, TaskRecord } from './records';
import { isPacked, pack, unpack, type Packed } from './pack';
import { summarizeTasks } from './status';

/**
 * A flow record as continue-as-new carries it: packed (tasks without null fields or values they
 * can derive, then deflated), so a flow of 10,000 tasks crosses in well under Temporal's 2 MB
 * payload limit. A record carried by an older version (unpacked) still restores.
 */
export type CarriedRecord = Packed | LegacyCarriedRecord;

interface LegacyCarriedRecord extends Omit<FlowRecord, 'tasks' | 'taskSummary' | 'parentFlowId' | 'retriedFrom'> {
  tasks: Array<Partial<TaskRecord>>;
  parentFlowId?: string | null;
  retriedFrom?: FlowRecord['retriedFrom'];
}

export function carryRecord(record: FlowRecord): CarriedRecord {
  const { taskSummary: _summary, ...rest } = record;
  return pack({ ...rest, tasks: record.tasks.map(compactTask) });
}

export function restoreRecord(carried: CarriedRecord): FlowRecord {
  const flat = isPacked(carried) ? unpack<LegacyCarriedRecord>(carried) : carried;
  const tasks = flat.tasks.map((t) => expandTask(t, flat.flowId));
  return { ...flat, parentFlowId: flat.parentFlowId ?? null, retriedFrom: flat.retriedFrom ?? null, tasks, taskSummary: summarizeTasks(tasks) };
}

function compactTask(task: TaskRecord): Partial<TaskRecord> {
  const compact: Partial<TaskRecord> = {};
  for (const [key, value] of Object.entries(task) as Array<[keyof TaskRecord, unknown]>) {
    if (value === null || key === 'flowId') continue;
    if (key === 'name' && value === task.kind) continue;
    if (key === 'lastEventAt' && value === (task.endedAt ?? task.createdAt)) continue;
    if (key === 'attempt' && value === 1) continue;
    (compact as Record<string, unknown>)[key] = value;
  }
  return compact;
}

function expandTask(compact: Partial<TaskRecord>, flowId: string): TaskRecord {
  return {
    taskId: compact.taskId!,
    flowId,
    name: compact.name ?? compact.kind!,
    kind: compact.kind!,
    externalId: compact.externalId ?? null,
    status: compact.status!,
    attempt: compact.attempt ?? 1,
    progressSummary: compact.progressSummary ?? null,
    terminalSummary: compact.terminalSummary ?? null,
    terminalOutcome: compact.terminalOutcome ?? null,
    error: compact.error ?? null,
    createdAt: compact.createdAt!,
    startedAt: compact.startedAt ?? null,
    endedAt: compact.endedAt ?? null,
    lastEventAt: compact.lastEventAt ?? compact.endedAt ?? compact.createdAt ?? null,
    childFlowId: compact.childFlowId ?? null,
  };
}
