import type { FlowRecord, TaskRecord } from './records';
import { summarizeTasks } from './status';

/**
 * A flow record as continue-as-new carries it: tasks without null fields or values they can
 * derive, so a long flow's thousands of tasks stay well under Temporal's payload limit.
 */
export interface CarriedRecord extends Omit<FlowRecord, 'tasks' | 'taskSummary'> {
  tasks: Array<Partial<TaskRecord>>;
}

export function carryRecord(record: FlowRecord): CarriedRecord {
  const { taskSummary: _summary, ...rest } = record;
  return { ...rest, tasks: record.tasks.map(compactTask) };
}

export function restoreRecord(carried: CarriedRecord): FlowRecord {
  const tasks = carried.tasks.map((t) => expandTask(t, carried.flowId));
  return { ...carried, tasks, taskSummary: summarizeTasks(tasks) };
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
  };
}
