import { upsertMemo, upsertSearchAttributes, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { FlowRecord } from '../model/records';
import { LIST_MEMO_KEY, listMemoOf } from '../model/listing';
import { jsonEqual } from '../model/json';
import { searchAttributesOf } from '../model/search-attributes';
import { describeForUi } from './details';
import { atActivationEnd } from './activation';

type SearchAttributeValues = Record<string, string | number | boolean | null>;

/**
 * Mirrors the record into search attributes, memo and the UI's current details. Changes are
 * coalesced: however many writes happen in one workflow activation, each key is upserted at most
 * once, and only when its value differs from what was last published.
 */
export class RecordPublisher {
  private published: SearchAttributeValues = {};
  private publishedMemo: unknown;
  private publishedDetails = '';
  private scheduled = false;

  constructor(private readonly read: () => FlowRecord) {
    const info = workflowInfo();
    for (const pair of info.typedSearchAttributes.getAll()) {
      this.published[pair.key.name] = pair.value as SearchAttributeValues[string];
    }
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
    const pairs = searchAttributesOf(record);
    const values: SearchAttributeValues = Object.fromEntries(pairs.map((p) => [p.key.name, p.value as SearchAttributeValues[string]]));
    const changed = pairs.filter((p) => !jsonEqual(this.published[p.key.name] ?? null, values[p.key.name]));
    if (changed.length > 0) {
      upsertSearchAttributes(changed);
      this.published = { ...this.published, ...values };
    }
    const memo = listMemoOf(record);
    if (!jsonEqual(this.publishedMemo, memo)) {
      upsertMemo({ [LIST_MEMO_KEY]: memo });
      this.publishedMemo = memo;
    }
    const details = describeForUi(record);
    if (details !== this.publishedDetails) {
      setCurrentDetails(details);
      this.publishedDetails = details;
    }
  }
}
