import {
  CancellationScope,
  ContinueAsNew,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  setHandler,
  workflowInfo,
  ApplicationFailure,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { z } from 'zod';
import { FlowRecordKeeper } from '../model/keeper';
import { newFlowRecord } from '../model/new-record';
import { carryRecord, restoreRecord, type CarriedRecord } from '../model/carry';
import { isPacked } from '../model/pack';
import type { FlowRecord, FlowStatus } from '../model/records';
import { START_MEMO_KEY, type FlowStartOptions } from '../model/start';
import { RETRY_PENDING, RecordPageRequest, RetriedSignal, type WriteAck } from '../model/messages';
import { recordAnswer } from '../model/record-page';
import { LIST_MEMO_KEY, type FlowListMemo } from '../model/listing';
import { SA_LOOKUP_KEY } from '../model/search-attributes';
import { isActiveTask, isTerminalFlow } from '../model/status';
import type { FlowDefinition } from './define';
import { goalOf } from './define';
import type { FlowContext, WaitDefinition, WaitOptions } from './context';
import { endExecutionCancelled, requestExecutionCancel } from './execution-cancel';
import { checkExpectedRevision, checkWriteSize, expectedFailure, flowFailure, flowTerminal, zodMessage } from './failures';
import { cancelUpdate, patchStateUpdate, recordQuery, resumeUpdate, retriedSignal } from './messages';
import { RecordPublisher } from './publish';
import { countFlowEnded, countFlowStarted } from './metrics';
import { TaskRunner, messageOf, type TaskOptions } from './tasks';
import { mapWithConcurrency, type MapOptions } from './fan-out';
import { runChildFlow, type ChildOptions } from './children';
import type { FlowWorkflow } from './define';
import { OpenWaits, type OpenWait } from './waits';

const now = () => new Date().toISOString();

/**
 * The workflow behind every `defineFlow`: keeps the record, answers messages, runs the flow code.
 * The raw input is parsed here, once per run; continue-as-new carries it raw, with the record.
 */
export async function runManagedFlow<R>(definition: FlowDefinition<z.ZodType, unknown, R>, rawInput: unknown, carried?: unknown): Promise<R> {
  const parsed = definition.input.safeParse(rawInput);
  if (!parsed.success) throw flowFailure('invalid_input', zodMessage('Flow input', parsed.error));
  const flow = new ManagedFlow(definition, rawInput, parsed.data, isCarriedRecord(carried) ? carried : undefined);
  return flow.execute();
}

/** A record the previous run carried (packed, or unpacked by an older release); anything else (an older release's start options) is ignored. */
function isCarriedRecord(value: unknown): value is CarriedRecord {
  if (isPacked(value)) return true;
  return typeof value === 'object' && value !== null && 'flowId' in value && Array.isArray((value as { tasks?: unknown }).tasks);
}

/** `waitFor(name, schema, options?)`. */
type WaitArgs = [string, z.ZodType, WaitOptions?];

/** The state's type is the definition's, checked by its schema at run time. */
type S = any;

class ManagedFlow<R> implements FlowContext<S> {
  private readonly keeper: FlowRecordKeeper;
  private readonly publisher: RecordPublisher;
  private readonly tasksRunner: TaskRunner;
  private readonly flowScope = new CancellationScope();
  private readonly start: FlowStartOptions;
  private readonly waits = new OpenWaits();
  private rootCancelled = false;
  /**
   * A run made by a reset (`flow retry`) answers no record until the retry's signal brought the old
   * run's last revision: before that, its revision would be behind the one `flow show` last showed.
   */
  private awaitingRetry: boolean;
  /** The request for this execution's server-side cancel, once the flow asked for it. */
  private executionCancel: Promise<void> | undefined;

  constructor(
    private readonly definition: FlowDefinition<z.ZodType, unknown, R>,
    private readonly rawInput: unknown,
    private readonly input: unknown,
    carried: CarriedRecord | undefined,
  ) {
    const info = workflowInfo();
    this.awaitingRetry = info.runId !== info.originalExecutionRunId;
    this.start = (info.memo?.[START_MEMO_KEY] ?? {}) as FlowStartOptions;
    const initial: FlowRecord = carried
      ? { ...restoreRecord(carried), runId: info.runId }
      : newFlowRecord({
          flowId: info.workflowId,
          runId: info.runId,
          flowType: info.workflowType,
          syncMode: 'managed',
          status: 'running',
          goal: goalOf(definition, input),
          lookupKey: info.typedSearchAttributes.get(SA_LOOKUP_KEY) ?? definition.lookupKey?.(input) ?? null,
          state: definition.initialState?.(input) ?? null,
          createdAt: createdAtOf(info),
          parentFlowId: parentFlowIdOf(info),
        });
    this.keeper = new FlowRecordKeeper(initial, now);
    this.tasksRunner = new TaskRunner(this.keeper, this.start.taskDefaults ?? {}, {
      now,
      blocked: async (task) => {
        await this.awaitResume({ name: task.taskId, kind: 'blocked', schema: null, description: task.terminalSummary, taskId: task.taskId });
      },
    });
    this.publisher = new RecordPublisher(
      () => this.keeper.record,
      (limit) => this.keeper.activeTasks(limit),
      () => this.tasksRunner.childTasks(),
    );
    this.keeper.onChange(() => this.publisher.schedule());
    this.registerHandlers();
    if (!carried) countFlowStarted('managed');
    // A cancel from outside TaskFlow (Web UI, `temporal workflow cancel`) is recorded as an intent too.
    CancellationScope.current().cancelRequested.catch(() => {
      this.rootCancelled = true;
      this.recordCancelIntent('cancelled through Temporal');
    });
    this.publisher.schedule();
  }

  get flowId(): string {
    return this.keeper.record.flowId;
  }

  get state(): S {
    return this.keeper.record.state as S;
  }

  get record(): FlowRecord {
    return this.keeper.record;
  }

  setStep(step: string | null): void {
    this.keeper.apply((change) => change.setFlow({ currentStep: step }));
  }

  patchState(patch: Partial<S>): void {
    const next = this.validState({ ...(this.state as object), ...patch });
    this.keeper.apply((change) => change.setFlow({ state: next }));
  }

  tasks<A>(options?: TaskOptions) {
    return this.tasksRunner.proxy<A>(options);
  }

  async waitFor(...args: WaitArgs | [WaitDefinition, WaitOptions?]): Promise<any> {
    const [name, schema, options = {}]: WaitArgs =
      typeof args[0] === 'string' ? (args as WaitArgs) : [args[0].name, args[0].schema, args[1]];
    const wait: OpenWait = { name, kind: 'waiting', schema, description: options.description ?? null };
    return this.awaitResume(wait, options.timeout);
  }

  child(workflow: FlowWorkflow<any, any, any>, input: unknown, options?: ChildOptions): Promise<any> {
    const parent = { flowId: this.keeper.record.flowId, start: this.start, now };
    return runChildFlow(this.tasksRunner, parent, workflow, input, options);
  }

  map<T, U>(items: readonly T[], fn: (item: T, index: number) => Promise<U>, options?: MapOptions): Promise<U[]> {
    return mapWithConcurrency(items, fn, options);
  }

  async checkpoint(): Promise<void> {
    const info = workflowInfo();
    const limit = this.start.continueAsNewAfterEvents;
    if (!info.continueAsNewSuggested && !(limit && info.historyLength >= limit)) return;
    // Nothing may be in flight in another branch: the next run would not know of it.
    await condition(() => this.keeper.record.taskSummary.active === 0 && this.waits.size === 0 && allHandlersFinished());
    this.publisher.flush();
    await continueAsNew<(input: unknown, carried?: CarriedRecord) => Promise<R>>(this.rawInput, carryRecord(this.keeper.record));
  }

  async execute(): Promise<R> {
    try {
      const result = await this.flowScope.run(() => this.definition.run(this, this.input));
      if (this.keeper.record.cancelRequestedAt) return await this.endCancelled();
      this.end('succeeded', { result: (result ?? null) as unknown });
      return result;
    } catch (err) {
      if (err instanceof ContinueAsNew) throw err;
      // This flow was cancelled; a cancellation it did not catch from one of its children alone fails it.
      if ((isCancellation(err) && this.flowScope.consideredCancelled) || this.keeper.record.cancelRequestedAt) return await this.endCancelled();
      const message = messageOf(err);
      this.end('failed', { error: message });
      throw err instanceof ApplicationFailure ? err : expectedFailure('flow_failed', message);
    }
  }

  private end(status: FlowStatus, fields: Partial<FlowRecord>): void {
    const at = now();
    this.keeper.apply((change) => {
      change.setFlow({ ...fields, status, endedAt: at, wait: null });
      // Tasks the flow code did not wait for end with it (Temporal stops tracking them when it closes).
      for (const task of this.keeper.activeTasks()) {
        change.setTask(task.taskId, { status: 'cancelled', endedAt: at, lastEventAt: at, terminalSummary: `the flow ended ${status} before this task did` });
      }
    });
    countFlowEnded(this.keeper.record);
    this.publisher.flush();
  }

  private async endCancelled(): Promise<never> {
    // A cancelled Promise.all rejects at its first cancelled task; record how every other one really ends.
    await CancellationScope.nonCancellable(() => condition(() => this.keeper.record.taskSummary.active === 0));
    this.end('cancelled', {});
    return endExecutionCancelled(() => this.rootCancelled, () => this.requestExecutionCancel());
  }

  /** Opens a wait and parks until a resume answers it; other open waits are left alone. */
  private async awaitResume(wait: OpenWait, timeout?: Duration): Promise<unknown> {
    this.waits.add(wait);
    this.applyWaits();
    try {
      const resumed = () => wait.resumed !== undefined;
      const summary = wait.kind === 'waiting' ? `wait for ${wait.name}` : `blocked until ${wait.name} is resumed`;
      const inTime = timeout === undefined ? (await condition(resumed), true) : await condition(resumed, timeout, { summary });
      if (!inTime) {
        this.waits.remove(wait);
        this.applyWaits();
        throw flowFailure('wait_timeout', `No resume arrived within ${String(timeout)} while waiting for ${wait.name}.`);
      }
      return wait.resumed!.data;
    } finally {
      // A cancelled wait closes too; the flow's end then records its status.
      this.waits.remove(wait);
    }
  }

  private applyWaits(): void {
    this.keeper.apply((change) => change.setFlow(this.waits.fields()));
  }

  /** The open wait a resume names (or the only one); `not_waiting` / `ambiguous_wait` otherwise. */
  private waitToResume(name: string | undefined): OpenWait {
    const record = this.keeper.record;
    if (this.waits.size === 0) {
      throw flowFailure('not_waiting', `Flow ${record.flowId} is ${record.status}, not waiting; there is nothing to resume.`, { status: record.status });
    }
    return this.waits.pick(record.flowId, name);
  }

  private resumeData(wait: OpenWait, data: unknown): unknown {
    if (!wait.schema) return data ?? null;
    const parsed = wait.schema.safeParse(data);
    if (!parsed.success) throw flowFailure('invalid_input', zodMessage('Resume data', parsed.error));
    return parsed.data;
  }

  /** Asks (once) for the server-side cancel that lets the execution end Canceled. */
  private requestExecutionCancel(): Promise<void> {
    return (this.executionCancel ??= requestExecutionCancel(this.keeper.record.flowId));
  }

  private validState(candidate: unknown): unknown {
    const schema = this.definition.state;
    if (!schema) {
      checkWriteSize('Flow state', candidate);
      return candidate;
    }
    const parsed = schema.safeParse(candidate);
    if (!parsed.success) throw flowFailure('invalid_input', zodMessage('Flow state', parsed.error));
    checkWriteSize('Flow state', parsed.data);
    return parsed.data;
  }

  private recordCancelIntent(reason: string | null): boolean {
    return this.keeper.apply((change) => {
      if (!this.keeper.record.cancelRequestedAt) change.setFlow({ cancelRequestedAt: now(), cancelReason: reason });
    });
  }

  private written(applied: boolean, reason?: string): WriteAck {
    const { revision, status } = this.keeper.record;
    return { applied, ...(applied ? {} : { reason }), revision, status };
  }

  private registerHandlers(): void {
    setHandler(recordQuery, (raw?: RecordPageRequest) => {
      const request = RecordPageRequest.parse(raw);
      if (this.awaitingRetry && !request?.evenIfRetrying) {
        throw ApplicationFailure.create({ type: RETRY_PENDING, message: `Flow ${this.flowId} is being retried (${RETRY_PENDING}); ask again shortly.`, nonRetryable: true });
      }
      return recordAnswer(this.keeper.record, request, this.keeper);
    }, {
      description: 'The flow record: status, revision, state and its tasks (a page of them past ~1 MB: see taskPage).',
    });

    // Sent by `flow retry` to the run its reset made: the revisions count on from the retried run's last one.
    setHandler(
      retriedSignal,
      (signal) => {
        const parsed = RetriedSignal.safeParse(signal);
        if (!parsed.success) return;
        const { forRunId, fromRunId, reason, lastRevision, attempts, ended } = parsed.data;
        // A signal of an earlier retry (kept in the history before the reset point) does not end this run's wait.
        if (forRunId === workflowInfo().runId) this.awaitingRetry = false;
        this.tasksRunner.continueFrom(attempts, ended);
        this.keeper.continueFrom(lastRevision);
        this.keeper.apply((change) => {
          change.setFlow({ retriedFrom: { runId: fromRunId, reason } });
          // A task this run already created again (before the signal reached it) counts on too.
          for (const task of this.keeper.activeTasks()) {
            const first = this.tasksRunner.firstAttempt(task.taskId);
            if (task.attempt < first) change.setTask(task.taskId, { attempt: first });
          }
          // Tasks whose end this run recorded again before the signal reached it: keep when they really ended.
          for (const [taskId, times] of Object.entries(ended)) {
            const task = this.keeper.task(taskId);
            if (task && !isActiveTask(task.status)) change.setTask(taskId, times);
          }
        });
      },
      { description: 'Sent by taskflow flow retry when it starts this run from an ended one.' },
    );

    const writable = (expectedRevision: number | undefined, request: unknown) => {
      // An accepted update's request goes to history whole: refuse one too large before it does.
      checkWriteSize('The request', request);
      const record = this.keeper.record;
      checkExpectedRevision(record, expectedRevision);
      if (isTerminalFlow(record)) throw flowTerminal(record);
    };

    setHandler(
      resumeUpdate,
      ({ data, wait: name }) => {
        // Re-checked here: an earlier update of the same activation may have answered the wait.
        const wait = this.waitToResume(name);
        wait.resumed = { data: this.resumeData(wait, data) };
        this.waits.remove(wait);
        this.applyWaits();
        return this.written(true);
      },
      {
        description: 'Resume one open wait of the flow: { wait?, expectedRevision?, data? }.',
        validator: (request) => {
          writable(request.expectedRevision, request);
          this.resumeData(this.waitToResume(request.wait), request.data);
        },
      },
    );

    setHandler(
      patchStateUpdate,
      ({ patch }) => {
        const next = this.validState({ ...(this.state as object), ...patch });
        return this.written(this.keeper.apply((change) => change.setFlow({ state: next })), 'identical');
      },
      {
        description: 'Shallow-merge a patch into the flow state: { expectedRevision?, patch }.',
        validator: (request) => {
          const { expectedRevision, patch } = request;
          writable(expectedRevision, request);
          this.validState({ ...(this.state as object), ...patch });
        },
      },
    );

    setHandler(
      cancelUpdate,
      ({ reason }) => {
        const applied = this.recordCancelIntent(reason ?? null);
        this.flowScope.cancel();
        // Asked for now, as a client would: the execution then ends Canceled as soon as its tasks stopped.
        // A failure to start the request surfaces where the flow ends, which awaits it again.
        if (!this.rootCancelled) this.requestExecutionCancel().catch(() => undefined);
        return this.written(applied, 'cancel_already_requested');
      },
      {
        description: 'Record the cancel intent and cancel the active tasks: { expectedRevision?, reason? }.',
        validator: (request) => writable(request.expectedRevision, request),
      },
    );
  }
}

/** The flow this one is a child of: Temporal's parent link, else what its starter stamped in the memo. */
function parentFlowIdOf(info: { parent?: { workflowId: string }; memo?: Record<string, unknown> }): string | null {
  const memo = info.memo?.[LIST_MEMO_KEY] as Partial<FlowListMemo> | undefined;
  return info.parent?.workflowId ?? memo?.parentFlowId ?? null;
}

/** When the flow was created: as its starter stamped it in the memo, else when its first run started. */
export function createdAtOf(info: { memo?: Record<string, unknown>; startTime: Date }): string {
  const memo = info.memo?.[LIST_MEMO_KEY] as Partial<FlowListMemo> | undefined;
  return typeof memo?.createdAt === 'string' ? memo.createdAt : info.startTime.toISOString();
}
