import { Client, type Connection, type WorkflowExecutionDescription } from '@temporalio/client';
import type { z } from 'zod';
import type { TaskFlowConfig } from '../config';
import type { WaitDefinition } from '../flow/context';
import { flowDefinitionOf, type FlowDefinition, type FlowWorkflow } from '../flow/define';
import type { WriteAck, WriteResult } from '../model/messages';
import type { FlowRecord, TaskRecord } from '../model/records';
import type { TaskReportInput } from '../model/transitions';
import { cancelMatching, type BulkCancelOptions, type BulkCancelResult } from './bulk-cancel';
import type { CancelResult } from './cancel-result';
import { childTree, type ChildFlowNode } from './children';
import { openConnection, type ConnectOptions } from './connection';
import { InvalidFlowInputError } from './errors';
import { failFlow, finishFlow, reportTask, type FailOptions, type FinishOptions, type ReportOptions } from './mirrored';
import { flowPressure, listFlows, showFlow, watchFlow, type FlowList, type FlowPressure, type ListOptions, type ShowOptions } from './reads';
import { retryFlow, type RetryOptions } from './retry';
import { FlowSession, type WriteOptions } from './session';
import type { FlowSnapshot } from './snapshot';
import { findTask, listTasks, type TaskFilter, type TaskList, type TaskScope } from './tasks';
import type { FlowFilter } from './visibility';
import { watchList, type FlowListUpdate, type WatchListOptions } from './watch-list';
import { cancelFlow, childReaderOf, patchFlowState, resumeFlow, startFlow, withRecord, type CancelOptions, type StartOptions } from './writes';

export type { CancelResult } from './cancel-result';
export type { FlowList, FlowPressure, ListOptions, ShowOptions } from './reads';
export type { RetryOptions } from './retry';
export type { WriteOptions } from './session';
export type { CancelOptions, StartOptions } from './writes';

export interface ResumeOptions extends WriteOptions {
  /**
   * The open wait to answer, by name (a blocked task's wait is named after its task id) or as
   * declared with `defineWait`; needed when several are open.
   */
  wait?: string | WaitDefinition;
}

/** A report's lean answer, for producers at high rates: no read of the record after the write. */
export type ReportAck = WriteAck;

/**
 * Start, read, advance and cancel flows: the library's one entry point, and all the CLI calls. Each
 * method is one use case; the work is in reads.ts, writes.ts and mirrored.ts over a FlowSession.
 */
export class FlowClient {
  private flowTypes?: Map<string, FlowDefinition>;
  private readonly session: FlowSession;

  constructor(
    readonly client: Client,
    readonly config: TaskFlowConfig,
    ownedConnection?: Connection,
  ) {
    this.session = new FlowSession(client, config, ownedConnection);
  }

  /** Connects to the configured server; a refused connection or unusable TLS material is one clear error. */
  static async connect(config: TaskFlowConfig, options: ConnectOptions = {}): Promise<FlowClient> {
    const connection = await openConnection(config, options);
    return new FlowClient(new Client({ connection, namespace: config.connection.namespace }), config, connection);
  }

  async close(): Promise<void> {
    await this.session.close();
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
    if (!definition) {
      const flowType = typeof flow === 'string' ? flow : flow.name;
      const known = [...(await this.definitions()).keys()].join(', ') || 'none';
      throw new InvalidFlowInputError(`Unknown flow type ${flowType}; known flow types: ${known}.`, { flowType });
    }
    return startFlow(this.session, definition, input, options);
  }

  /** The flow id a `<lookup>` names (spec §4). */
  resolve(lookup: string): Promise<string> {
    return this.session.resolve(lookup);
  }

  /**
   * The authoritative record of one flow: describe + the flow's own query, every task. When the
   * flow cannot answer, a typed error says why (`record_unavailable`); never a partial record.
   */
  show(lookup: string, options: ShowOptions = {}): Promise<FlowSnapshot> {
    return showFlow(this.session, lookup, options);
  }

  /**
   * Runs an ended managed flow again under the same id (spec §14), from the task that failed or was
   * cancelled, or from the start of `fromStep`; answers the new run's record.
   */
  retry(lookup: string, options: RetryOptions = {}): Promise<FlowRecord> {
    return retryFlow(this.session, lookup, options);
  }

  /** The same by flow id, reusing a description already read. */
  snapshot(flowId: string, described?: WorkflowExecutionDescription): Promise<FlowSnapshot> {
    return this.session.snapshot(flowId, described);
  }

  /**
   * Follows a flow until it ends: one snapshot per poll (`intervalMs`, default 500), the last one
   * when the flow or its execution has ended. After the first full read each poll asks the flow only
   * for the tasks changed since (a flow of 10,000 tasks costs a watcher what changes, not what it holds).
   */
  watch(lookup: string, options: { intervalMs?: number } = {}): AsyncGenerator<FlowSnapshot, void, void> {
    return watchFlow(this.session, lookup, options.intervalMs);
  }

  /** The flow's own record, every task (read page by page). */
  record(flowId: string): Promise<FlowRecord> {
    return this.session.record(flowId);
  }

  /** Flows as the visibility store holds them (spec §9), newest open ones first. */
  list(filter: FlowFilter = {}, limit = 50, options: ListOptions = {}): Promise<FlowList> {
    return listFlows(this.session, filter, limit, options);
  }

  /**
   * Follows `list(filter, limit)` until `options.signal` is aborted: one update per poll (default
   * every 2 s) with the list, the pressure line, and which flows changed (run, revision or status).
   */
  watchList(filter: FlowFilter = {}, limit = 50, options: WatchListOptions = {}): AsyncGenerator<FlowListUpdate, void, void> {
    return watchList(this.session, filter, limit, options);
  }

  /** The pressure line of spec §11, from visibility counts over the filter (its statuses ignored). */
  pressure(filter: FlowFilter = {}): Promise<FlowPressure> {
    return flowPressure(this.session, filter);
  }

  /** Task records across the flows of `filter` (one flow with `flow`), from each flow's own record. */
  tasks(filter: TaskFilter = {}): Promise<TaskList> {
    return listTasks(this.session, filter);
  }

  /** One task by id, searched in the flows of `scope`; found in several flows, an `ambiguous_lookup`. */
  task(taskId: string, scope: TaskScope = {}): Promise<TaskRecord> {
    return findTask(this.session, taskId, scope);
  }

  /** Answers one open wait; with a `defineWait` wait, `data` is typed from its schema. */
  resume<Schema extends z.ZodType>(lookup: string, data: z.input<Schema>, options: ResumeOptions & { wait: WaitDefinition<Schema> }): Promise<WriteResult<FlowRecord>>;
  resume(lookup: string, data: unknown, options?: ResumeOptions & { wait?: string }): Promise<WriteResult<FlowRecord>>;
  resume(lookup: string, data: unknown, options: ResumeOptions = {}): Promise<WriteResult<FlowRecord>> {
    const wait = typeof options.wait === 'object' ? options.wait.name : options.wait;
    return resumeFlow(this.session, lookup, data, wait, options);
  }

  patchState(lookup: string, patch: Record<string, unknown>, options: WriteOptions = {}): Promise<WriteResult<FlowRecord>> {
    return patchFlowState(this.session, lookup, patch, options);
  }

  /**
   * Records the cancel intent, cancels the flow's active tasks and, with `wait`, waits for them to
   * stop. Tasks still running after the grace period raise `TasksStillActiveError`; the intent stays.
   */
  cancel(lookup: string, options: CancelOptions = {}): Promise<CancelResult> {
    return cancelFlow(this.session, lookup, options);
  }

  /**
   * A flow's child flows as a tree, `depth` levels deep (default 1): each child's status and task
   * counts from its own execution, and (deeper) its own children. Takes the parent's record, as
   * `show` returned it.
   */
  children(record: Pick<FlowRecord, 'tasks'>, depth = 1): Promise<ChildFlowNode[]> {
    return childTree(childReaderOf(this.session), record, depth);
  }

  /**
   * Cancels every open flow `filter` selects (at least one filter is required), each as `cancel`
   * would, at most `options.rps` per second; `dryRun` only counts them and lists the first 20.
   */
  cancelMatching(filter: FlowFilter, options: BulkCancelOptions = {}): Promise<BulkCancelResult> {
    return cancelMatching(this.session, filter, options);
  }

  /** Records one external task update on a mirrored flow; with `create`, creates the flow if absent, atomically. */
  report(lookupOrId: string, report: TaskReportInput, options: ReportOptions & { lean: true }): Promise<ReportAck>;
  report(lookupOrId: string, report: TaskReportInput, options?: ReportOptions): Promise<WriteResult<FlowRecord>>;
  async report(lookupOrId: string, report: TaskReportInput, options: ReportOptions & { lean?: boolean } = {}): Promise<WriteResult<FlowRecord> | ReportAck> {
    const sent = reportTask(this.session, lookupOrId, report, options);
    return options.lean ? (await sent).ack : withRecord(this.session, sent);
  }

  /** Ends an open mirrored flow with no active task, with the status its tasks derive. */
  finish(lookup: string, options: FinishOptions = {}): Promise<WriteResult<FlowRecord>> {
    return withRecord(this.session, finishFlow(this.session, lookup, options));
  }

  /** Ends a mirrored flow failed; its still-active tasks are recorded lost. */
  fail(lookup: string, options: FailOptions): Promise<WriteResult<FlowRecord>> {
    return withRecord(this.session, failFlow(this.session, lookup, options));
  }
}
