import type { FlowFields, FlowRecord, TaskRecord } from './records';
import { summarizeTasks } from './status';
import { jsonEqual } from './json';

/** What one write may change; collected by `FlowRecordKeeper.apply` into a single revision. */
export interface FlowChange {
  setFlow(patch: Partial<FlowFields>): void;
  /** Creates the task when it is new, else patches it. */
  setTask(taskId: string, patch: Partial<TaskRecord>): void;
}

/**
 * The one place a flow record changes. Every `apply` that changes at least one field bumps the
 * revision by exactly one and stamps `updatedAt`; one that changes nothing leaves both alone.
 */
export class FlowRecordKeeper {
  private readonly taskIndex = new Map<string, number>();
  private readonly listeners: Array<(record: FlowRecord) => void> = [];

  constructor(
    private current: FlowRecord,
    private readonly now: () => string,
  ) {
    current.tasks.forEach((task, i) => this.taskIndex.set(task.taskId, i));
  }

  get record(): FlowRecord {
    return this.current;
  }

  task(taskId: string): TaskRecord | undefined {
    const i = this.taskIndex.get(taskId);
    return i === undefined ? undefined : this.current.tasks[i];
  }

  onChange(listener: (record: FlowRecord) => void): void {
    this.listeners.push(listener);
  }

  /** Applies the change as one revision; returns whether anything changed. */
  apply(write: (change: FlowChange) => void): boolean {
    let flowPatch: Partial<FlowFields> = {};
    const taskPatches = new Map<string, Partial<TaskRecord>>();
    write({
      setFlow: (patch) => {
        flowPatch = { ...flowPatch, ...patch };
      },
      setTask: (taskId, patch) => {
        taskPatches.set(taskId, { ...taskPatches.get(taskId), ...patch });
      },
    });

    const changedFlow = changedFields(this.current as unknown as Record<string, unknown>, flowPatch);
    const changedTasks = [...taskPatches].filter(([taskId, patch]) => {
      const existing = this.task(taskId);
      return !existing || Object.keys(changedFields(existing as unknown as Record<string, unknown>, patch)).length > 0;
    });
    if (Object.keys(changedFlow).length === 0 && changedTasks.length === 0) return false;

    const tasks = changedTasks.length > 0 ? [...this.current.tasks] : this.current.tasks;
    for (const [taskId, patch] of changedTasks) {
      const i = this.taskIndex.get(taskId);
      if (i === undefined) {
        this.taskIndex.set(taskId, tasks.length);
        tasks.push(patch as TaskRecord);
      } else {
        tasks[i] = { ...tasks[i], ...patch };
      }
    }
    this.current = {
      ...this.current,
      ...changedFlow,
      revision: this.current.revision + 1,
      updatedAt: flowPatch.updatedAt ?? this.now(),
      tasks,
      taskSummary: changedTasks.length > 0 ? summarizeTasks(tasks) : this.current.taskSummary,
    };
    for (const listener of this.listeners) listener(this.current);
    return true;
  }
}

function changedFields<T extends Record<string, unknown>>(current: T, patch: Partial<T>): Partial<T> {
  const changed: Partial<T> = {};
  for (const key of Object.keys(patch) as Array<keyof T>) {
    if (key === 'updatedAt' || key === 'lastEventAt') continue;
    if (!jsonEqual(current[key], patch[key])) changed[key] = patch[key];
  }
  if (Object.keys(changed).length > 0) {
    // Timestamps ride along with a real change, never cause one on their own.
    if ('lastEventAt' in patch) changed['lastEventAt' as keyof T] = patch['lastEventAt' as keyof T];
  }
  return changed;
}
