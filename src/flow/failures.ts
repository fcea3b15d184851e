import { ApplicationFailure } from '@temporalio/workflow';
import type { FlowErrorType } from '../model/errors';
import type { FlowRecord } from '../model/records';
import { oversizeMessage } from '../model/limits';

/**
 * A typed, non-retryable failure: it rejects an update (in a validator, before history) or ends a
 * flow, and reaches the client with its `type` and details intact.
 */
export function flowFailure(type: FlowErrorType, message: string, details: Record<string, unknown> = {}): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: [details] });
}

/**
 * How a flow ends when it fails or is cancelled as it may (a task failed, `flow fail`): its message says
 * it all, so it carries no stack trace of the worker's code into the flow's result.
 */
export function expectedFailure(type: 'flow_failed' | 'cancelled', message: string): ApplicationFailure {
  const failure = ApplicationFailure.create({ type, message, nonRetryable: true });
  failure.stack = undefined;
  return failure;
}

export function revisionConflict(record: FlowRecord, expectedRevision: number): ApplicationFailure {
  return flowFailure(
    'revision_conflict',
    `Flow ${record.flowId} is at revision ${record.revision}, not ${expectedRevision}; re-read it and retry.`,
    { currentRevision: record.revision, expectedRevision },
  );
}

export function flowTerminal(record: FlowRecord): ApplicationFailure {
  return flowFailure('flow_terminal', `Flow is already ${record.status}.`, { status: record.status });
}

export function checkExpectedRevision(record: FlowRecord, expectedRevision: number | undefined): void {
  if (expectedRevision !== undefined && expectedRevision !== record.revision) throw revisionConflict(record, expectedRevision);
}

export { zodMessage } from '../model/zod-message';

/** Refuses a write too large for Temporal before it reaches history (where it would fail the workflow task). */
export function checkWriteSize(what: string, value: unknown): void {
  const message = oversizeMessage(what, value);
  if (message) throw flowFailure('invalid_input', message);
}
