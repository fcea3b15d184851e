import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { FlowErrorType } from '../model/errors';
import { isFlowErrorType } from '../model/errors';
import { oversizeMessage } from '../model/limits';

/**
 * Every error FlowClient throws: a `type` of spec §9, one sentence for people, and the fields a
 * script needs (`details`), which the CLI prints as they are in its JSON error object.
 */
export class FlowError extends Error {
  constructor(
    readonly type: FlowErrorType,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class FlowNotFoundError extends FlowError {
  constructor(lookup: string) {
    super('not_found', `TaskFlow not found: ${lookup}. Run taskflow flow list to see recent flow ids.`, { lookup });
  }
}

export class AmbiguousLookupError extends FlowError {
  constructor(lookup: string, matches: string[]) {
    super('ambiguous_lookup', `${lookup} matches several flows: ${matches.join(', ')}. Use more of the flow id.`, { matches });
  }
}

export class RevisionConflictError extends FlowError {
  constructor(message: string, details: { currentRevision: number; expectedRevision: number }) {
    super('revision_conflict', message, details);
  }
  get currentRevision(): number {
    return this.details.currentRevision as number;
  }
}

export class FlowTerminalError extends FlowError {
  constructor(status: string, details: Record<string, unknown> = {}) {
    super('flow_terminal', `Flow is already ${status}.`, { status, ...details });
  }
}

export class InvalidFlowInputError extends FlowError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('invalid_input', message, details);
  }
}

export class FlowExistsError extends FlowError {
  constructor(flowId: string) {
    super('flow_exists', `A flow with id ${flowId} already exists; flow ids are never reused. Choose another --id.`, { flowId });
  }
}

export class ServerUnavailableError extends FlowError {
  constructor(address: string, cause?: string) {
    super(
      'server_unavailable',
      `No Temporal server answered at ${address}${cause ? ` (${cause})` : ''}. Start one with npm start (or taskflow dev), or point TEMPORAL_ADDRESS at yours.`,
      { address },
    );
  }
}

export class TasksStillActiveError extends FlowError {
  constructor(stillActive: string[], details: Record<string, unknown> = {}) {
    super('tasks_still_active', 'One or more child tasks are still active.', { stillActive, ...details });
  }
}

/** Why a flow's own record could not be read. */
export type RecordUnavailableReason = 'no_worker' | 'too_large' | 'worker_error' | 'unstable';

/** The authoritative record could not be read: said as such, never replaced by a partial one. */
export class RecordUnavailableError extends FlowError {
  constructor(flowId: string, reason: RecordUnavailableReason, detail: string) {
    super('record_unavailable', `The record of flow ${flowId} could not be read: ${detail}`, { flowId, reason });
  }
}

/** Turns a failure raised by a flow (validator or handler) back into the typed error it stands for. */
export function flowErrorFrom(err: unknown): unknown {
  const failure = err instanceof WorkflowUpdateFailedError ? err.cause : err;
  if (!(failure instanceof ApplicationFailure) || !isFlowErrorType(failure.type)) return err;
  const details = (failure.details?.[0] ?? {}) as Record<string, unknown>;
  switch (failure.type) {
    case 'revision_conflict':
      return new RevisionConflictError(failure.message, details as { currentRevision: number; expectedRevision: number });
    case 'flow_terminal':
      return new FlowTerminalError(String(details.status), details);
    default:
      return new FlowError(failure.type, failure.message, details);
  }
}

/** Refuses, before anything is sent, a write Temporal would refuse only after failing a workflow task. */
export function refuseOversize(what: string, value: unknown): void {
  const message = oversizeMessage(what, value);
  if (message) throw new InvalidFlowInputError(message);
}
