import {
  CancellationScope,
  CancelledFailure,
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
import { carryRecord, restoreRecord } from '../model/carry';
import type { FlowRecord, FlowStatus } from '../model/records';
import type { FlowStart } from '../model/start';
import type { WriteResult } from '../model/messages';
import { isActiveTask, isTerminalFlow } from '../model/status';
import type { FlowDefinition } from './define';
import { goalOf } from './define';
import type { FlowContext, WaitOptions } from './context';
import { checkExpectedRevision, checkWriteSize, flowFailure, flowTerminal, zodMessage } from './failures';
import { cancelUpdate, patchStateUpdate, recordQuery, resumeUpdate } from './messages';
import { RecordPublisher } from './publish';
import { countFlowEnded, countFlowStarted } from './metrics';
import { TaskRunner, messageOf, type TaskOptions } from './tasks';

const now = () => new Date().toISOString();
/** How long a flow cancelled by update waits for the server-side cancel that makes it end Canceled. */
const ROOT_CANCEL_GRACE: Duration = '30s';

/** The workflow behind every `defineFlow`: keeps the record, answers messages, runs the flow code. */
export async function runManagedFlow<I, S, R>(definition: FlowDefinition<I, S, R>, rawInput: I, start: FlowStart): Promise<R> {
  const parsed = definition.input.safeParse(rawInput);
  if (!parsed.success) throw flowFailure('invalid_input', zodMessage('Flow input', parsed.error));
  const input = parsed.data;
  const flow = new ManagedFlow(definition, input, start);
  return flow.execute();
}

class ManagedFlow<I, S, R> implements FlowContext<S> {
  private readonly keeper: FlowRecordKeeper;
  private readonly publisher: RecordPublisher;
  private readonly tasksRunner: TaskRunner;
  private readonly flowScope = new CancellationScope();
  private rootCancelled = false;
  private waitSchema: z.ZodType | null = null;
  private resumed: { data: unknown } | null = null;

  constructor(
    private readonly definition: FlowDefinition<I, S, R>,
    private readonly input: I,
    private readonly start: FlowStart,
  ) {
    const info = workflowInfo();
    const carried = start.carried;
    const initial: FlowRecord = carried
      ? { ...restoreRecord(carried), runId: info.runId }
      : newFlowRecord({
          flowId: info.workflowId,
          runId: info.runId,
          flowType: info.workflowType,
          syncMode: 'managed',
          status: 'running',
          goal: goalOf(definition, input),
          lookupKey: start.lookupKey ?? definition.lookupKey?.(input) ?? null,
          state: definition.initialState?.(input) ?? null,
          createdAt: info.startTime.toISOString(),
        });
    this.keeper = new FlowRecordKeeper(initial, now);
    this.publisher = new RecordPublisher(() => this.keeper.record);
    this.keeper.onChange(() => this.publisher.schedule());
    this.tasksRunner = new TaskRunner(this.keeper, start.taskDefaults ?? {}, {
      now,
      blocked: async (task) => {
        await this.awaitResume('blocked', null, { taskId: task.taskId, summary: task.terminalSummary });
      },
    });
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

  async waitFor<T>(name: string, schema: z.ZodType<T>, options: WaitOptions = {}): Promise<T> {
    return (await this.awaitResume('waiting', schema, { for: name, description: options.description ?? null }, options.timeout)) as T;
  }

  async checkpoint(): Promise<void> {
    const info = workflowInfo();
    const limit = this.start.continueAsNewAfterEvents;
    if (!info.continueAsNewSuggested && !(limit && info.historyLength >= limit)) return;
    await condition(allHandlersFinished);
    this.publisher.flush();
    await continueAsNew<(input: I, start: FlowStart) => Promise<R>>(this.input, { ...this.start, carried: carryRecord(this.keeper.record) });
  }

  async execute(): Promise<R> {
    try {
      const result = await this.flowScope.run(() => this.definition.run(this, this.input));
      if (this.keeper.record.cancelRequestedAt) return await this.endCancelled();
      this.end('succeeded', { result: (result ?? null) as unknown });
      return result;
    } catch (err) {
      if (err instanceof ContinueAsNew) throw err;
      if (isCancellation(err) || this.keeper.record.cancelRequestedAt) return await this.endCancelled();
      const message = messageOf(err);
      this.end('failed', { error: message });
      throw err instanceof ApplicationFailure ? err : ApplicationFailure.create({ message, type: 'flow_failed', nonRetryable: true });
    }
  }

  private end(status: FlowStatus, fields: Partial<FlowRecord>): void {
    const at = now();
    this.keeper.apply((change) => {
      change.setFlow({ ...fields, status, endedAt: at, wait: null });
      // Tasks the flow code did not wait for end with it (Temporal stops tracking them when it closes).
      for (const task of this.keeper.record.tasks.filter((t) => isActiveTask(t.status))) {
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
    // The execution ends Canceled only if the server asked for it; a cancel by update is followed by one.
    const cancelled = await CancellationScope.nonCancellable(() => condition(() => this.rootCancelled, ROOT_CANCEL_GRACE));
    if (!cancelled) throw ApplicationFailure.create({ type: 'cancelled', message: 'Flow cancelled.', nonRetryable: true });
    throw new CancelledFailure('Flow cancelled.');
  }

  private async awaitResume(status: 'waiting' | 'blocked', schema: z.ZodType | null, about: unknown, timeout?: Duration): Promise<unknown> {
    this.waitSchema = schema;
    this.resumed = null;
    this.keeper.apply((change) =>
      change.setFlow(status === 'waiting' ? { status, wait: about } : { status, blocked: about as FlowRecord['blocked'] }),
    );
    try {
      const summary = status === 'waiting' ? `wait for ${(about as { for: string }).for}` : 'blocked until resumed';
      const resumed =
        timeout === undefined ? (await condition(() => this.resumed !== null), true) : await condition(() => this.resumed !== null, timeout, { summary });
      if (!resumed) {
        this.keeper.apply((change) => change.setFlow({ status: 'running', wait: null }));
        throw flowFailure('wait_timeout', `No resume arrived within ${String(timeout)} while waiting for ${(about as { for: string }).for}.`);
      }
      return this.resumed!.data;
    } finally {
      this.waitSchema = null;
      this.resumed = null;
    }
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

  private written(applied: boolean, reason?: string): WriteResult<FlowRecord> {
    return { applied, ...(applied ? {} : { reason }), flow: this.keeper.record };
  }

  private registerHandlers(): void {
    setHandler(recordQuery, () => this.keeper.record, { description: 'The flow record: status, revision, state and tasks.' });

    const writable = (expectedRevision: number | undefined, request: unknown) => {
      // An accepted update's request goes to history whole: refuse one too large before it does.
      checkWriteSize('The request', request);
      const record = this.keeper.record;
      checkExpectedRevision(record, expectedRevision);
      if (isTerminalFlow(record)) throw flowTerminal(record);
    };

    setHandler(
      resumeUpdate,
      ({ data }) => {
        const parsed = this.waitSchema ? this.waitSchema.parse(data) : (data ?? null);
        this.resumed = { data: parsed };
        this.keeper.apply((change) => change.setFlow({ status: 'running', wait: null, blocked: null }));
        return this.written(true);
      },
      {
        description: 'Resume a waiting or blocked flow: { expectedRevision?, data? }.',
        validator: (request) => {
          const { expectedRevision, data } = request;
          writable(expectedRevision, request);
          const record = this.keeper.record;
          if (record.status !== 'waiting' && record.status !== 'blocked') {
            throw flowFailure('not_waiting', `Flow ${record.flowId} is ${record.status}, not waiting; there is nothing to resume.`, { status: record.status });
          }
          const parsed = this.waitSchema?.safeParse(data);
          if (parsed && !parsed.success) throw flowFailure('invalid_input', zodMessage('Resume data', parsed.error));
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
        return this.written(applied, 'cancel_already_requested');
      },
      {
        description: 'Record the cancel intent and cancel the active tasks: { expectedRevision?, reason? }.',
        validator: (request) => writable(request.expectedRevision, request),
      },
    );
  }
}
