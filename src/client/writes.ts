import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { managedStartOf } from '../flow/start';
import type { FlowDefinition } from '../flow/define';
import { MESSAGES, type WriteAck, type WriteResult } from '../model/messages';
import type { FlowRecord } from '../model/records';
import type { FlowStartOptions } from '../model/start';
import { isActiveTask, isTerminalFlow } from '../model/status';
import { zodMessage } from '../model/zod-message';
import { cancelResult, type CancelResult } from './cancel-result';
import { cancelledChildren, childTasksOf, type ChildReader } from './children';
import { FlowExistsError, FlowNotFoundError, FlowTerminalError, InvalidFlowInputError, TasksStillActiveError, refuseOversize } from './errors';
import { resolveDescribed } from './lookup';
import { cancelMirroredFlow } from './mirrored';
import type { FlowSession, Sent, WriteOptions } from './session';
import { flowRecordFromExecution } from './visibility';

/** Writes of managed flows (start, resume, patch) and the cancel of either mode (spec §3, §5, §7). */

export interface StartOptions {
  flowId?: string;
  lookupKey?: string;
  /** Continue-as-new after this many history events even if Temporal does not suggest it yet (tests, long flows). */
  continueAsNewAfterEvents?: number;
}

export interface CancelOptions extends WriteOptions {
  reason?: string;
  /** Wait until every task stopped and the flow ended, up to `flowDefaults.cancelGracePeriod`. */
  wait?: boolean;
  /** Mirrored flows: end now, recording the tasks the cancel hook could not stop `lost` (`abandoned`). */
  force?: boolean;
}

/** Starts a managed flow of `definition`; its input is checked here, before anything starts. */
export async function startFlow(session: FlowSession, definition: FlowDefinition, input: unknown, options: StartOptions): Promise<FlowRecord> {
  const flowType = definition.name;
  // Checked here for an early, clear error; the workflow parses the raw input itself, once.
  const parsed = definition.input.safeParse(input);
  if (!parsed.success) throw new InvalidFlowInputError(zodMessage(`Input for ${flowType}`, parsed.error));
  refuseOversize(`Input for ${flowType}`, input);

  const flowId = options.flowId ?? `${flowType}-${randomUUID().slice(0, 8)}`;
  const start: FlowStartOptions = { taskDefaults: session.config.flowDefaults, continueAsNewAfterEvents: options.continueAsNewAfterEvents };
  // The same start a child flow gets from flow.child: memo, search attributes, summary and details.
  const { record, ...startWith } = managedStartOf({
    definition,
    flowType,
    flowId,
    rawInput: input,
    input: parsed.data,
    lookupKey: options.lookupKey,
    start,
    createdAt: new Date().toISOString(),
  });
  try {
    const handle = await session.client.workflow.start(flowType, {
      workflowId: flowId,
      taskQueue: session.config.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      ...startWith,
    });
    return { ...record, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new FlowExistsError(flowId);
    throw session.translate(err);
  }
}

/** Answers one open wait of a managed flow (named when several are open). */
export function resumeFlow(session: FlowSession, lookup: string, data: unknown, wait: string | undefined, options: WriteOptions): Promise<WriteResult<FlowRecord>> {
  return withRecord(session, session.write(lookup, 'managed', MESSAGES.resume, { expectedRevision: options.expectedRevision, data, wait }, options));
}

export function patchFlowState(session: FlowSession, lookup: string, patch: Record<string, unknown>, options: WriteOptions): Promise<WriteResult<FlowRecord>> {
  return withRecord(session, session.write(lookup, 'managed', MESSAGES.patchState, { expectedRevision: options.expectedRevision, patch }, options));
}

/** A write's answer with the record as it stands right after the write (read from the flow, every task). */
export async function withRecord<A extends WriteAck>(session: FlowSession, sent: Promise<Sent<A>>): Promise<WriteResult<FlowRecord> & Omit<A, keyof WriteAck>> {
  const { flowId, ack } = await sent;
  const { applied, reason, revision, status: _status, task: _task, ...extra } = ack;
  return { applied, ...(reason !== undefined ? { reason } : {}), revision, ...extra, flow: (await session.snapshot(flowId)).flow } as WriteResult<FlowRecord> &
    Omit<A, keyof WriteAck>;
}

/**
 * Records the cancel intent, cancels the flow's active tasks and, with `wait`, waits for them to
 * stop. Tasks still running after the grace period raise `TasksStillActiveError`; the intent stays.
 * One answer for both modes: the record after it, the sentence of spec §5, still-active and abandoned tasks.
 */
export async function cancelFlow(session: FlowSession, lookup: string, options: CancelOptions): Promise<CancelResult> {
  const { flowId, description } = await session.call(() => resolveDescribed(session.client, lookup));
  // Describe alone tells whether the flow is open; the cancel update itself refuses an ended one too.
  const flow = flowRecordFromExecution(description ?? (await session.call(() => session.handle(flowId).describe())));
  if (!flow) throw new FlowNotFoundError(flowId);
  if (isTerminalFlow(flow)) throw new FlowTerminalError((await session.snapshot(flowId)).flow.status);
  if (flow.syncMode === 'mirrored') return cancelMirroredFlow(session, flowId, options);
  const ack = await session.update(flowId, MESSAGES.cancel, { expectedRevision: options.expectedRevision, reason: options.reason ?? null }, options.requestId);
  // The flow itself ends its execution Canceled: nothing more to send, even if this process dies now.
  if (options.wait) await session.waitForClose(flowId, session.config.flowDefaults.cancelGracePeriod);
  const { flow: after } = await session.snapshot(flowId);
  const stillActive = after.tasks.filter((t) => isActiveTask(t.status)).map((t) => t.taskId);
  // The flow cancels its open children first (Temporal child workflows); each has ended by now unless it is still stopping.
  const children = childTasksOf(after).length > 0 ? await cancelledChildren(childReaderOf(session), after) : [];
  // An ended record has no active task, even when a busy worker closes its execution a moment later.
  if (options.wait && !isTerminalFlow(after)) throw new TasksStillActiveError(stillActive, { flow: after, children });
  return cancelResult(ack, after, stillActive, [], children);
}

/** What the child-flow reads need: each child's execution and its own record. */
export function childReaderOf(session: FlowSession): ChildReader {
  return {
    describe: (flowId) => session.call(() => session.handle(flowId).describe()),
    record: (flowId) => session.record(flowId),
  };
}
