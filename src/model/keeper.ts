import type { FlowFields, FlowRecord, TaskRecord } from './records';
import { copyTaskCounts, countTask, countTasks, isActiveTask, summaryOfCounts, type TaskCounts } from './status';
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
 *
 * A write costs what it changes, not what the flow holds: tasks are patched in place through an
 * index, and the counts behind `taskSummary` and the derived status are kept one task at a time.
 */
export class FlowRecordKeeper {
  private readonly taskIndex = new Map<string, number>();
  /** The revision that last changed each task (by position): what a reader catching up needs. */
  private readonly taskRevisions: number[] = [];
  /** Ids of the active tasks, oldest first. */
  private readonly activeIds = new Set<string>();
  private readonly counts: TaskCounts;
  private readonly listeners: Array<(record: FlowRecord) => void> = [];

  constructor(
    private current: FlowRecord,
    private readonly now: () => string,
  ) {
    current.tasks.forEach((task, i) => {
      this.taskIndex.set(task.taskId, i);
      this.taskRevisions.push(current.revision);
      if (isActiveTask(task.status)) this.activeIds.add(task.taskId);
    });
    this.counts = countTasks(current.tasks);
    this.current = { ...current, taskSummary: summaryOfCounts(this.counts) };
  }

  /** The record as it stands. Its task list is updated in place by later writes. */
  get record(): FlowRecord {
    return this.current;
  }

  task(taskId: string): TaskRecord | undefined {
    const i = this.taskIndex.get(taskId);
    return i === undefined ? undefined : this.current.tasks[i];
  }

  /** The active tasks, oldest first; at most `limit` of them. */
  activeTasks(limit = Infinity): TaskRecord[] {
    const tasks: TaskRecord[] = [];
    for (const taskId of this.activeIds) {
      if (tasks.length >= limit) break;
      tasks.push(this.task(taskId)!);
    }
    return tasks;
  }

  /** The task counts as they would be after these task patches, without applying them. */
  countsAfter(patches: ReadonlyArray<readonly [string, Partial<TaskRecord>]>): TaskCounts {
    const counts = copyTaskCounts(this.counts);
    const seen = new Map<string, TaskRecord>();
    for (const [taskId, patch] of patches) {
      const before = seen.get(taskId) ?? this.task(taskId);
      if (before) countTask(counts, before, -1);
      const after = Object.assign({}, before, patch) as TaskRecord;
      countTask(counts, after, 1);
      seen.set(taskId, after);
    }
    return counts;
  }

  /** Tasks changed (or created) by a revision after `revision`, in record order. */
  tasksChangedSince(revision: number): TaskRecord[] {
    const changed: TaskRecord[] = [];
    this.taskRevisions.forEach((r, i) => {
      if (r > revision) changed.push(this.current.tasks[i]!);
    });
    return changed;
  }

  get taskCounts(): TaskCounts {
    return copyTaskCounts(this.counts);
  }

  onChange(listener: (record: FlowRecord) => void): void {
    this.listeners.push(listener);
  }

  /**
   * A retried run continues the revisions of the run it retries: from here on, the next change is
   * numbered after `revision`. Every task counts as changed then, so a reader catching up re-reads them.
   */
  continueFrom(revision: number): void {
    if (revision <= this.current.revision) return;
    this.current = Object.assign({}, this.current, { revision });
    this.taskRevisions.fill(revision);
  }

  /** Applies the change as one revision; returns whether anything changed. */
  apply(write: (change: FlowChange) => void): boolean {
    // Object.assign over spreads: this runs for every task transition, in workflow code bundled for older targets.
    const flowPatch: Partial<FlowFields> = {};
    const taskPatches = new Map<string, Partial<TaskRecord>>();
    write({
      setFlow: (patch) => {
        Object.assign(flowPatch, patch);
      },
      setTask: (taskId, patch) => {
        taskPatches.set(taskId, Object.assign(taskPatches.get(taskId) ?? {}, patch));
      },
    });

    const changedFlow = changedFields(this.current as unknown as Record<string, unknown>, flowPatch);
    const changedTasks = [...taskPatches]
      .map(([taskId, patch]) => {
        const existing = this.task(taskId);
        return [taskId, existing ? changedFields(existing as unknown as Record<string, unknown>, patch) : patch] as const;
      })
      .filter(([taskId, patch]) => !this.task(taskId) || Object.keys(patch).length > 0);
    if (Object.keys(changedFlow).length === 0 && changedTasks.length === 0) return false;

    const tasks = this.current.tasks;
    const revision = this.current.revision + 1;
    for (const [taskId, patch] of changedTasks) {
      const i = this.taskIndex.get(taskId);
      const before = i === undefined ? undefined : tasks[i]!;
      const after = Object.assign({}, before, patch) as TaskRecord;
      if (before) countTask(this.counts, before, -1);
      countTask(this.counts, after, 1);
      if (i === undefined) {
        this.taskIndex.set(taskId, tasks.length);
        tasks.push(after);
        this.taskRevisions.push(revision);
      } else {
        tasks[i] = after;
        this.taskRevisions[i] = revision;
      }
      if (isActiveTask(after.status)) this.activeIds.add(taskId);
      else this.activeIds.delete(taskId);
    }
    this.current = Object.assign({}, this.current, changedFlow, {
      revision,
      updatedAt: flowPatch.updatedAt ?? this.now(),
      tasks,
      taskSummary: changedTasks.length > 0 ? summaryOfCounts(this.counts) : this.current.taskSummary,
    });
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
