import { randomUUID } from 'node:crypto';
import type { Client, Connection, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import type { TaskFlowConfig } from '../config';
import { parseDuration } from '../config/duration';
import type { WriteAck } from '../model/messages';
import type { FlowRecord } from '../model/records';
import { SA_SYNC_MODE } from '../model/search-attributes';
import { summarizeTasks } from '../model/status';
import { connectionFailure, missingSearchAttributes } from './connection';
import { FlowError, FlowNotFoundError, FlowTerminalError, flowErrorFrom, refuseOversize } from './errors';
import { resolveLookup } from './lookup';
import { readRecord, workerPolls, type RecordReader } from './record';
import { lateHeartbeatsOf, mergeDescription, type FlowSnapshot } from './snapshot';
import { flowRecordFromExecution } from './visibility';

export interface WriteOptions {
  expectedRevision?: number;
  /** Idempotency id (the Temporal update id): a retried write with the same id applies once. */
  requestId?: string;
}

/** A write that landed: the flow it went to, and what the flow answered. */
export interface Sent<A extends WriteAck = WriteAck> {
  flowId: string;
  ack: A;
}

const WORKER_CHECK_INTERVAL_MS = 5_000;

/**
 * What every FlowClient call stands on: the Temporal client, the configuration, and the few paths
 * all reads and writes share — typed errors, the checked update, the worker-answered call and the
 * authoritative snapshot. The reads, writes and mirrored modules are functions over a session.
 */
export class FlowSession {
  constructor(
    readonly client: Client,
    readonly config: TaskFlowConfig,
    private readonly ownedConnection?: Connection,
  ) {}

  async close(): Promise<void> {
    await this.ownedConnection?.close();
  }

  /** Runs a Temporal call, turning its failures into the typed errors of spec §9. */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.translate(err);
    }
  }

  translate(err: unknown): unknown {
    if (err instanceof FlowError) return err;
    return connectionFailure(err, this.config) ?? missingSearchAttributes(err, this.config) ?? flowErrorFrom(err);
  }

  resolve(lookup: string): Promise<string> {
    return this.call(() => resolveLookup(this.client, lookup));
  }

  handle(flowId: string): WorkflowHandle {
    return this.client.workflow.getHandle(flowId);
  }

  /** The flow's own record, every task (read page by page); of its current run, or of `runId`. */
  record(flowId: string, runId?: string): Promise<FlowRecord> {
    return readRecord(this.reader(), flowId, runId);
  }

  reader(): RecordReader {
    return { client: this.client, taskQueue: this.config.taskQueue, namespace: this.config.connection.namespace };
  }

  /** describe + the flow's own query; a flow no worker has picked up yet is shown as it was started. */
  async snapshot(flowId: string, described?: WorkflowExecutionDescription, runId?: string): Promise<FlowSnapshot> {
    const description = described ?? (await this.call(() => this.handle(flowId).describe()));
    const listed = flowRecordFromExecution(description);
    if (!listed) throw new FlowNotFoundError(flowId);
    // A flow no worker has picked up yet is all in how it was started: no task, nothing to query.
    if (description.historyLength <= 2 && description.status.name === 'RUNNING') {
      const flow: FlowRecord = { ...listed, tasks: [], taskSummary: summarizeTasks([]) };
      return { flow, source: 'start', executionStatus: description.status.name };
    }
    return snapshotOf(await this.record(flowId, runId), description);
  }

  /** Resolves the lookup, checks the flow's mode and that it is open, then sends the update. */
  async write(lookup: string, mode: 'managed' | 'mirrored', update: string, args: object, options: WriteOptions): Promise<Sent> {
    const flowId = await this.resolve(lookup);
    const description = await this.call(() => this.handle(flowId).describe());
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

  async update<A extends WriteAck = WriteAck>(flowId: string, update: string, args: object, requestId?: string): Promise<A> {
    refuseOversize(`The ${update} request`, args);
    const handle = this.handle(flowId);
    return this.answered(() => handle.executeUpdate<A, [object]>(update, { args: [args], updateId: requestId ?? randomUUID() }));
  }

  /**
   * Runs a call only a worker can answer. Temporal would wait for one forever; so while it waits,
   * every few seconds this checks that a worker polls the task queue, and fails clearly if none does.
   */
  async answered<T>(fn: () => Promise<T>): Promise<T> {
    const abort = new AbortController();
    const answer = this.call(() => this.client.connection.withAbortSignal(abort.signal, fn));
    for (;;) {
      const settled = await Promise.race([answer.then(() => true, () => true), delay(WORKER_CHECK_INTERVAL_MS).then(() => false)]);
      if (settled) return answer;
      if (!(await workerPolls(this.reader()))) {
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

  /** Whether the execution closed within `grace` (a duration such as `30s`). */
  async waitForClose(flowId: string, grace: string): Promise<boolean> {
    const deadline = Date.now() + parseDuration(grace);
    const handle = this.handle(flowId);
    try {
      await this.client.connection.withDeadline(deadline, () => handle.result().catch((err) => (isDeadline(err) ? Promise.reject(err) : undefined)));
      return true;
    } catch (err) {
      if (isDeadline(err)) return false;
      throw err;
    }
  }

  private async earlierAnswer(flowId: string, requestId: string): Promise<WriteAck | undefined> {
    try {
      const handle = this.handle(flowId).getUpdateHandle<WriteAck>(requestId);
      return await this.client.connection.withDeadline(Date.now() + 5_000, () => handle.result());
    } catch {
      return undefined;
    }
  }
}

/** A snapshot from the flow's own record and its execution's description. */
export function snapshotOf(record: FlowRecord, description: WorkflowExecutionDescription): FlowSnapshot {
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
