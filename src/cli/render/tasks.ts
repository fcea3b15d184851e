import type { TaskRecord } from '../../model/records';
import type { Rendered } from './output';
import { age, sanitize, table, type Column } from './text';

/** What a task says about itself, most final first. */
export function taskSummaryText(task: TaskRecord): string {
  return task.terminalSummary ?? task.progressSummary ?? task.error ?? '';
}

export interface TaskTableOptions {
  now?: number;
  /** Adds the flow id column (for task lists across flows). */
  withFlow: boolean;
}

export function renderTaskTable(tasks: readonly TaskRecord[], { now = Date.now(), withFlow }: TaskTableOptions): string[] {
  const columns: Array<Column<TaskRecord>> = [
    { header: 'TASK ID', width: 32, value: (t) => t.taskId },
    ...(withFlow ? [{ header: 'FLOW ID', width: 32, value: (t: TaskRecord) => t.flowId }] : []),
    { header: 'NAME', width: 24, value: (t) => t.name },
    { header: 'STATUS', width: 10, value: (t) => (t.terminalOutcome === 'blocked' ? `${t.status} (blocked)` : t.status) },
    { header: 'ATTEMPT', width: 7, value: (t) => t.attempt },
    { header: 'AGE', width: 10, value: (t) => age(t.createdAt, now).replace(/ ago$/, '') },
    { header: 'SUMMARY', width: 60, value: taskSummaryText },
  ];
  return table(columns, tasks);
}

export function renderTaskList(tasks: TaskRecord[], now = Date.now()): Rendered {
  const text = [`Tasks: ${tasks.length}`];
  if (tasks.length === 0) text.push('No tasks found. Tasks appear when a flow runs them (taskflow flow start) or reports them (taskflow flow report).');
  else text.push('', ...renderTaskTable(tasks, { now, withFlow: true }));
  return { json: { count: tasks.length, tasks }, text, jsonl: tasks };
}

export function renderTaskShow(task: TaskRecord): Rendered {
  const line = (label: string, value: string | number | null) => `  ${`${label}:`.padEnd(17)}${value === null ? 'n/a' : sanitize(value)}`;
  const text = [
    `Task ${sanitize(task.taskId)}`,
    line('flow', task.flowId),
    line('name', task.name),
    line('kind', task.kind),
    line('external id', task.externalId),
    line('status', task.status),
    line('outcome', task.terminalOutcome),
    line('attempt', task.attempt),
    line('created', task.createdAt),
    line('started', task.startedAt),
    line('ended', task.endedAt),
    line('last event', task.lastEventAt),
  ];
  if (task.progressSummary !== null) text.push(line('progress', task.progressSummary));
  if (task.terminalSummary !== null) text.push(line('summary', task.terminalSummary));
  if (task.error !== null) text.push(line('error', task.error));
  return { json: task, text };
}
