import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  TimeoutFailure,
  proxyActivities,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { FlowRecordKeeper } from '../model/keeper';
import { newTaskRecord } from '../model/new-record';
import type { TaskRecord } from '../model/records';
import type { TaskDefaults } from '../model/start';
import { isBlockedOutcome, type BlockedOutcome } from '../model/outcome';
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
  constructor(
    private readonly keeper: FlowRecordKeeper,
    private readonly defaults: TaskDefaults,
    private readonly hooks: TaskHooks,
  ) {}

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

  async run(activityType: string, args: unknown[], options: TaskOptions): Promise<unknown> {
    for (;;) {
      const task = this.createTask(activityType, options.name ?? activityType);
      const result = await this.execute(task, args, options);
      if (!isBlockedOutcome(result)) {
        this.end(task.taskId, { status: 'succeeded', terminalOutcome: 'succeeded' });
        return result;
      }
      this.end(task.taskId, { status: 'succeeded', terminalOutcome: 'blocked', terminalSummary: result.summary });
      await this.hooks.blocked(this.keeper.task(task.taskId)!);
    }
  }

  private createTask(kind: string, name: string): TaskRecord {
    const { flowId, tasks } = this.keeper.record;
    // Ids count tasks in the record, which continue-as-new carries, so they never repeat.
    const task = newTaskRecord({ taskId: `${kind}-${tasks.length + 1}`, flowId, name, kind, status: 'queued', createdAt: this.hooks.now() });
    this.keeper.apply((change) => change.setTask(task.taskId, task));
    return task;
  }

  private async execute(task: TaskRecord, args: unknown[], options: TaskOptions): Promise<unknown> {
    const { name: _name, ...activityOptions } = options;
    const merged: ActivityOptions = {
      startToCloseTimeout: this.defaults.startToCloseTimeout ?? BUILT_IN_DEFAULTS.startToCloseTimeout,
      heartbeatTimeout: this.defaults.heartbeatTimeout ?? BUILT_IN_DEFAULTS.heartbeatTimeout,
      retry: { ...BUILT_IN_DEFAULTS.retry, ...this.defaults.retry },
      ...activityOptions,
      activityId: task.taskId,
      summary: task.name,
      // Record the task's real outcome: the flow hears of a cancellation only once the task stops.
      cancellationType: 'WAIT_CANCELLATION_COMPLETED',
    };
    try {
      const activity = proxyActivities(merged)[task.kind] as (...a: unknown[]) => Promise<unknown>;
      return await activity(...args);
    } catch (err) {
      this.end(task.taskId, failureOf(err, merged));
      throw err;
    }
  }

  private end(taskId: string, patch: Partial<TaskRecord>): void {
    const at = this.hooks.now();
    this.keeper.apply((change) => change.setTask(taskId, { ...patch, endedAt: at, lastEventAt: at }));
    countTaskEnded(patch);
  }
}

function failureOf(err: unknown, options: ActivityOptions): Partial<TaskRecord> {
  if (!(err instanceof ActivityFailure)) return { status: 'failed', error: messageOf(err) };
  const cause = err.cause;
  const attempt = err.retryState === 'MAXIMUM_ATTEMPTS_REACHED' ? options.retry?.maximumAttempts : undefined;
  const status: TaskRecord['status'] =
    cause instanceof CancelledFailure ? 'cancelled' : cause instanceof TimeoutFailure ? 'timed_out' : 'failed';
  return { status, error: messageOf(cause ?? err), ...(attempt ? { attempt } : {}) };
}

/** The message of the failure that started it all: an activity's own error, not "Activity task failed". */
export function messageOf(err: unknown): string {
  let current = err;
  while (current instanceof ActivityFailure || (current instanceof ChildWorkflowFailure && current.cause)) current = current.cause;
  if (current instanceof ApplicationFailure || current instanceof Error) return current.message;
  return String(current);
}
