import type { SearchAttributePair } from '@temporalio/common';
import { LIST_MEMO_KEY, listMemoOf } from '../model/listing';
import { newFlowRecord } from '../model/new-record';
import type { FlowRecord } from '../model/records';
import { START_MEMO_KEY, type FlowStartOptions } from '../model/start';
import { startSearchAttributesOf } from '../model/search-attributes';
import { describeStartForUi } from './details';
import { goalOf, type FlowDefinition } from './define';

export interface ManagedStartInit {
  definition: FlowDefinition;
  /** The workflow type (default: the definition's name). */
  flowType?: string;
  flowId: string;
  /** The input as the caller sent it (the workflow's argument). */
  rawInput: unknown;
  /** The same, parsed by the definition's input schema. */
  input: unknown;
  lookupKey?: string | null;
  start: FlowStartOptions;
  createdAt: string;
  parentFlowId?: string | null;
}

/** What a managed flow's execution is started with, whoever starts it (the client, or a parent flow). */
export interface ManagedStart {
  /** The record as it stands before a worker picks the flow up (`queued`, no run id yet). */
  record: FlowRecord;
  staticSummary: string;
  staticDetails: string;
  memo: Record<string, unknown>;
  typedSearchAttributes: SearchAttributePair[];
}

/**
 * One factory for a managed flow's start, so a child flow carries exactly what `FlowClient.start`
 * gives a top-level one: its goal as the static summary, the start memo, the list memo, the search
 * attributes. Deterministic: flow code calls it too.
 */
export function managedStartOf(init: ManagedStartInit): ManagedStart {
  const { definition, flowId, input } = init;
  const flowType = init.flowType ?? definition.name;
  const goal = goalOf(definition, input);
  const lookupKey = init.lookupKey ?? definition.lookupKey?.(input) ?? null;
  const record = newFlowRecord({
    flowId,
    runId: '',
    flowType,
    syncMode: 'managed',
    status: 'queued',
    goal,
    lookupKey,
    createdAt: init.createdAt,
    parentFlowId: init.parentFlowId ?? null,
  });
  return {
    record,
    staticSummary: goal,
    staticDetails: describeStartForUi({ syncMode: 'managed', flowType, lookupKey, input: init.rawInput, parentFlowId: record.parentFlowId }),
    memo: { [LIST_MEMO_KEY]: listMemoOf(record), [START_MEMO_KEY]: init.start },
    typedSearchAttributes: startSearchAttributesOf(record),
  };
}
