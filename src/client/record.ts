import type { Client, WorkflowHandle } from '@temporalio/client';
import { MESSAGES, RETRY_PENDING, type PackedRecord, type RecordPage, type RecordPageRequest } from '../model/messages';
import { unpack } from '../model/pack';
import type { FlowRecord } from '../model/records';
import { summarizeTasks } from '../model/status';
import { RecordUnavailableError } from './errors';

/** How long one page of a record may take: a closed flow is replayed by the worker to answer. */
const PAGE_DEADLINE_MS = 30_000;
/**
 * A query of an ended run is answered by a worker replaying it, and the SDK's worker can drop a
 * query that arrives while it replays the same run for another one (it logs "leftover buffered
 * tasks when evicting run"): the server then waits for an answer that never comes. So a query not
 * answered within half of its wait is sent once more beside it; the first answer wins. The first
 * query keeps its whole wait: a long replay (10,000 tasks) is never cut short.
 */
const SECOND_QUERY_AFTER_MS = PAGE_DEADLINE_MS / 2;
/** How long a read waits for a retried run to learn its revision before asking it to answer anyway. */
const RETRY_PENDING_WAIT_MS = 10_000;
/** Reads of a record that keeps changing while its pages are read, before giving up. */
const CONSISTENT_READ_ATTEMPTS = 5;

export interface RecordReader {
  client: Client;
  taskQueue: string;
  namespace: string;
}

/**
 * A flow's whole record from the flow itself: the `flowRecord` query, page after page until every
 * task is read. A flow that moved on while its pages were read is caught up with one more query
 * for the tasks changed since the first page, so the record returned is exactly the flow at one
 * revision. Fails with `RecordUnavailableError` (saying why) rather than return tasks missing.
 */
export async function readRecord(reader: RecordReader, flowId: string, runId?: string): Promise<FlowRecord> {
  const handle = reader.client.workflow.getHandle(flowId, runId);
  for (let attempt = 0; attempt < CONSISTENT_READ_ATTEMPTS; attempt++) {
    // One query for the whole record, packed; a record too large to pack into one payload answers with its first page.
    const answer = await queryPage(reader, handle, { packed: true });
    if ('packedRecord' in answer) return unpack<FlowRecord>({ packed: answer.packedRecord });
    const first = answer;
    const tasks = [...first.tasks];
    let page = first;
    while (!page.taskPage.complete) {
      page = await queryPage(reader, handle, { taskOffset: tasks.length });
      tasks.push(...page.tasks);
    }
    if (page.revision === first.revision) return whole(first, tasks);
    const caughtUp = await queryPage(reader, handle, { changedSince: first.revision });
    const record = caughtUp.taskPage.complete ? withChanges(tasks, caughtUp) : null;
    if (record) return record;
  }
  throw new RecordUnavailableError(flowId, 'unstable', `it changed too fast to read whole in ${CONSISTENT_READ_ATTEMPTS} tries; try again.`);
}

/**
 * The record after the tasks changed since `known` was read, from one small query; null when too
 * much changed to answer in one page (read it whole then).
 */
export async function catchUp(reader: RecordReader, flowId: string, known: FlowRecord): Promise<FlowRecord | null> {
  const handle = reader.client.workflow.getHandle(flowId);
  const changed = await queryPage(reader, handle, { changedSince: known.revision });
  if (!changed.taskPage.complete) return null;
  if (changed.revision === known.revision) return known;
  return withChanges([...known.tasks], changed);
}

/**
 * Tasks read earlier (in place) brought to the revision of a `changedSince` page: changed tasks
 * replaced where they stand, new ones appended. Null if the count still disagrees (read it whole).
 */
function withChanges(tasks: FlowRecord['tasks'], changed: RecordPage<FlowRecord>): FlowRecord | null {
  const position = new Map(tasks.map((t, i) => [t.taskId, i]));
  for (const task of changed.tasks) {
    const i = position.get(task.taskId);
    if (i === undefined) position.set(task.taskId, tasks.push(task) - 1);
    else tasks[i] = task;
  }
  return tasks.length === changed.taskPage.total ? whole(changed, tasks) : null;
}

function whole(header: RecordPage<FlowRecord>, tasks: FlowRecord['tasks']): FlowRecord {
  const { taskPage: _page, ...record } = header;
  return { ...record, tasks, taskSummary: summarizeTasks(tasks) };
}

async function queryPage(reader: RecordReader, handle: WorkflowHandle, request: RecordPageRequest & { packed: true }): Promise<RecordPage<FlowRecord> | PackedRecord>;
async function queryPage(reader: RecordReader, handle: WorkflowHandle, request: RecordPageRequest): Promise<RecordPage<FlowRecord>>;
async function queryPage(reader: RecordReader, handle: WorkflowHandle, request: RecordPageRequest): Promise<RecordPage<FlowRecord> | PackedRecord> {
  const giveUpAt = Date.now() + RETRY_PENDING_WAIT_MS;
  for (;;) {
    try {
      return await queryPageOnce(reader, handle, request);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes(RETRY_PENDING)) throw err;
      // A run `flow retry` made answers once the retry's signal reached it, within moments; a reset made
      // outside TaskFlow never sends one, so past the wait the run is asked to answer as it stands.
      if (Date.now() >= giveUpAt) return queryPageOnce(reader, handle, { ...request, evenIfRetrying: true });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function queryPageOnce(reader: RecordReader, handle: WorkflowHandle, request: RecordPageRequest): Promise<RecordPage<FlowRecord> | PackedRecord> {
  const first = Date.now();
  // Each query gets its own deadline, never later than one the caller set (the CLI's --timeout).
  const storage = (reader.client.connection as { callContextStorage?: { getStore(): { deadline?: number | Date } | undefined } }).callContextStorage;
  const outer = storage?.getStore()?.deadline;
  const own = first + PAGE_DEADLINE_MS;
  const deadline = outer === undefined ? own : Math.min(own, new Date(outer).getTime());
  const limitedByCaller = deadline < own;
  const ask = () =>
    reader.client.connection.withDeadline(deadline, () => handle.query<RecordPage<FlowRecord> | PackedRecord, [RecordPageRequest]>(MESSAGES.record, request));
  try {
    return await answerOrAskAgain(ask, deadline);
  } catch (err) {
    throw await unavailable(reader, handle.workflowId, err, { waitedMs: Date.now() - first, limitedByCaller });
  }
}

/** The first answer of `ask()`, asked a second time beside the first when that is still unanswered halfway. */
function answerOrAskAgain<T>(ask: () => Promise<T>, deadline: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let pending = 1;
    let timer: NodeJS.Timeout | undefined;
    const settle = (promise: Promise<T>) =>
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          // A refusal (not a timeout) is the answer; a timeout counts once both asks have timed out.
          if (!isDeadline(err) || --pending === 0) {
            clearTimeout(timer);
            reject(err);
          }
        },
      );
    void settle(ask());
    if (Date.now() + SECOND_QUERY_AFTER_MS < deadline) {
      timer = setTimeout(() => {
        pending++;
        void settle(ask());
      }, SECOND_QUERY_AFTER_MS);
    }
  });
}

function isDeadline(err: unknown): boolean {
  const code = (err as { code?: number })?.code ?? (err as { cause?: { code?: number } })?.cause?.code;
  return code === 4 /* DEADLINE_EXCEEDED */ || code === 1 /* CANCELLED */ || /deadline/i.test((err as Error)?.message ?? '');
}

interface Waited {
  waitedMs: number;
  /** The caller's deadline (the CLI's --timeout) ended the wait, not the query's own. */
  limitedByCaller: boolean;
}

async function unavailable(reader: RecordReader, flowId: string, err: unknown, waited: Waited): Promise<RecordUnavailableError> {
  const message = (err as Error)?.message ?? String(err);
  const code = (err as { code?: number })?.code ?? (err as { cause?: { code?: number } })?.cause?.code;
  if (/size|too large|larger than|exceeds/i.test(message) || code === 8 /* RESOURCE_EXHAUSTED */) {
    return new RecordUnavailableError(flowId, 'too_large', `its answer was larger than Temporal allows (${message}).`);
  }
  if (code === 4 /* DEADLINE_EXCEEDED */ || code === 1 /* CANCELLED */ || /deadline/i.test(message)) {
    const polled = await workerPolls(reader).catch(() => true);
    return new RecordUnavailableError(
      flowId,
      'no_worker',
      polled
        ? `no worker answered its query within ${Math.round(waited.waitedMs / 1000)} s. ` +
            (waited.limitedByCaller
              ? 'An ended flow is replayed to answer, which takes longer the longer its history: try again with a longer --timeout.'
              : "Check the worker's log, then try again.")
        : `no TaskFlow worker polls task queue ${reader.taskQueue} to answer its query. Start one with taskflow worker, then try again.`,
    );
  }
  return new RecordUnavailableError(flowId, 'worker_error', `the worker failed to answer its query: ${message}`);
}

/** Whether any worker polls the flows' task queue for workflow tasks (which answer queries). */
export async function workerPolls(reader: RecordReader): Promise<boolean> {
  const { pollers } = await reader.client.workflowService.describeTaskQueue({
    namespace: reader.namespace,
    taskQueue: { name: reader.taskQueue },
    taskQueueType: 1 /* WORKFLOW */,
  });
  return (pollers?.length ?? 0) > 0;
}
