import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  log,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { carryRecord, restoreRecord, type CarriedRecord } from '../model/carry';
import { FlowRecordKeeper } from '../model/keeper';
import type { CancelRequest, WriteResult } from '../model/messages';
import { newFlowRecord } from '../model/new-record';
import type { BlockedInfo, FlowFields, FlowRecord, FlowStatus, TaskRecord } from '../model/records';
import { isActiveTask } from '../model/status';
import {
  MIRRORED_WORKFLOW_TYPE,
  MirroredCreate,
  TASK_SUMMARIES,
  type TaskReport,
  defaultGoal,
  finishedStatus,
  mirroredFlowView,
  planTaskReport,
  withTaskPatch,
  type MirroredCancelResult,
  type MirroredCreateInput,
} from '../model/transitions';
import { cancelFlowExecution, stopWithHook } from './mirrored-cancel';
import { flowFailure, zodMessage } from './failures';
import { LeaseBook, type Lease } from './leases';
import { registerMirroredHandlers, type MirroredWrites } from './mirrored-handlers';
import { RecordPublisher } from './publish';
import { countFlowEnded, countFlowStarted } from './metrics';
import { RecentIds } from './recent-ids';

const now = () => new Date().toISOString();
/** Event ids remembered for duplicate detection, across continue-as-new. */
const EVENT_WINDOW = 10_000;
/** Update ids remembered with their answers, so an update the server re-delivers to the next run is applied once. */
const REQUEST_WINDOW = 1_000;
/** How long a finalised flow waits for the server-side cancel that makes its execution end Canceled. */
const EXECUTION_CANCEL_GRACE = '30s';

export type MirroredInit = MirroredCreateInput;

/** What a mirrored flow hands to its next run on continue-as-new. */
export interface MirroredCarried {
  record: CarriedRecord;
  seenEvents: string[];
  /** Update ids already applied, with what they answered. */
  answeredRequests: Array<[string, RequestAnswer]>;
  leases: Lease[];
}

type TaskWrite = Array<[string, Partial<TaskRecord>]>;
type RequestAnswer = { applied: boolean; reason?: string };

/**
 * The workflow behind every mirrored flow: records reports of tasks some other system runs, one
 * revision per applied report, and never creates a task itself.
 */
export async function mirroredFlow(init: MirroredInit = {}, carried?: MirroredCarried): Promise<unknown> {
  const parsed = MirroredCreate.safeParse(init ?? {});
  if (!parsed.success) throw flowFailure('invalid_input', zodMessage('Mirrored flow options', parsed.error));
  return new MirroredFlow(parsed.data, carried).execute();
}

class MirroredFlow implements MirroredWrites {
  private readonly keeper: FlowRecordKeeper;
  private readonly publisher: RecordPublisher;
  private readonly events: RecentIds;
  private readonly requests: RecentIds<RequestAnswer>;
  private readonly leases: LeaseBook;
  /** Deadline of the lease timer the main loop waits on; an earlier lease wakes it to re-arm. */
  private armedDeadline: number | undefined;
  private wake = false;
  private rootCancelled = false;
  private rootCancelPending = false;

  constructor(
    private readonly options: MirroredCreate,
    carried?: MirroredCarried,
  ) {
    const info = workflowInfo();
    this.keeper = new FlowRecordKeeper(carried ? { ...restoreRecord(carried.record), runId: info.runId } : this.newRecord(), now);
    this.events = new RecentIds(EVENT_WINDOW, carried?.seenEvents.map((id) => [id, true] as const));
    this.requests = new RecentIds(REQUEST_WINDOW, carried?.answeredRequests);
    this.leases = new LeaseBook(carried?.leases);
    this.publisher = new RecordPublisher(() => this.keeper.record);
    this.keeper.onChange(() => this.publisher.schedule());
    registerMirroredHandlers(this);
    if (!carried) countFlowStarted('mirrored');
    // A cancel from outside TaskFlow (Web UI, `temporal workflow cancel`) is a cancel intent too.
    CancellationScope.current().cancelRequested.catch(() => {
      this.rootCancelled = true;
      this.rootCancelPending = true;
    });
    this.publisher.schedule();
  }

  get record(): FlowRecord {
    return this.keeper.record;
  }

  get ended(): boolean {
    return this.record.endedAt !== null;
  }

  async execute(): Promise<unknown> {
    // Nothing here is cancellable: a cancel request becomes a cancel intent, handled like the update.
    return CancellationScope.nonCancellable(async () => {
      await this.followReports();
      await condition(allHandlersFinished);
      this.publisher.flush();
      return this.endExecution();
    });
  }

  private newRecord(): FlowRecord {
    const info = workflowInfo();
    const view = mirroredFlowView([], { autoComplete: this.options.autoComplete, cancelRequested: false });
    const record = newFlowRecord({
      flowId: info.workflowId,
      runId: info.runId,
      flowType: this.options.flowType ?? MIRRORED_WORKFLOW_TYPE,
      syncMode: 'mirrored',
      status: view.status,
      goal: this.options.goal ?? '',
      lookupKey: this.options.lookupKey ?? null,
      createdAt: info.startTime.toISOString(),
    });
    return { ...record, wait: view.wait };
  }

  /** Waits for reports until the flow ends; meanwhile expires leases and continues-as-new when due. */
  private async followReports(): Promise<void> {
    for (;;) {
      if (this.rootCancelPending) {
        this.rootCancelPending = false;
        await this.cancel({ reason: 'cancelled through Temporal' });
      }
      this.expireLeases();
      if (this.ended) return;
      if (this.continueAsNewDue()) {
        await condition(allHandlersFinished);
        if (this.ended) return;
        // A cancel request from Temporal belongs to this run; handle it before moving on.
        if (this.rootCancelPending) continue;
        this.publisher.flush();
        await continueAsNew<typeof mirroredFlow>(this.options, this.carry());
      }
      this.armedDeadline = this.leases.nextDeadline();
      this.wake = false;
      const woken = () => this.wake || this.ended || this.rootCancelPending || this.continueAsNewDue();
      if (this.armedDeadline === undefined) await condition(woken);
      else await condition(woken, Math.max(this.armedDeadline - Date.now(), 1), { summary: 'next task lease' });
    }
  }

  private continueAsNewDue(): boolean {
    const info = workflowInfo();
    const limit = this.options.continueAsNewAfterEvents;
    return info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit);
  }

  private carry(): MirroredCarried {
    return { record: carryRecord(this.record), seenEvents: this.events.ids(), answeredRequests: this.requests.entries(), leases: this.leases.toArray() };
  }

  /** The execution status follows the flow (spec §9). */
  private async endExecution(): Promise<unknown> {
    const record = this.record;
    if (record.status === 'failed') throw ApplicationFailure.create({ type: 'flow_failed', message: record.error ?? 'Flow failed.', nonRetryable: true });
    if (record.status === 'cancelled' && record.cancelRequestedAt !== null) {
      if (!this.rootCancelled) {
        try {
          await startChild(cancelFlowExecution, { workflowId: `${record.flowId}/cancel`, args: [record.flowId], parentClosePolicy: 'ABANDON' });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      }
      if (!(await condition(() => this.rootCancelled, EXECUTION_CANCEL_GRACE))) {
        throw ApplicationFailure.create({ type: 'cancelled', message: 'Flow cancelled.', nonRetryable: true });
      }
      throw new CancelledFailure('Flow cancelled.');
    }
    return record.result ?? null;
  }

  /**
   * Applies task and flow changes as one revision, with the flow status the tasks then derive
   * (or the `end` a finish or fail imposes); returns whether anything changed.
   */
  private commit(write: { tasks?: TaskWrite; flow?: Partial<FlowFields>; end?: { status: FlowStatus; blocked?: BlockedInfo | null } }): boolean {
    const record = this.record;
    let tasks: TaskRecord[] = record.tasks;
    for (const [taskId, patch] of write.tasks ?? []) tasks = withTaskPatch(tasks, taskId, patch);
    const cancelRequested = (write.flow?.cancelRequestedAt ?? record.cancelRequestedAt) !== null;
    const view = write.end
      ? { status: write.end.status, wait: null, blocked: write.end.blocked ?? null, ends: true }
      : mirroredFlowView(tasks, { autoComplete: this.options.autoComplete, cancelRequested });
    const error = view.ends && view.status === 'failed' && !write.flow?.error ? failureOf(tasks) : undefined;
    const at = now();
    const applied = this.keeper.apply((change) => {
      for (const [taskId, patch] of write.tasks ?? []) change.setTask(taskId, patch);
      change.setFlow({ ...write.flow, status: view.status, wait: view.wait, blocked: view.blocked, ...(view.ends ? { endedAt: at } : {}), ...(error ? { error } : {}) });
    });
    if (applied && view.ends) countFlowEnded(this.record);
    for (const [taskId] of write.tasks ?? []) if (!isActiveTask(this.keeper.task(taskId)!.status)) this.leases.drop(taskId);
    return applied;
  }

  activeTasks(): TaskRecord[] {
    return this.record.tasks.filter((t) => isActiveTask(t.status));
  }

  report(report: TaskReport): WriteResult<FlowRecord> {
    const current = this.keeper.task(report.taskId);
    const requestId = currentUpdateInfo()?.id;
    const answer = (applied: boolean, reason?: string) => {
      if (requestId !== undefined) this.requests.add(requestId, { applied, ...(reason ? { reason } : {}) });
      const task = this.keeper.task(report.taskId);
      return this.written(applied, reason, task ? [task] : []);
    };
    // The server may deliver an update the previous run applied once more to this one (an update
    // completed in the same workflow task as continue-as-new): answer it as the first time.
    const answered = requestId === undefined ? undefined : this.requests.get(requestId);
    if (answered) {
      log.info('An update the flow already applied was delivered again; answered as the first time.', { updateId: requestId });
      return answer(answered.applied, answered.reason);
    }

    const seenEvent = report.eventId !== undefined && this.events.has(report.eventId);
    if (report.eventId !== undefined) this.events.add(report.eventId, true);
    const plan = planTaskReport(current, report, { seenEvent, flowId: this.record.flowId, receivedAt: now() });
    if ('apply' in plan) {
      const firstTask = !current && this.record.tasks.length === 0 && !this.record.goal;
      this.commit({ tasks: [[report.taskId, plan.apply]], flow: firstTask ? { goal: defaultGoal(report) } : {} });
    }
    // Every report for an active task renews its lease, applied or not.
    if (isActiveTask(this.keeper.task(report.taskId)?.status ?? 'succeeded')) this.renewLease(report.taskId, report.lease);
    return 'apply' in plan ? answer(true) : answer(false, plan.noop);
  }

  private renewLease(taskId: string, lease: string | undefined): void {
    this.leases.renew(taskId, lease, Date.now());
    const next = this.leases.nextDeadline();
    if (next !== undefined && (this.armedDeadline === undefined || next < this.armedDeadline)) this.wake = true;
  }

  private expireLeases(): void {
    const expired = this.leases.takeExpired(Date.now()).filter((l) => isActiveTask(this.keeper.task(l.taskId)?.status ?? 'lost'));
    if (expired.length === 0) return;
    const at = now();
    this.commit({ tasks: expired.map((l) => [l.taskId, { status: 'lost', endedAt: at, lastEventAt: at, terminalSummary: TASK_SUMMARIES.leaseExpired(l.lease) }]) });
  }

  /**
   * Spec §5 for mirrored flows: a sticky intent; the cancel hook stops what it can; what it could
   * not stop stays active and is named, unless `force` records it lost and ends the flow now.
   */
  async cancel({ reason, force }: CancelRequest): Promise<MirroredCancelResult> {
    let applied = false;
    if (this.record.cancelRequestedAt !== null && !force) return this.cancelAnswer(false, []);
    if (this.record.cancelRequestedAt === null) applied = this.commit({ flow: { cancelRequestedAt: now(), cancelReason: reason ?? null } });

    if (!this.ended) {
      const confirmed = new Set(await stopWithHook(this.options.cancelHook, { flowId: this.record.flowId, tasks: this.activeTasks(), reason: reason ?? null }));
      const at = now();
      const stopped = this.activeTasks().filter((t) => confirmed.has(t.taskId));
      const cancelled: TaskWrite = stopped.map((t) => [t.taskId, { status: 'cancelled', endedAt: at, lastEventAt: at, terminalSummary: TASK_SUMMARIES.cancelledByHook }]);
      if (cancelled.length > 0) applied = this.commit({ tasks: cancelled }) || applied;
    }
    const abandoned = force && !this.ended ? this.activeTasks().map((t) => t.taskId) : [];
    if (abandoned.length > 0) {
      const at = now();
      applied = this.commit({ tasks: abandoned.map((taskId) => [taskId, { status: 'lost', endedAt: at, lastEventAt: at, terminalSummary: TASK_SUMMARIES.abandoned }]) }) || applied;
    }
    return this.cancelAnswer(applied, abandoned);
  }

  private cancelAnswer(applied: boolean, abandoned: string[]): MirroredCancelResult {
    return { ...this.written(applied, 'cancel_already_requested'), stillActive: this.activeTasks().map((t) => t.taskId), abandoned };
  }

  /**
   * A write's answer: the record after it. A report's answer carries only the task it touched, so
   * history does not grow by the whole record per report (`flow show` has every task).
   */
  private written(applied: boolean, reason?: string, onlyTasks?: TaskRecord[]): WriteResult<FlowRecord> {
    const flow = onlyTasks ? { ...this.record, tasks: onlyTasks } : this.record;
    return { applied, ...(applied ? {} : { reason }), flow };
  }

  /** `finish`: ends the flow with the status its tasks derive (the validator saw no active task). */
  finish(result: unknown): WriteResult<FlowRecord> {
    const { status, blocked } = finishedStatus(this.record.tasks);
    return this.written(this.commit({ flow: { result: result ?? null }, end: { status, blocked } }));
  }

  /** `fail`: ends the flow failed, recording its still-active tasks lost. */
  fail(error: string): WriteResult<FlowRecord> {
    const at = now();
    const lost: TaskWrite = this.activeTasks().map((t) => [t.taskId, { status: 'lost', endedAt: at, lastEventAt: at, terminalSummary: TASK_SUMMARIES.flowFailed(error) }]);
    return this.written(this.commit({ tasks: lost, flow: { error }, end: { status: 'failed' } }));
  }

  patchState(patch: Record<string, unknown>): WriteResult<FlowRecord> {
    const state = { ...(isObject(this.record.state) ? this.record.state : {}), ...patch };
    return this.written(this.commit({ flow: { state } }), 'identical');
  }

  describe(fields: { goal?: string; currentStep?: string | null }): WriteResult<FlowRecord> {
    const flow: Partial<FlowFields> = { ...(fields.goal !== undefined ? { goal: fields.goal } : {}), ...(fields.currentStep !== undefined ? { currentStep: fields.currentStep } : {}) };
    return this.written(this.commit({ flow }), 'identical');
  }
}

function failureOf(tasks: readonly TaskRecord[]): string {
  const failed = tasks.find((t) => t.status === 'failed' || t.status === 'timed_out');
  if (!failed) return 'Flow failed.';
  return `Task ${failed.taskId} ${failed.status === 'failed' ? 'failed' : 'timed out'}${failed.error ? `: ${failed.error}` : '.'}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

