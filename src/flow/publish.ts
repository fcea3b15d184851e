import { upsertMemo, upsertSearchAttributes, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { FlowRecord, TaskRecord } from '../model/records';
import { LIST_MEMO_KEY, listMemoOf } from '../model/listing';
import { jsonEqual } from '../model/json';
import { RIDE_ALONG_ATTRIBUTES, searchAttributesOf } from '../model/search-attributes';
import { describeForUi } from './details';
import { atActivationEnd } from './activation';

type PublishedValue = string | number | boolean | null;

/** Active tasks the Web UI's current details name; the rest are counted. */
const DETAILED_TASKS = 6;

/**
 * Mirrors what `flow list` shows of the record into search attributes and memo, and the record
 * into the Web UI's current details. Changes are coalesced per workflow activation, and only what
 * a list shows or filters on causes a publish (spec §6): search attributes when status, counts,
 * lookup key or cancel intent change (with the revision and its time riding along), the memo when
 * step, wait, blocked, cancel, error or goal change. A task's progress alone publishes nothing.
 */
export class RecordPublisher {
  private published: Record<string, PublishedValue> = {};
  private publishedMemo: unknown;
  private publishedDetails = '';
  private scheduled = false;

  constructor(
    private readonly read: () => FlowRecord,
    private readonly activeTasks: (limit: number) => TaskRecord[],
    /** The flow's child-flow tasks (a managed flow's), listed in the current details. */
    private readonly childTasks: () => readonly TaskRecord[] = () => [],
  ) {
    const info = workflowInfo();
    for (const pair of info.typedSearchAttributes.getAll()) this.published[pair.key.name] = comparable(pair.value);
    this.publishedMemo = info.memo?.[LIST_MEMO_KEY];
  }

  /** Publishes at the end of the current workflow activation. */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    atActivationEnd(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    const record = this.read();
    const memo = listMemoOf(record);
    const memoChanged = !jsonEqual(this.publishedMemo, memo);
    const pairs = searchAttributesOf(record);
    const changed = pairs.filter((p) => this.published[p.key.name] !== comparable(p.value));
    const visibleChange = memoChanged || changed.some((p) => !RIDE_ALONG_ATTRIBUTES.has(p.key.name));
    if (visibleChange && changed.length > 0) {
      upsertSearchAttributes(changed as SearchAttributeUpdatePair[]);
      for (const pair of changed) this.published[pair.key.name] = comparable(pair.value);
    }
    if (memoChanged) {
      upsertMemo({ [LIST_MEMO_KEY]: memo });
      this.publishedMemo = memo;
    }
    const details = describeForUi(record, this.activeTasks(DETAILED_TASKS + 1), this.childTasks());
    if (details !== this.publishedDetails) {
      setCurrentDetails(details);
      this.publishedDetails = details;
    }
  }
}

function comparable(value: unknown): PublishedValue {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.length === 0 ? null : comparable(value[0]);
  return (value ?? null) as PublishedValue;
}
