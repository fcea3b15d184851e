import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  TerminatedFailure,
  TimeoutFailure,
  proxyActivities,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { FlowRecordKeeper } from '../model/keeper';
import { newTaskRecord } from '../model/new-record';
import type { TaskRecord } from '../model/records';
import type { TaskDefaults } from '../model/start';
import type { RetriedSignal } from '../model/messages';
import { isBlockedOutcome, type BlockedOutcome } from '../model/outcome';
import { MAX_PENDING_TASKS, MAX_TASKS_PER_FLOW, taskLimitMessage } from '../model/limits';
import { flowFailure } from './failures';
import { countTaskEnded } from './metrics';

/** Options of one task: Temporal's activity options plus the task's display name. */
export interface TaskOptions extends Partial<ActivityOptions> {
  /** The task's name in the record and the Web UI (default: the activity name). */
  name?: string;
}

type AnyFunction = (...args: any[]) => any;
type TaskResult<F extends AnyFunction> = Exclude<Awaited<ReturnType<F>>, BlockedOutcome>;
export type TaskFunction<F extends AnyFunction> = ((...args: Parameters<F>) => Promise<TaskResult<F>>) & {
  /** The same task with per-call options, e.g. `.with({ name: 'Resize thumbnail', heartbeatTimeout: '5s' })`. */
  with(options: TaskOptions): (...args: Parameters<F>) => Promise<TaskResult<F>>;
};
export type FlowTasks<A> = { [K in keyof A as A[K] extends AnyFunction ? K : never]: A[K] extends AnyFunction ? TaskFunction<A[K]> : never };

const BUILT_IN_DEFAULTS: TaskDefaults = {
  startToCloseTimeout: '10m',
  heartbeatTimeout: '5s',
  retry: { maximumAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
};

export interface TaskHooks {
  /** Called when a task ends blocked; resolves once the flow is resumed, so the task runs again. */
  blocked(task: TaskRecord): Promise<void>;
  now(): string;
}

/** Runs activities as tasks of a flow, recording each one's life in the flow record. */
export class TaskRunner {
  private readonly slots = new TaskSlots(MAX_PENDING_TASKS);
  private waitingForSlot = 0;
  /** Attempts a retried run's tasks already had in the run it retries, by task id: they count on from there. */
  private priorAttempts: RetriedSignal['attempts'] = {};
  /** When tasks really ended in the run this one retries, for the ends this run records again. */
  private priorEnds = new Map<string, RetriedSignal['ended'][string]>();
  /** Tasks that are child flows, in order: the Web UI's details list them without a scan of every task. */
  private readonly childTaskIds: string[];

  constructor(
    private readonly keeper: FlowRecordKeeper,
    private readonly defaults: TaskDefaults,
    private readonly hooks: TaskHooks,
  ) {
    // Once per run: a run after continue-as-new finds its children in the carried record.
    this.childTaskIds = keeper.record.tasks.filter((t) => t.childFlowId !== null).map((t) => t.taskId);
  }

  /** This flow's child-flow tasks, as recorded now. */
  childTasks(): TaskRecord[] {
    return this.childTaskIds.map((id) => this.keeper.task(id)!).filter(Boolean);
  }

  proxy<A>(options: TaskOptions = {}): FlowTasks<A> {
    return new Proxy({} as FlowTasks<A>, {
      get: (_target, activityType) => {
        if (typeof activityType !== 'string') return undefined;
        const call = (...args: unknown[]) => this.run(activityType, args, options);
        call.with = (extra: TaskOptions) => (...args: unknown[]) => this.run(activityType, args, { ...options, ...extra });
        return call;
      },
    });
  }

  /**
   * One task call. The hot path of every flow, so it makes as few promises as it can (the SDK
   * records a stack trace for each one a workflow creates): no await unless a slot must be waited for.
   */
  run(activityType: string, args: unknown[], options: TaskOptions): Promise<unknown> {
    return this.asTask(activityType, options.name ?? activityType, undefined, (task) => {
      const activityOptions = this.activityOptions(task, options, args);
      const call = (proxyActivities(activityOptions)[task.kind] as (...a: unknown[]) => Promise<unknown>)(...args);
      return { call, failureOptions: activityOptions };
    });
  }

  /**
   * What the run `flow retry` started this one from knew: attempts (tasks created again count on from
   * them) and when tasks ended whose end this run records again (their record keeps the real time).
   */
  continueFrom(attempts: RetriedSignal['attempts'], ended: RetriedSignal['ended']): void {
    this.priorAttempts = attempts;
    this.priorEnds = new Map(Object.entries(ended));
  }

  /** The first attempt number of a task created in this run. */
  firstAttempt(taskId: string): number {
    return (this.priorAttempts[taskId] ?? 0) + 1;
  }

  /**
   * A slot for one more task, or the promise of one. A call that waits for a slot is not a task
   * yet (so a fan-out of thousands costs its workflow task only the slots it fills), but it holds
   * its place under the task limit.
   */
  private takeSlot(kind: string): Promise<void> | null {
    const { flowId, tasks } = this.keeper.record;
    if (tasks.length + this.waitingForSlot >= MAX_TASKS_PER_FLOW) throw flowFailure('task_limit', taskLimitMessage(flowId), { limit: MAX_TASKS_PER_FLOW, kind });
    return this.slots.take();
  }

  /** Waits for a slot; a call cancelled meanwhile never becomes a task. */
  private async waitForSlot(waiting: Promise<void>): Promise<void> {
    this.waitingForSlot++;
    try {
      await waiting;
    } finally {
      this.waitingForSlot--;
    }
  }

  /**
   * One child flow as a task of this flow: the same slots, task limit and record as an activity.
   * `execute` starts the child (calling `started` once it runs) and resolves to its result.
   */
  child(kind: string, name: string, childFlowId: (taskId: string) => string, execute: (task: TaskRecord, started: () => void) => Promise<unknown>): Promise<unknown> {
    return this.asTask(kind, name, childFlowId, (task) => {
      const started = () => {
        const at = this.hooks.now();
        this.keeper.apply((change) => change.setTask(task.taskId, { status: 'running', startedAt: at, lastEventAt: at }));
      };
      return { call: execute(this.keeper.task(task.taskId)!, started), failureOptions: {} };
    });
  }

  /**
   * Runs `start`'s call as one task of this flow: takes a slot (waiting for one only when all are
   * taken), records the outcome, and on a blocked outcome waits to be resumed and runs it again as a
   * new task. No await but the call's own unless a slot must be waited for.
   */
  private async asTask(
    kind: string,
    name: string,
    childFlowId: ((taskId: string) => string) | undefined,
    start: (task: TaskRecord) => { call: Promise<unknown>; failureOptions: Partial<ActivityOptions> },
  ): Promise<unknown> {
    for (;;) {
      const waiting = this.takeSlot(kind);
      if (waiting) await this.waitForSlot(waiting);
      const task = this.createTask(kind, name, childFlowId);
      let failureOptions: Partial<ActivityOptions> = {};
      let result: unknown;
      try {
        const started = start(task);
        failureOptions = started.failureOptions;
        result = await started.call;
      } catch (err) {
        this.recordFailure(task, err, failureOptions);
        throw err;
      } finally {
        this.slots.release();
      }
      if (!isBlockedOutcome(result)) {
        this.end(task.taskId, { status: 'succeeded', terminalOutcome: 'succeeded' });
        return result;
      }
      this.end(task.taskId, { status: 'succeeded', terminalOutcome: 'blocked', terminalSummary: result.summary });
      await this.hooks.blocked(this.keeper.task(task.taskId)!);
    }
  }

  private createTask(kind: string, name: string, childFlowId?: (taskId: string) => string): TaskRecord {
    const { flowId, tasks } = this.keeper.record;
    // Ids count tasks in the record, which continue-as-new carries, so they never repeat.
    const taskId = `${kind}-${tasks.length + 1}`;
    const created = newTaskRecord({
      taskId,
      flowId,
      name,
      kind,
      status: 'queued',
      createdAt: this.hooks.now(),
      childFlowId: childFlowId?.(taskId) ?? null,
    });
    const task = { ...created, attempt: this.firstAttempt(taskId) };
    this.keeper.apply((change) => change.setTask(task.taskId, task));
    if (task.childFlowId !== null) this.childTaskIds.push(taskId);
    return task;
  }

  private activityOptions(task: TaskRecord, options: TaskOptions, args: unknown[]): ActivityOptions {
    const { name: _name, ...activityOptions } = options;
    return {
      startToCloseTimeout: this.defaults.startToCloseTimeout ?? BUILT_IN_DEFAULTS.startToCloseTimeout,
      heartbeatTimeout: this.defaults.heartbeatTimeout ?? BUILT_IN_DEFAULTS.heartbeatTimeout,
      retry: { ...BUILT_IN_DEFAULTS.retry, ...this.defaults.retry },
      ...activityOptions,
      activityId: task.taskId,
      summary: activitySummary(task, args),
      // Record the task's real outcome: the flow hears of a cancellation only once the task stops.
      cancellationType: 'WAIT_CANCELLATION_COMPLETED',
    };
  }

  private recordFailure(task: TaskRecord, err: unknown, options: Partial<ActivityOptions>): void {
    try {
      const failure = failureOf(err, options);
      // Temporal counts this run's attempts from 1; the record counts on from the task's first attempt.
      const first = this.keeper.task(task.taskId)?.attempt ?? 1;
      if (failure.attempt !== undefined) failure.attempt += first - 1;
      this.end(task.taskId, failure);
    } catch (recording) {
      // A workflow evicted from the worker's cache rejects its pending tasks: nothing to record then.
      if (!isDisposed(recording)) throw recording;
    }
  }

  private end(taskId: string, patch: Partial<TaskRecord>): void {
    const at = this.hooks.now();
    const kept = this.priorEnds.get(taskId);
    this.priorEnds.delete(taskId);
    const times = { endedAt: kept?.endedAt ?? at, lastEventAt: kept?.lastEventAt ?? kept?.endedAt ?? at };
    this.keeper.apply((change) => change.setTask(taskId, { ...patch, ...times }));
    countTaskEnded(patch);
  }
}

function isDisposed(err: unknown): boolean {
  return (err as Error)?.name === 'IllegalStateError';
}

/** Arguments longer than this (as JSON) are left out of an activity's summary. */
const SHORT_ARGUMENTS = 60;

/**
 * What the Web UI shows beside an activity's type: what the task does, e.g. `Draft document "Q3 report"`.
 * A default name (the activity type) is spelled as words, so the type is not repeated; short arguments follow.
 */
export function activitySummary(task: Pick<TaskRecord, 'name' | 'kind'>, args: unknown[]): string {
  const name = task.name === task.kind ? asWords(task.kind) : task.name;
  const shown = args.map((arg) => JSON.stringify(arg) ?? String(arg)).join(', ');
  return shown && shown.length <= SHORT_ARGUMENTS ? `${name} ${shown}` : name;
}

/** `draftDocument` → `Draft document`. */
function asWords(identifier: string): string {
  const spaced = identifier.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function failureOf(err: unknown, options: Partial<ActivityOptions>): Partial<TaskRecord> {
  if (err instanceof ChildWorkflowFailure) return { status: childStatusOf(err), error: messageOf(err) };
  // Started in a scope already cancelled: it never ran.
  if (err instanceof CancelledFailure) return { status: 'cancelled', error: messageOf(err) };
  if (!(err instanceof ActivityFailure)) return { status: 'failed', error: messageOf(err) };
  const cause = err.cause;
  const attempt = err.retryState === 'MAXIMUM_ATTEMPTS_REACHED' ? options.retry?.maximumAttempts : undefined;
  const status: TaskRecord['status'] =
    cause instanceof CancelledFailure ? 'cancelled' : cause instanceof TimeoutFailure ? 'timed_out' : 'failed';
  return { status, error: messageOf(cause ?? err), ...(attempt ? { attempt } : {}) };
}

/** A child flow's task status from how its execution ended: cancelled, timed out, terminated (lost) or failed. */
function childStatusOf(err: ChildWorkflowFailure): TaskRecord['status'] {
  const cause = err.cause;
  // A cancelled flow whose execution could not end Canceled fails with type `cancelled` (execution-cancel.ts).
  if (cause instanceof CancelledFailure || (cause instanceof ApplicationFailure && cause.type === 'cancelled')) return 'cancelled';
  if (cause instanceof TimeoutFailure) return 'timed_out';
  if (cause instanceof TerminatedFailure) return 'lost';
  return 'failed';
}

/** The message of the failure that started it all: an activity's own error, not "Activity task failed". */
export function messageOf(err: unknown): string {
  let current = err;
  while (current instanceof ActivityFailure || (current instanceof ChildWorkflowFailure && current.cause)) current = current.cause;
  if (current instanceof ApplicationFailure || current instanceof Error) return current.message;
  return String(current);
}

/**
 * A fair semaphore over the flow's scheduled activities, so no fan-out — however many task calls a
 * flow makes at once — leaves Temporal's per-execution limit of pending activities to refuse it.
 */
class TaskSlots {
  private inUse = 0;
  private readonly waiting: Array<{ grant: () => void; gone: boolean }> = [];

  constructor(private readonly size: number) {}

  /** Takes a free slot (null), or returns a promise of the next one; it rejects if the flow is cancelled meanwhile. */
  take(): Promise<void> | null {
    if (this.inUse < this.size) {
      this.inUse++;
      return null;
    }
    const waiter: { grant: () => void; gone: boolean } = { grant: () => undefined, gone: false };
    const granted = new Promise<void>((resolve) => (waiter.grant = resolve));
    this.waiting.push(waiter);
    return Promise.race([granted, CancellationScope.current().cancelRequested]).catch((err) => {
      waiter.gone = true;
      throw err;
    });
  }

  release(): void {
    for (;;) {
      const next = this.waiting.shift();
      if (!next) {
        this.inUse--;
        return;
      }
      if (!next.gone) {
        next.grant();
        return;
      }
    }
  }
}
