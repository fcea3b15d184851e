import type { RecordPage, RecordPageRequest } from './messages';
import type { FlowRecord } from './records';
import { utf8Length } from './limits';

/** A query answer stays this far under Temporal's 2 MB payload limit, whatever the flow holds. */
export const DEFAULT_PAGE_BYTES = 1024 * 1024;

/**
 * One page of a record's tasks, cut by position and by size, so the `flowRecord` query answers
 * at any number of tasks; `taskPage` tells whether more follow. Costs what the page holds.
 */
export function recordPage(record: FlowRecord, request: RecordPageRequest = {}): RecordPage<FlowRecord> {
  const all = record.tasks;
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
  return { ...record, tasks, taskPage: { offset, count: tasks.length, total: all.length, complete } };
}
