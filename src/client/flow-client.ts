import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowExecutionAlreadyStartedError, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import type { TaskFlowConfig } from '../config';
import { parseDuration } from '../config/duration';
import type { FlowDefinition } from '../flow/define';
import { LIST_MEMO_KEY, listMemoOf } from '../model/listing';
import { MESSAGES, type WriteResult } from '../model/messages';
import { newFlowRecord } from '../model/new-record';
import type { FlowRecord } from '../model/records';
import type { FlowStart } from '../model/start';
import { SA_CANCEL_REQUESTED, SA_STATUS, SA_SYNC_MODE, startSearchAttributesOf } from '../model/search-attributes';
import { describeStartForUi } from '../flow/details';
import { isActiveTask, isTerminalFlow } from '../model/status';
import { zodMessage } from '../model/zod-message';
import { refuseOversize, FlowError, FlowExistsError, FlowNotFoundError, FlowTerminalError, InvalidFlowInputError, TasksStillActiveError, flowErrorFrom } from './errors';
import { connectionFailure, openConnection, type ConnectOptions } from './connection';
import { isNotFound, resolveDescribed, resolveLookup } from './lookup';
import { mergeDescription, type FlowSnapshot } from './snapshot';
import { cancelMirroredFlow, failFlow, finishFlow, reportTask, type FailOptions, type FinishOptions, type MirroredAccess, type ReportOptions } from './mirrored';
import type { MirroredCancelResult, TaskReportInput } from '../model/transitions';
import { buildListQuery, flowRecordFromExecution, statusClause, type FlowFilter } from './visibility';

export interface StartOptions {
  flowId?: string;
  lookupKey?: string;
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
  flows: FlowRecord[];
}

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

  async start(flowType: string, input: unknown, options: StartOptions = {}): Promise<FlowRecord> {
    const definitions = await this.definitions();
    const definition = definitions.get(flowType);
    if (!definition) {
      throw new InvalidFlowInputError(`Unknown flow type ${flowType}; known flow types: ${[...definitions.keys()].join(', ') || 'none'}.`, { flowType });
    }
    const parsed = definition.input.safeParse(input);
    if (!parsed.success) throw new InvalidFlowInputError(zodMessage(`Input for ${flowType}`, parsed.error));
    refuseOversize(`Input for ${flowType}`, parsed.data);

    const flowId = options.flowId ?? `${flowType}-${randomUUID().slice(0, 8)}`;
    const goal = typeof definition.goal === 'function' ? definition.goal(parsed.data) : definition.goal;
    const lookupKey = options.lookupKey ?? definition.lookupKey?.(parsed.data) ?? null;
    const start: FlowStart = { lookupKey, taskDefaults: this.config.flowDefaults };
    const record = newFlowRecord({ flowId, runId: '', flowType, syncMode: 'managed', status: 'queued', goal, lookupKey, createdAt: new Date().toISOString() });
    try {
      const handle = await this.client.workflow.start(flowType, {
        workflowId: flowId,
        taskQueue: this.config.taskQueue,
        args: [parsed.data, start],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: goal,
        staticDetails: describeStartForUi({ syncMode: 'managed', flowType, lookupKey, input: parsed.data }),
        memo: { [LIST_MEMO_KEY]: listMemoOf(record) },
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

  /** The authoritative record of one flow: describe + the flow's own query (memo when no worker answers). */
  async show(lookup: string): Promise<FlowSnapshot> {
    const { flowId, description } = await this.call(() => resolveDescribed(this.client, lookup));
    return this.snapshot(flowId, description);
  }

  async snapshot(flowId: string, described?: WorkflowExecutionDescription): Promise<FlowSnapshot> {
    const handle = this.client.workflow.getHandle(flowId);
    const description = described ?? (await this.call(() => handle.describe()));
    const fromVisibility = flowRecordFromExecution(description);
    if (!fromVisibility) throw new FlowNotFoundError(flowId);
    let record: FlowRecord;
    let source: FlowSnapshot['source'] = 'query';
    try {
      // A flow no worker has picked up yet has nothing to answer a query with.
      if (description.historyLength <= 2) throw new Error('not started by a worker yet');
      record = await this.client.connection.withDeadline(Date.now() + 5_000, () => handle.query<FlowRecord>(MESSAGES.record));
    } catch {
      // No worker answered (or the flow has not run yet): the memo still tells where it stands.
      record = fromVisibility;
      source = 'memo';
    }
    return { flow: mergeDescription(record, description, source), source, executionStatus: description.status.name };
  }

  async list(filter: FlowFilter = {}, limit = 50): Promise<FlowList> {
    const query = buildListQuery(filter);
    const flows: FlowRecord[] = [];
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
    return { count: flows.length, total, more: more || total > flows.length, flows };
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

  resume(lookup: string, data: unknown, options: WriteOptions = {}): Promise<WriteResult<FlowRecord>> {
    return this.write(lookup, 'managed', MESSAGES.resume, { expectedRevision: options.expectedRevision, data }, options);
  }

  patchState(lookup: string, patch: Record<string, unknown>, options: WriteOptions = {}): Promise<WriteResult<FlowRecord>> {
    return this.write(lookup, 'managed', MESSAGES.patchState, { expectedRevision: options.expectedRevision, patch }, options);
  }

  /**
   * Records the cancel intent, cancels the flow's active tasks and, with `wait`, waits for them to
   * stop. Tasks still running after the grace period raise `TasksStillActiveError`; the intent stays.
   */
  async cancel(lookup: string, options: CancelOptions = {}): Promise<WriteResult<FlowRecord> | MirroredCancelResult> {
    const { flowId, description } = await this.call(() => resolveDescribed(this.client, lookup));
    // Describe alone tells whether the flow is open; the cancel update itself refuses an ended one too.
    const flow = flowRecordFromExecution(description ?? (await this.call(() => this.client.workflow.getHandle(flowId).describe())));
    if (!flow) throw new FlowNotFoundError(flowId);
    if (isTerminalFlow(flow)) throw new FlowTerminalError((await this.snapshot(flowId)).flow.status);
    if (flow.syncMode === 'mirrored') return cancelMirroredFlow(this.mirrored(), flowId, options);
    const written = await this.update(flowId, MESSAGES.cancel, { expectedRevision: options.expectedRevision, reason: options.reason ?? null }, options.requestId);
    const handle = this.client.workflow.getHandle(flowId);
    if (flow.syncMode === 'managed') await this.call(() => handle.cancel()).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
    if (!options.wait) return written;
    const ended = await this.waitForClose(handle, this.config.flowDefaults.cancelGracePeriod);
    const { flow: after } = await this.snapshot(flowId);
    if (!ended || !isTerminalFlow(after)) {
      throw new TasksStillActiveError(after.tasks.filter((t) => isActiveTask(t.status)).map((t) => t.taskId), { flow: after });
    }
    return { ...written, flow: after };
  }

  /** Records one external task update on a mirrored flow; with `create`, creates the flow if absent, atomically. */
  report(lookupOrId: string, report: TaskReportInput, options: ReportOptions = {}): Promise<WriteResult<FlowRecord>> {
    return reportTask(this.mirrored(), lookupOrId, report, options);
  }

  /** Ends an open mirrored flow with no active task, with the status its tasks derive. */
  finish(lookup: string, options: FinishOptions = {}): Promise<WriteResult<FlowRecord>> {
    return finishFlow(this.mirrored(), lookup, options);
  }

  /** Ends a mirrored flow failed; its still-active tasks are recorded lost. */
  fail(lookup: string, options: FailOptions): Promise<WriteResult<FlowRecord>> {
    return failFlow(this.mirrored(), lookup, options);
  }

  private mirrored(): MirroredAccess {
    return {
      client: this.client,
      config: this.config,
      call: (fn) => this.call(fn),
      write: (lookup, mode, update, args, options) => this.write(lookup, mode, update, args, options),
      update: (flowId, update, args, requestId) => this.update(flowId, update, args, requestId),
      answered: (fn) => this.answered(fn),
    };
  }

  protected async write(lookup: string, mode: 'managed' | 'mirrored', update: string, args: object, options: WriteOptions): Promise<WriteResult<FlowRecord>> {
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
      if (earlier) return earlier;
      const { flow } = await this.snapshot(flowId);
      throw new FlowTerminalError(flow.status);
    }
    return this.update(flowId, update, args, options.requestId);
  }

  protected async update(flowId: string, update: string, args: object, requestId?: string): Promise<WriteResult<FlowRecord>> {
    refuseOversize(`The ${update} request`, args);
    const handle = this.client.workflow.getHandle(flowId);
    return this.answered(() => handle.executeUpdate<WriteResult<FlowRecord>, [object]>(update, { args: [args], updateId: requestId ?? randomUUID() }));
  }

  private async earlierAnswer(flowId: string, requestId: string): Promise<WriteResult<FlowRecord> | undefined> {
    try {
      const handle = this.client.workflow.getHandle(flowId).getUpdateHandle<WriteResult<FlowRecord>>(requestId);
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

  private async workerPolls(): Promise<boolean> {
    const { pollers } = await this.client.workflowService.describeTaskQueue({
      namespace: this.config.connection.namespace,
      taskQueue: { name: this.config.taskQueue },
      taskQueueType: 1 /* WORKFLOW */,
    });
    return (pollers?.length ?? 0) > 0;
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
    return connectionFailure(err, this.config) ?? flowErrorFrom(err);
  }
}

const WORKER_CHECK_INTERVAL_MS = 5_000;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

function isDeadline(err: unknown): boolean {
  const code = (err as { code?: number; cause?: { code?: number } })?.code ?? (err as { cause?: { code?: number } })?.cause?.code;
  return code === 4 /* DEADLINE_EXCEEDED */ || code === 1; /* CANCELLED */
}
