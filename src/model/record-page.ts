import type { PackedRecord, RecordPage, RecordPageRequest } from './messages';
import { pack } from './pack';
import type { FlowRecord, TaskRecord } from './records';
import { utf8Length } from './limits';

/** A query answer stays under the 512 KB at which Temporal starts warning (its limit is 2 MB), whatever the flow holds. */
export const DEFAULT_PAGE_BYTES = 480 * 1024;

/** Where a record's tasks come from when a page asks for the changed ones only. */
export interface ChangedTasks {
  tasksChangedSince(revision: number): TaskRecord[];
}

/**
 * One page of a record's tasks, cut by position and by size, so the `flowRecord` query answers
 * at any number of tasks; `taskPage` tells whether more follow. With `changedSince`, the page
 * holds only the tasks changed after that revision (all of them, or `complete: false`).
 */
export function recordPage(record: FlowRecord, request: RecordPageRequest = {}, source?: ChangedTasks): RecordPage<FlowRecord> {
  const changedSince = request.changedSince;
  const all = changedSince !== undefined && source ? source.tasksChangedSince(changedSince) : record.tasks;
  const offset = Math.min(request.taskOffset ?? 0, all.length);
  const limit = request.taskLimit ?? all.length;
  const budget = request.maxTaskBytes ?? DEFAULT_PAGE_BYTES;
  const tasks = [];
  let bytes = 0;
  for (let i = offset; i < all.length && tasks.length < limit; i++) {
    const task = all[i]!;
    bytes += utf8Length(JSON.stringify(task)) + 1;
    // Always at least one task, so a page makes progress even past the budget.
    if (bytes > budget && tasks.length > 0) break;
    tasks.push(task);
  }
  const complete = offset + tasks.length >= all.length;
  const taskPage = { offset, count: tasks.length, total: record.tasks.length, complete, ...(changedSince !== undefined ? { changedSince } : {}) };
  return { ...record, tasks, taskPage };
}

/** A packed record answers in one payload up to this size; past it, the first page answers instead. */
export const MAX_PACKED_BYTES = 1536 * 1024;

/**
 * The `flowRecord` query's answer: with `packed`, the whole record deflated into one payload (one
 * query, one revision — and for an ended flow, one replay on the worker), unless it packs larger
 * than Temporal allows; otherwise, or then, a page of tasks.
 */
export function recordAnswer(record: FlowRecord, request: RecordPageRequest = {}, source?: ChangedTasks): RecordPage<FlowRecord> | PackedRecord {
  if (request.packed) {
    const { packed } = pack(record);
    if (packed.length <= MAX_PACKED_BYTES) return { packedRecord: packed, revision: record.revision };
  }
  return recordPage(record, request, source);
}
