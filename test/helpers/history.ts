import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

/**
 * The most commands of one kind any single workflow task of this history produced: the flow
 * publishes its record at most once per workflow task, however many changes it made there.
 */
export function mostPerWorkflowTask(history: History, has: (event: temporal.api.history.v1.IHistoryEvent) => boolean): number {
  let most = 0;
  let current = 0;
  for (const event of history.events ?? []) {
    if (event.workflowTaskCompletedEventAttributes) current = 0;
    else if (has(event)) most = Math.max(most, ++current);
  }
  return most;
}

/** Search-attribute upserts and memo upserts, per workflow task, at most. */
export function publishesPerWorkflowTask(history: History): { searchAttributes: number; memo: number } {
  return {
    searchAttributes: mostPerWorkflowTask(history, (e) => !!e.upsertWorkflowSearchAttributesEventAttributes),
    memo: mostPerWorkflowTask(history, (e) => !!e.workflowPropertiesModifiedEventAttributes),
  };
}
