import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowExecutionAlreadyStartedError, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import type { TaskFlowConfig } from '../config';
import { parseDuration } from '../config/duration';
import type { WaitDefinition } from '../flow/context';
import { flowDefinitionOf, type FlowDefinition, type FlowWorkflow } from '../flow/define';
import type { z } from 'zod';
import { LIST_MEMO_KEY, listMemoOf } from '../model/listing';
import { MESSAGES, type WriteAck, type WriteResult } from '../model/messages';
import { newFlowRecord } from '../model/new-record';
import type { FlowListEntry, FlowRecord } from '../model/records';
import { START_MEMO_KEY, type FlowStartOptions } from '../model/start';
import { SA_CANCEL_REQUESTED, SA_STATUS, SA_SYNC_MODE, startSearchAttributesOf } from '../model/search-attributes';
import { describeStartForUi } from '../flow/details';
import { isActiveTask, isTerminalFlow, summarizeTasks } from '../model/status';
import { zodMessage } from '../model/zod-message';
import { refuseOversize, FlowError, FlowExistsError, FlowNotFoundError, FlowTerminalError, InvalidFlowInputError, TasksStillActiveError, flowErrorFrom } from './errors';
import { connectionFailure, missingSearchAttributes, openConnection, type ConnectOptions } from './connection';
import { resolveDescribed, resolveLookup } from './lookup';
import { lateHeartbeatsOf, mergeDescription, type FlowSnapshot } from './snapshot';
import { cancelMirroredFlow, failFlow, finishFlow, reportTask, type FailOptions, type FinishOptions, type MirroredAccess, type ReportOptions } from './mirrored';
import type { TaskReportInput } from '../model/transitions';
import { catchUp, readRecord, workerPolls, type RecordReader } from './record';
import { mapLimited } from './map-limited';
import { cancelResult, type CancelResult } from './cancel-result';

export type { CancelResult } from './cancel-result';
import { buildListQuery, flowRecordFromExecution, statusClause, type FlowFilter } from './visibility';
import { cancelMatching, type BulkCancelOptions, type BulkCancelResult } from './bulk-cancel';
import { watchList, type FlowListUpdate, type WatchListOptions } from './watch-list';

export interface StartOptions {
  flowId?: string;
  lookupKey?: string;
  /** Continue-as-new after this many history events even if Temporal does not suggest it yet (tests, long flows). */
  continueAsNewAfterEvents?: number;
}

export interface ResumeOptions extends WriteOptions {
  /**
   * The open wait to answer, by name (a blocked task's wait is named after its task id) or as
   * declared with `defineWait`; needed when several are open.
   */
  wait?: string | WaitDefinition;
}

export interface WriteOptions {
  expectedRevision?: number;
  /** Idempotency id (the Temporal update id): a retried write with the same id applies once. */
  requestId?: string;
}

export interface CancelOptions extends WriteOptions {
  reason?: string;
  /** Wait until every task stopped and the flow ended, up to `flowDefaults.cancelGracePeriod`. */
  wait?: boolean;
  /** Mirrored flows: end now, recording the tasks the cancel hook could not stop `lost` (`abandoned`). */
  force?: boolean;
}

export interface FlowList {
  count: number;
  total: number;
  more: boolean;
  flows: FlowListEntry[];
}

export interface ListOptions {
  /** Add each flow's tasks and `taskSummary.byStatus` from its own record (one read per flow). */
  tasks?: boolean;
}


/** A report's lean answer, for producers at high rates: no read of the record after the write. */
export type ReportAck = WriteAck;

export interface FlowPressure {
  active: number;
  waiting: number;
  blocked: number;
  issues: number;
  cancelRequested: number;
  total: number;
}

/** Start, read, advance and cancel flows. The CLI is a thin shell around this class. */
export class FlowClient {
  private flowTypes?: Map<string, FlowDefinition>;

  constructor(
    readonly client: Client,
    readonly config: TaskFlowConfig,
    private readonly ownedConnection?: Connection,
  ) {}

  static async connect(config: TaskFlowConfig, options: ConnectOptions = {}): Promise<FlowClient> {
    const connection = await openConnection(config, options);
    return new FlowClient(new Client({ connection, namespace: config.connection.namespace }), config, connection);
  }

  async close(): Promise<void> {
    await this.ownedConnection?.close();
  }

  /** The managed flow types this project defines (its workflows folder), by name. */
  async definitions(): Promise<Map<string, FlowDefinition>> {
    this.flowTypes ??= (await import('../project/flows')).loadFlowModules();
    return this.flowTypes;
  }

  /** Starts a flow: typed from its definition (`defineFlow`'s export), or by its name with any input. */
  async start<Schema extends z.ZodType>(flow: FlowWorkflow<Schema>, input: z.input<Schema>, options?: StartOptions): Promise<FlowRecord>;
  async start(flowType: string, input: unknown, options?: StartOptions): Promise<FlowRecord>;
  async start(flow: string | FlowWorkflow, input: unknown, options: StartOptions = {}): Promise<FlowRecord> {
    // A definition passed in is used as it is: it need not be in this project's workflows folder.
    const definition = typeof flow === 'string' ? (await this.definitions()).get(flow) : flowDefinitionOf(flow);
    const flowType = typeof flow === 'string' ? flow : (definition?.name ?? flow.name);
    if (!definition) {
      const definitions = await this.definitions();
      throw new InvalidFlowInputError(`Unknown flow type ${flowType}; known flow types: ${[...definitions.keys()].join(', ') || 'none'}.`, { flowType });
    }
    // Checked here for an early, clear error; the workflow parses the raw input itself, once.
    const parsed = definition.input.safeParse(input);
    if (!parsed.success) throw new InvalidFlowInputError(zodMessage(`Input for ${flowType}`, parsed.error));
    refuseOversize(`Input for ${flowType}`, input);

    const flowId = options.flowId ?? `${flowType}-${randomUUID().slice(0, 8)}`;
    const goal = typeof definition.goal === 'function' ? definition.goal(parsed.data) : definition.goal;
    const lookupKey = options.lookupKey ?? definition.lookupKey?.(parsed.data) ?? null;
    const start: FlowStartOptions = { taskDefaults: this.config.flowDefaults, continueAsNewAfterEvents: options.continueAsNewAfterEvents };
    const record = newFlowRecord({ flowId, runId: '', flowType, syncMode: 'managed', status: 'queued', goal, lookupKey, createdAt: new Date().toISOString() });
    try {
      const handle = await this.client.workflow.start(flowType, {
        workflowId: flowId,
        taskQueue: this.config.taskQueue,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: goal,
        staticDetails: describeStartForUi({ syncMode: 'managed', flowType, lookupKey, input }),
        memo: { [LIST_MEMO_KEY]: listMemoOf(record), [START_MEMO_KEY]: start },
        typedSearchAttributes: startSearchAttributesOf(record),
      });
      return { ...record, runId: handle.firstExecutionRunId };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new FlowExistsError(flowId);
      throw this.translate(err);
    }
  }

  resolve(lookup: string): Promise<string> {
    return this.call(() => resolveLookup(this.client, lookup));
  }

  /**
   * The authoritative record of one flow: describe + the flow's own query, every task. When the
   * flow cannot answer, a typed error says why (`record_unavailable`); never a partial record.
   */
  async show(lookup: string): Promise<FlowSnapshot> {
    const { flowId, description } = await this.call(() => resolveDescribed(this.client, lookup));
    return this.snapshot(flowId, description);
  }

  async snapshot(flowId: string, described?: WorkflowExecutionDescription): Promise<FlowSnapshot> {
    const handle = this.client.workflow.getHandle(flowId);
    const description = described ?? (await this.call(() => handle.describe()));
    const listed = flowRecordFromExecution(description);
    if (!listed) throw new FlowNotFoundError(flowId);
    // A flow no worker has picked up yet is all in how it was started: no task, nothing to query.
    if (description.historyLength <= 2 && description.status.name === 'RUNNING') {
      const flow: FlowRecord = { ...listed, tasks: [], taskSummary: summarizeTasks([]) };
      return { flow, source: 'start', executionStatus: description.status.name };
    }
    return snapshotOf(await this.record(flowId), description);
  }

  /**
   * Follows a flow until it ends: one snapshot per poll (`intervalMs`, default 500), the last one
   * when the flow or its execution has ended. After the first full read each poll asks the flow only
   * for the tasks changed since (a flow of 10,000 tasks costs a watcher what changes, not what it holds).
   */
  async *watch(lookup: string, options: { intervalMs?: number } = {}): AsyncGenerator<FlowSnapshot, void, void> {
    const flowId = await this.resolve(lookup);
    const handle = this.client.workflow.getHandle(flowId);
    let own: FlowRecord | undefined;
    for (;;) {
      const description = await this.call(() => handle.describe());
      let snapshot: FlowSnapshot;
      if (own && own.runId === description.runId) {
        own = (await catchUp(this.reader(), flowId, own)) ?? (await this.record(flowId));
        snapshot = snapshotOf(own, description);
      } else if (description.historyLength <= 2 && description.status.name === 'RUNNING') {
        snapshot = await this.snapshot(flowId, description);
      } else {
        own = await this.record(flowId);
        snapshot = snapshotOf(own, description);
      }
      yield snapshot;
      if (isTerminalFlow(snapshot.flow) || snapshot.executionStatus !== 'RUNNING') return;
      // A timer that keeps the process alive: a watcher has nothing else pending while it waits.
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
    }
  }

  /** The flow's own record, every task (read page by page). */
  record(flowId: string): Promise<FlowRecord> {
    return readRecord(this.reader(), flowId);
  }

  private reader(): RecordReader {
    return { client: this.client, taskQueue: this.config.taskQueue, namespace: this.config.connection.namespace };
  }

  async list(filter: FlowFilter = {}, limit = 50, options: ListOptions = {}): Promise<FlowList> {
    const query = buildListQuery(filter);
    const flows: FlowListEntry[] = [];
    let more = false;
    const [total] = await Promise.all([
      this.call(() => this.client.workflow.count(query)).then((c) => c.count),
      this.call(async () => {
        // One row past the limit tells whether there are more, without a second page.
        for await (const info of this.client.workflow.list({ query, pageSize: Math.min(Math.max(limit + 1, 1), 1000) })) {
          if (flows.length >= limit) {
            more = true;
            break;
          }
          const record = flowRecordFromExecution(info);
          if (record) flows.push(record);
        }
      }),
    ]);
    const listed = { count: flows.length, total, more: more || total > flows.length, flows };
    return options.tasks ? { ...listed, flows: await this.withTasks(flows) } : listed;
  }

  /**
   * Follows `list(filter, limit)` until `options.signal` is aborted: one update per poll (default
   * every 2 s) with the list, the pressure line, and which flows changed (run, revision or status).
   */
  watchList(filter: FlowFilter = {}, limit = 50, options: WatchListOptions = {}): AsyncGenerator<FlowListUpdate, void, void> {
    return watchList(this, filter, limit, options);
  }

  /** List entries with their tasks, each from its flow's own record. */
  private async withTasks(flows: FlowListEntry[]): Promise<FlowListEntry[]> {
    return mapLimited(flows, 8, async (entry) => {
      const { flow } = await this.snapshot(entry.flowId);
      return { ...entry, tasks: flow.tasks, taskSummary: flow.taskSummary };
    });
  }

  /** The pressure line of spec §11, from visibility counts over the filter (its statuses ignored). */
  async pressure(filter: FlowFilter = {}): Promise<FlowPressure> {
    const base = { ...filter, statuses: undefined };
    const count = (...extra: string[]) => this.call(() => this.client.workflow.count(buildListQuery(base, extra))).then((c) => c.count);
    const [active, waiting, blocked, issues, cancelRequested, total] = await Promise.all([
      count(`(${statusClause('queued')} OR ${statusClause('running')})`),
      count(statusClause('waiting')),
      count(`${SA_STATUS.name} = 'blocked'`, `ExecutionStatus = 'Running'`),
      count(`(${statusClause('failed')} OR ${statusClause('lost')})`),
      count(`${SA_CANCEL_REQUESTED.name} = true`, `ExecutionStatus = 'Running'`),
      count(),
    ]);
    return { active, waiting, blocked, issues, cancelRequested, total };
  }

  /** Answers one open wait; with a `defineWait` wait, `data` is typed from its schema. */
  resume<Schema extends z.ZodType>(lookup: string, data: z.input<Schema>, options: ResumeOptions & { wait: WaitDefinition<Schema> }): Promise<WriteResult<FlowRecord>>;
  resume(lookup: string, data: unknown, options?: ResumeOptions & { wait?: string }): Promise<WriteResult<FlowRecord>>;
  resume(lookup: string, data: unknown, options: ResumeOptions = {}): Promise<WriteResult<FlowRecord>> {
    const wait = typeof options.wait === 'object' ? options.wait.name : options.wait;
    return this.withRecord(this.write(lookup, 'managed', MESSAGES.resume, { expectedRevision: options.expectedRevision, data, wait }, options));
  }

  patchState(lookup: string, patch: Record<string, unknown>, options: WriteOptions = {}): Promise<WriteResult<FlowRecord>> {
    return this.withRecord(this.write(lookup, 'managed', MESSAGES.patchState, { expectedRevision: options.expectedRevision, patch }, options));
  }

  /** A write's answer with the record as it stands right after the write (read from the flow, every task). */
  private async withRecord<A extends WriteAck>(sent: Promise<{ flowId: string; ack: A }>): Promise<WriteResult<FlowRecord> & Omit<A, keyof WriteAck>> {
    const { flowId, ack } = await sent;
    const { applied, reason, revision, status: _status, task: _task, ...extra } = ack;
    return { applied, ...(reason !== undefined ? { reason } : {}), revision, ...extra, flow: (await this.snapshot(flowId)).flow } as WriteResult<FlowRecord> &
      Omit<A, keyof WriteAck>;
  }

  /**
   * Records the cancel intent, cancels the flow's active tasks and, with `wait`, waits for them to
   * stop. Tasks still running after the grace period raise `TasksStillActiveError`; the intent stays.
   * One answer for both modes: the record after it, the sentence of spec §5, still-active and abandoned tasks.
   */
  async cancel(lookup: string, options: CancelOptions = {}): Promise<CancelResult> {
    const { flowId, description } = await this.call(() => resolveDescribed(this.client, lookup));
    // Describe alone tells whether the flow is open; the cancel update itself refuses an ended one too.
    const flow = flowRecordFromExecution(description ?? (await this.call(() => this.client.workflow.getHandle(flowId).describe())));
    if (!flow) throw new FlowNotFoundError(flowId);
    if (isTerminalFlow(flow)) throw new FlowTerminalError((await this.snapshot(flowId)).flow.status);
    if (flow.syncMode === 'mirrored') return cancelMirroredFlow(this.mirrored(), flowId, options);
    const ack = await this.update(flowId, MESSAGES.cancel, { expectedRevision: options.expectedRevision, reason: options.reason ?? null }, options.requestId);
    // The flow itself ends its execution Canceled: nothing more to send, even if this process dies now.
    const handle = this.client.workflow.getHandle(flowId);
    if (options.wait) await this.waitForClose(handle, this.config.flowDefaults.cancelGracePeriod);
    const { flow: after } = await this.snapshot(flowId);
    const stillActive = after.tasks.filter((t) => isActiveTask(t.status)).map((t) => t.taskId);
    // An ended record has no active task, even when a busy worker closes its execution a moment later.
    if (options.wait && !isTerminalFlow(after)) throw new TasksStillActiveError(stillActive, { flow: after });
    return cancelResult(ack, after, stillActive, []);
  }

  /**
   * Cancels every open flow `filter` selects (at least one filter is required), each as `cancel`
   * would, at most `options.rps` per second; `dryRun` only counts them and lists the first 20.
   */
  cancelMatching(filter: FlowFilter, options: BulkCancelOptions = {}): Promise<BulkCancelResult> {
    return cancelMatching(this, filter, options);
  }

  /** Records one external task update on a mirrored flow; with `create`, creates the flow if absent, atomically. */
  report(lookupOrId: string, report: TaskReportInput, options: ReportOptions & { lean: true }): Promise<ReportAck>;
  report(lookupOrId: string, report: TaskReportInput, options?: ReportOptions): Promise<WriteResult<FlowRecord>>;
  async report(lookupOrId: string, report: TaskReportInput, options: ReportOptions & { lean?: boolean } = {}): Promise<WriteResult<FlowRecord> | ReportAck> {
    const sent = reportTask(this.mirrored(), lookupOrId, report, options);
    return options.lean ? (await sent).ack : this.withRecord(sent);
  }

  /** Ends an open mirrored flow with no active task, with the status its tasks derive. */
  finish(lookup: string, options: FinishOptions = {}): Promise<WriteResult<FlowRecord>> {
    return this.withRecord(finishFlow(this.mirrored(), lookup, options));
  }

  /** Ends a mirrored flow failed; its still-active tasks are recorded lost. */
  fail(lookup: string, options: FailOptions): Promise<WriteResult<FlowRecord>> {
    return this.withRecord(failFlow(this.mirrored(), lookup, options));
  }

  private mirrored(): MirroredAccess {
    return {
      client: this.client,
      config: this.config,
      call: (fn) => this.call(fn),
      write: (lookup, mode, update, args, options) => this.write(lookup, mode, update, args, options),
      update: (flowId, update, args, requestId) => this.update(flowId, update, args, requestId),
      answered: (fn) => this.answered(fn),
      snapshot: (flowId) => this.snapshot(flowId),
    };
  }

  /** Resolves the lookup, checks the flow's mode and that it is open, then sends the update. */
  protected async write(lookup: string, mode: 'managed' | 'mirrored', update: string, args: object, options: WriteOptions): Promise<{ flowId: string; ack: WriteAck }> {
    const flowId = await this.resolve(lookup);
    const description = await this.call(() => this.client.workflow.getHandle(flowId).describe());
    const syncMode = description.typedSearchAttributes.get(SA_SYNC_MODE);
    if (syncMode !== mode) {
      throw mode === 'managed'
        ? new FlowError('not_managed', `Flow ${flowId} is a mirrored flow; it cannot be resumed or patched, only reported to.`, { syncMode })
        : new FlowError('not_mirrored', `Flow ${flowId} is a managed flow; its tasks are reported by its own workflow code.`, { syncMode });
    }
    if (description.status.name !== 'RUNNING') {
      // A retried write whose first try landed before the flow ended answers as it did then.
      const earlier = options.requestId ? await this.earlierAnswer(flowId, options.requestId) : undefined;
      if (earlier) return { flowId, ack: earlier };
      const { flow } = await this.snapshot(flowId);
      throw new FlowTerminalError(flow.status);
    }
    return { flowId, ack: await this.update(flowId, update, args, options.requestId) };
  }

  protected async update<A extends WriteAck = WriteAck>(flowId: string, update: string, args: object, requestId?: string): Promise<A> {
    refuseOversize(`The ${update} request`, args);
    const handle = this.client.workflow.getHandle(flowId);
    return this.answered(() => handle.executeUpdate<A, [object]>(update, { args: [args], updateId: requestId ?? randomUUID() }));
  }

  private async earlierAnswer(flowId: string, requestId: string): Promise<WriteAck | undefined> {
    try {
      const handle = this.client.workflow.getHandle(flowId).getUpdateHandle<WriteAck>(requestId);
      return await this.client.connection.withDeadline(Date.now() + 5_000, () => handle.result());
    } catch {
      return undefined;
    }
  }

  /**
   * Runs a call only a worker can answer. Temporal would wait for one forever; so while it waits,
   * every few seconds this checks that a worker polls the task queue, and fails clearly if none does.
   */
  protected async answered<T>(fn: () => Promise<T>): Promise<T> {
    const abort = new AbortController();
    const answer = this.call(() => this.client.connection.withAbortSignal(abort.signal, fn));
    for (;;) {
      const settled = await Promise.race([answer.then(() => true, () => true), delay(WORKER_CHECK_INTERVAL_MS).then(() => false)]);
      if (settled) return answer;
      if (!(await this.workerPolls())) {
        abort.abort();
        await answer.catch(() => undefined);
        const { address } = this.config.connection;
        throw new FlowError(
          'server_unavailable',
          `No TaskFlow worker polls task queue ${this.config.taskQueue} on ${address}, so nothing can answer; start one with npm start or taskflow worker.`,
          { address, taskQueue: this.config.taskQueue },
        );
      }
    }
  }

  private workerPolls(): Promise<boolean> {
    return workerPolls(this.reader());
  }

  private async waitForClose(handle: WorkflowHandle, grace: string): Promise<boolean> {
    const deadline = Date.now() + parseDuration(grace);
    try {
      await this.client.connection.withDeadline(deadline, () => handle.result().catch((err) => (isDeadline(err) ? Promise.reject(err) : undefined)));
      return true;
    } catch (err) {
      if (isDeadline(err)) return false;
      throw err;
    }
  }

  /** Runs a Temporal call, turning its failures into the typed errors of spec §9. */
  protected async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.translate(err);
    }
  }

  private translate(err: unknown): unknown {
    if (err instanceof FlowError) return err;
    return connectionFailure(err, this.config) ?? missingSearchAttributes(err, this.config) ?? flowErrorFrom(err);
  }
}

const WORKER_CHECK_INTERVAL_MS = 5_000;

/** A snapshot from the flow's own record and its execution's description. */
function snapshotOf(record: FlowRecord, description: WorkflowExecutionDescription): FlowSnapshot {
  const lateHeartbeats = lateHeartbeatsOf(description);
  return {
    flow: mergeDescription(record, description, 'query'),
    source: 'query',
    executionStatus: description.status.name,
    ...(Object.keys(lateHeartbeats).length > 0 ? { lateHeartbeats } : {}),
  };
}


const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

function isDeadline(err: unknown): boolean {
  const code = (err as { code?: number; cause?: { code?: number } })?.code ?? (err as { cause?: { code?: number } })?.cause?.code;
  return code === 4 /* DEADLINE_EXCEEDED */ || code === 1; /* CANCELLED */
}
