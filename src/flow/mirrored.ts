import {
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  log,
  workflowInfo,
} from '@temporalio/workflow';
import { carryRecord, restoreRecord, type CarriedRecord } from '../model/carry';
import { isPacked, pack, unpack, type Packed } from '../model/pack';
import { FlowRecordKeeper } from '../model/keeper';
import type { CancelRequest, WriteAck } from '../model/messages';
import { newFlowRecord } from '../model/new-record';
import type { BlockedInfo, FlowFields, FlowRecord, FlowStatus, TaskRecord } from '../model/records';
import { isActiveTask } from '../model/status';
import {
  MIRRORED_WORKFLOW_TYPE,
  MirroredCreate,
  TASK_SUMMARIES,
  type TaskReport,
  blockedTaskOf,
  defaultGoal,
  finishedStatus,
  mirroredFlowView,
  planTaskReport,
  type MirroredCancelAck,
  type MirroredCreateInput,
} from '../model/transitions';
import { emptyTaskCounts } from '../model/status';
import { createdAtOf } from './managed';
import { endExecutionCancelled, requestExecutionCancel } from './execution-cancel';
import { stopWithHook } from './mirrored-cancel';
import { expectedFailure, flowFailure, zodMessage } from './failures';
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

export type MirroredInit = MirroredCreateInput;

/** What a mirrored flow hands to its next run on continue-as-new: packed, as it holds up to 10,000 tasks and event ids. */
export type MirroredCarried = Packed | UnpackedCarried;

interface UnpackedCarried {
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
  return new MirroredFlow(parsed.data, carried && isPacked(carried) ? unpack<UnpackedCarried>(carried) : carried).execute();
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
    carried?: UnpackedCarried,
  ) {
    const info = workflowInfo();
    this.keeper = new FlowRecordKeeper(carried ? { ...restoreRecord(carried.record), runId: info.runId } : this.newRecord(), now);
    this.events = new RecentIds(EVENT_WINDOW, carried?.seenEvents.map((id) => [id, true] as const));
    this.requests = new RecentIds(REQUEST_WINDOW, carried?.answeredRequests);
    this.leases = new LeaseBook(carried?.leases);
    this.publisher = new RecordPublisher(() => this.keeper.record, (limit) => this.keeper.activeTasks(limit));
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

  task(taskId: string): TaskRecord | undefined {
    return this.keeper.task(taskId);
  }

  tasksChangedSince(revision: number): TaskRecord[] {
    return this.keeper.tasksChangedSince(revision);
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
    const view = mirroredFlowView(emptyTaskCounts(), { autoComplete: this.options.autoComplete, cancelRequested: false });
    const record = newFlowRecord({
      flowId: info.workflowId,
      runId: info.runId,
      flowType: this.options.flowType ?? MIRRORED_WORKFLOW_TYPE,
      syncMode: 'mirrored',
      status: view.status,
      goal: this.options.goal ?? '',
      lookupKey: this.options.lookupKey ?? null,
      createdAt: createdAtOf(info),
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
    const carried: UnpackedCarried = { record: carryRecord(this.record), seenEvents: this.events.ids(), answeredRequests: this.requests.entries(), leases: this.leases.toArray() };
    return pack(carried);
  }

  /** The execution status follows the flow (spec §9). */
  private async endExecution(): Promise<unknown> {
    const record = this.record;
    if (record.status === 'failed') throw expectedFailure('flow_failed', record.error ?? 'Flow failed.');
    if (record.status === 'cancelled' && record.cancelRequestedAt !== null) {
      return endExecutionCancelled(() => this.rootCancelled, () => requestExecutionCancel(record.flowId));
    }
    return record.result ?? null;
  }

  /**
   * Applies task and flow changes as one revision, with the flow status the tasks then derive
   * (or the `end` a finish or fail imposes); returns whether anything changed.
   */
  private commit(write: { tasks?: TaskWrite; flow?: Partial<FlowFields>; end?: { status: FlowStatus; blocked?: BlockedInfo | null } }): boolean {
    const record = this.record;
    const counts = this.keeper.countsAfter(write.tasks ?? []);
    const cancelRequested = (write.flow?.cancelRequestedAt ?? record.cancelRequestedAt) !== null;
    const view = write.end
      ? { status: write.end.status, wait: null, blocked: write.end.blocked ?? null, ends: true }
      : mirroredFlowView(counts, { autoComplete: this.options.autoComplete, cancelRequested });
    // What ended the flow is named once, as it ends: a scan of the tasks, never one per report.
    const ending = view.ends && record.endedAt === null;
    const tasksAfter = () => patchedTasks(record.tasks, write.tasks ?? []);
    const error = ending && view.status === 'failed' && !write.flow?.error ? failureOf(tasksAfter()) : undefined;
    const blocked = ending && view.status === 'blocked' && !view.blocked ? blockedTaskOf(tasksAfter()) : view.blocked;
    const at = now();
    const applied = this.keeper.apply((change) => {
      for (const [taskId, patch] of write.tasks ?? []) change.setTask(taskId, patch);
      change.setFlow({ ...write.flow, status: view.status, wait: view.wait, blocked, ...(view.ends ? { endedAt: at } : {}), ...(error ? { error } : {}) });
    });
    if (applied && view.ends) countFlowEnded(this.record);
    for (const [taskId] of write.tasks ?? []) if (!isActiveTask(this.keeper.task(taskId)!.status)) this.leases.drop(taskId);
    return applied;
  }

  activeTasks(): TaskRecord[] {
    return this.keeper.activeTasks();
  }

  report(report: TaskReport): WriteAck {
    const current = this.keeper.task(report.taskId);
    const requestId = currentUpdateInfo()?.id;
    const answer = (applied: boolean, reason?: string) => {
      if (requestId !== undefined) this.requests.add(requestId, { applied, ...(reason ? { reason } : {}) });
      const task = this.keeper.task(report.taskId);
      return { ...this.written(applied, reason), task: task ?? null };
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
    const renewed = this.leases.renew(taskId, lease, Date.now());
    // Only a deadline earlier than the armed timer's needs the main loop to re-arm it.
    if (renewed && (this.armedDeadline === undefined || renewed.deadline < this.armedDeadline)) this.wake = true;
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
  async cancel({ reason, force }: CancelRequest): Promise<MirroredCancelAck> {
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

  private cancelAnswer(applied: boolean, abandoned: string[]): MirroredCancelAck {
    return { ...this.written(applied, 'cancel_already_requested'), stillActive: this.activeTasks().map((t) => t.taskId), abandoned };
  }

  /** A write's answer: where the flow stands after it, never the record (its size would go to history with every write). */
  private written(applied: boolean, reason?: string): WriteAck {
    const { revision, status } = this.record;
    return { applied, ...(applied ? {} : { reason }), revision, status };
  }

  /** `finish`: ends the flow with the status its tasks derive (the validator saw no active task). */
  finish(result: unknown): WriteAck {
    const status = finishedStatus(this.keeper.taskCounts);
    const blocked = status === 'blocked' ? blockedTaskOf(this.record.tasks) : null;
    return this.written(this.commit({ flow: { result: result ?? null }, end: { status, blocked } }));
  }

  /** `fail`: ends the flow failed, recording its still-active tasks lost. */
  fail(error: string): WriteAck {
    const at = now();
    const lost: TaskWrite = this.activeTasks().map((t) => [t.taskId, { status: 'lost', endedAt: at, lastEventAt: at, terminalSummary: TASK_SUMMARIES.flowFailed(error) }]);
    return this.written(this.commit({ tasks: lost, flow: { error }, end: { status: 'failed' } }));
  }

  patchState(patch: Record<string, unknown>): WriteAck {
    const state = { ...(isObject(this.record.state) ? this.record.state : {}), ...patch };
    return this.written(this.commit({ flow: { state } }), 'identical');
  }

  describe(fields: { goal?: string; currentStep?: string | null }): WriteAck {
    const flow: Partial<FlowFields> = { ...(fields.goal !== undefined ? { goal: fields.goal } : {}), ...(fields.currentStep !== undefined ? { currentStep: fields.currentStep } : {}) };
    return this.written(this.commit({ flow }), 'identical');
  }
}

/** The tasks as they will stand after these patches (new ones last). */
function patchedTasks(tasks: readonly TaskRecord[], patches: TaskWrite): TaskRecord[] {
  const byId = new Map(patches);
  const known = new Set<string>();
  const patched = tasks.map((t) => {
    known.add(t.taskId);
    const patch = byId.get(t.taskId);
    return patch ? { ...t, ...patch } : t;
  });
  for (const [taskId, patch] of patches) if (!known.has(taskId)) patched.push(patch as TaskRecord);
  return patched;
}

function failureOf(tasks: readonly TaskRecord[]): string {
  const failed = tasks.find((t) => t.status === 'failed' || t.status === 'timed_out');
  if (!failed) return 'Flow failed.';
  return `Task ${failed.taskId} ${failed.status === 'failed' ? 'failed' : 'timed out'}${failed.error ? `: ${failed.error}` : '.'}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

