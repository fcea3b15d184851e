import type { FlowRecord, FlowStatus, TaskRecord, TaskStatus, TaskSummary } from './records';
import { TASK_STATUSES } from './vocabulary';

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

/**
 * How many tasks a flow has in each status, and how many succeeded with a `blocked` outcome: all
 * a flow's derived status and summary need, kept up to date one task change at a time.
 */
export interface TaskCounts {
  byStatus: Partial<Record<TaskStatus, number>>;
  blockedOutcomes: number;
}

export function emptyTaskCounts(): TaskCounts {
  return { byStatus: {}, blockedOutcomes: 0 };
}

type CountedTask = Pick<TaskRecord, 'status' | 'terminalOutcome'>;

/** Adds (`by` = 1) or removes (`by` = -1) one task from the counts, in place. */
export function countTask(counts: TaskCounts, task: CountedTask, by: 1 | -1): void {
  const next = (counts.byStatus[task.status] ?? 0) + by;
  if (next === 0) delete counts.byStatus[task.status];
  else counts.byStatus[task.status] = next;
  if (task.status === 'succeeded' && task.terminalOutcome === 'blocked') counts.blockedOutcomes += by;
}

export function countTasks(tasks: readonly CountedTask[]): TaskCounts {
  const counts = emptyTaskCounts();
  for (const task of tasks) countTask(counts, task, 1);
  return counts;
}

export function copyTaskCounts(counts: TaskCounts): TaskCounts {
  return { byStatus: { ...counts.byStatus }, blockedOutcomes: counts.blockedOutcomes };
}

export function summaryOfCounts(counts: TaskCounts): TaskSummary {
  let total = 0;
  let active = 0;
  let failures = 0;
  const byStatus: Record<string, number> = {};
  for (const status of TASK_STATUSES) {
    const n = counts.byStatus[status] ?? 0;
    if (n === 0) continue;
    byStatus[status] = n;
    total += n;
    if (isActiveTask(status)) active += n;
    if (FAILURE_TASK_STATUSES.includes(status)) failures += n;
  }
  return { total, active, terminal: total - active, failures, byStatus };
}

export function summarizeTasks(tasks: readonly TaskRecord[]): TaskSummary {
  return summaryOfCounts(countTasks(tasks));
}

export function flowStatusOfTask(task: CountedTask): FlowStatus {
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
 * one is queued); else the worst terminal outcome (failed > lost > cancelled > blocked >
 * succeeded). Null when the flow has no task.
 */
export function deriveFlowStatusFromCounts(counts: TaskCounts): FlowStatus | null {
  const n = (status: TaskStatus) => counts.byStatus[status] ?? 0;
  if (n('queued') + n('running') > 0) return n('running') > 0 ? 'running' : 'queued';
  if (n('failed') + n('timed_out') > 0) return 'failed';
  if (n('lost') > 0) return 'lost';
  if (n('cancelled') > 0) return 'cancelled';
  if (counts.blockedOutcomes > 0) return 'blocked';
  return n('succeeded') > 0 ? 'succeeded' : null;
}

export function deriveFlowStatusFromTasks(tasks: readonly TaskRecord[]): FlowStatus | null {
  return deriveFlowStatusFromCounts(countTasks(tasks));
}

export function isTaskStatus(value: string): value is TaskStatus {
  return (TASK_STATUSES as readonly string[]).includes(value);
}
