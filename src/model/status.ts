import type { FlowRecord, FlowStatus, TaskRecord, TaskStatus, TaskSummary } from './records';
import { TASK_STATUSES } from './records';

/** Status rules of spec §2, shared by managed and mirrored flows. */

export const ACTIVE_TASK_STATUSES: readonly TaskStatus[] = ['queued', 'running'];
export const TERMINAL_FLOW_STATUSES: readonly FlowStatus[] = ['succeeded', 'failed', 'cancelled', 'lost'];
const FAILURE_TASK_STATUSES: readonly TaskStatus[] = ['failed', 'timed_out', 'lost'];

export function isActiveTask(status: TaskStatus): boolean {
  return ACTIVE_TASK_STATUSES.includes(status);
}

export function isTerminalTask(status: TaskStatus): boolean {
  return !isActiveTask(status);
}

/** Terminal: succeeded, failed, cancelled, lost, and blocked once it has ended. */
export function isTerminalFlow(flow: Pick<FlowRecord, 'status' | 'endedAt'>): boolean {
  return TERMINAL_FLOW_STATUSES.includes(flow.status) || (flow.status === 'blocked' && flow.endedAt !== null);
}

export function summarizeTasks(tasks: readonly TaskRecord[]): TaskSummary {
  const byStatus: Record<string, number> = {};
  let active = 0;
  let failures = 0;
  for (const task of tasks) {
    byStatus[task.status] = (byStatus[task.status] ?? 0) + 1;
    if (isActiveTask(task.status)) active++;
    if (FAILURE_TASK_STATUSES.includes(task.status)) failures++;
  }
  return { total: tasks.length, active, terminal: tasks.length - active, failures, byStatus };
}

/** Worst terminal outcome first: the one a flow with several ended tasks reports. */
const TERMINAL_SEVERITY: readonly FlowStatus[] = ['failed', 'lost', 'cancelled', 'blocked', 'succeeded'];

export function flowStatusOfTask(task: Pick<TaskRecord, 'status' | 'terminalOutcome'>): FlowStatus {
  switch (task.status) {
    case 'succeeded':
      return task.terminalOutcome === 'blocked' ? 'blocked' : 'succeeded';
    case 'timed_out':
      return 'failed';
    default:
      return task.status;
  }
}

/**
 * A flow's status as its tasks derive it: any active task → running (queued when every active
 * one is queued); else the worst terminal outcome. Null when the flow has no task.
 */
export function deriveFlowStatusFromTasks(tasks: readonly TaskRecord[]): FlowStatus | null {
  if (tasks.length === 0) return null;
  const active = tasks.filter((t) => isActiveTask(t.status));
  if (active.length > 0) return active.every((t) => t.status === 'queued') ? 'queued' : 'running';
  const outcomes = new Set(tasks.map(flowStatusOfTask));
  return TERMINAL_SEVERITY.find((s) => outcomes.has(s)) ?? 'succeeded';
}

export function isTaskStatus(value: string): value is TaskStatus {
  return (TASK_STATUSES as readonly string[]).includes(value);
}
