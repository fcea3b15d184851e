import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { z } from 'zod';
import type { TaskFlowConfig } from '../config';
import { zodMessage } from '../model/zod-message';
import type { mirroredFlow } from '../flow/mirrored';
import { LIST_MEMO_KEY, listMemoOf } from '../model/listing';
import { MESSAGES, type WriteAck } from '../model/messages';
import { newFlowRecord } from '../model/new-record';
import type { FlowRecord } from '../model/records';
import { startSearchAttributesOf } from '../model/search-attributes';
import { describeStartForUi } from '../flow/details';
import {
  FailRequest,
  MIRRORED_WORKFLOW_TYPE,
  MirroredCreate,
  TaskReport,
  defaultGoal,
  mirroredFlowView,
  type MirroredCancelAck,
  type MirroredCreateInput,
  type TaskReportInput,
} from '../model/transitions';
import { FlowError, InvalidFlowInputError, TasksStillActiveError, refuseOversize } from './errors';
import { emptyTaskCounts } from '../model/status';
import type { FlowSession, Sent } from './session';
import { cancelResult, type CancelResult } from './cancel-result';

export interface ReportOptions {
  expectedRevision?: number;
  /** Idempotency id (the Temporal update id): a retried report with the same id applies once. */
  requestId?: string;
  /** Create the flow if absent, atomically with the report; `lookupOrId` is then its flow id. */
  create?: MirroredCreateInput;
}

export interface FinishOptions {
  result?: unknown;
  expectedRevision?: number;
  requestId?: string;
}

export interface FailOptions {
  error: string;
  expectedRevision?: number;
  requestId?: string;
}

export interface MirroredCancelOptions {
  expectedRevision?: number;
  requestId?: string;
  reason?: string;
  force?: boolean;
}

/**
 * Records one task update on a mirrored flow. With `create`, creates the flow if absent and applies
 * the report in one update-with-start call, so concurrent producers end up with one flow.
 */
export async function reportTask(session: FlowSession, lookupOrId: string, input: TaskReportInput, options: ReportOptions = {}): Promise<Sent> {
  const report = parsed(TaskReport, 'Report', { ...input, occurredAt: utc(input.occurredAt) });
  const create = options.create && parsed(MirroredCreate, 'Create options', options.create);
  const request = { ...report, expectedRevision: options.expectedRevision };
  refuseOversize('The report', request);
  const requestId = options.requestId ?? randomUUID();
  // Producers nearly always name the flow by its id: send to it as one first, resolve only if none answers.
  const flowId = lookupOrId.trim();
  if (!flowId) throw new InvalidFlowInputError(create ? 'A mirrored flow needs a flow id to be created with.' : 'A report needs the flow it is for.');
  try {
    const ack = await gateOf(session.client, flowId).run(() =>
      create
        ? session.answered(() =>
            session.client.workflow.executeUpdateWithStart<typeof mirroredFlow, WriteAck, [object]>(MESSAGES.report, {
              args: [request],
              updateId: requestId,
              startWorkflowOperation: startOperation(session.config, flowId, { ...create, goal: create.goal ?? defaultGoal(report) }),
            }),
          )
        : session.update(flowId, MESSAGES.report, request, requestId),
    );
    return { flowId, ack };
  } catch (err) {
    if (err instanceof FlowError && err.type !== 'server_unavailable') throw err;
    // Sent straight away, since nearly every report goes to an open mirrored flow by its id. When it
    // did not land, the checked write path resolves the lookup and says why — not_mirrored before
    // flow_terminal, as mode comes before state — or sends it again under the same update id.
    return session.write(create ? flowId : lookupOrId, 'mirrored', MESSAGES.report, request, { requestId });
  }
}

/** Ends an open mirrored flow with no active task, with the status its tasks derive. */
export async function finishFlow(session: FlowSession, lookup: string, options: FinishOptions = {}): Promise<Sent> {
  try {
    return await session.write(lookup, 'mirrored', MESSAGES.finish, { expectedRevision: options.expectedRevision, result: options.result }, options);
  } catch (err) {
    if (err instanceof FlowError && err.type === 'tasks_still_active' && !(err instanceof TasksStillActiveError)) {
      throw new TasksStillActiveError((err.details.stillActive as string[]) ?? [], err.details);
    }
    throw err;
  }
}

/** Ends a mirrored flow failed at any time; its still-active tasks are recorded lost. */
export function failFlow(session: FlowSession, lookup: string, options: FailOptions): Promise<Sent> {
  const { error } = parsed(FailRequest, 'Fail request', { error: options.error });
  return session.write(lookup, 'mirrored', MESSAGES.fail, { expectedRevision: options.expectedRevision, error }, options);
}

/**
 * The mirrored half of `flow cancel` (spec §5): the update records the intent and runs the cancel
 * hook; tasks it could not stop raise TasksStillActiveError (the intent stays), unless `force`
 * recorded them lost (`abandoned`).
 */
export async function cancelMirroredFlow(session: FlowSession, flowId: string, options: MirroredCancelOptions = {}): Promise<CancelResult> {
  const args = { expectedRevision: options.expectedRevision, reason: options.reason ?? null, force: options.force ?? false };
  const ack = await session.update<MirroredCancelAck>(flowId, MESSAGES.cancel, args, options.requestId);
  const { flow } = await session.snapshot(flowId);
  if (ack.stillActive.length > 0) throw new TasksStillActiveError(ack.stillActive, { flow, abandoned: ack.abandoned });
  return cancelResult(ack, flow, ack.stillActive, ack.abandoned);
}

function startOperation(config: TaskFlowConfig, flowId: string, create: MirroredCreate & { goal: string }) {
  const view = mirroredFlowView(emptyTaskCounts(), { autoComplete: create.autoComplete, cancelRequested: false });
  const lookupKey = create.lookupKey ?? null;
  const record: FlowRecord = {
    ...newFlowRecord({
      flowId,
      runId: '',
      flowType: create.flowType ?? MIRRORED_WORKFLOW_TYPE,
      syncMode: 'mirrored',
      status: view.status,
      goal: create.goal,
      lookupKey,
      createdAt: new Date().toISOString(),
    }),
    wait: view.wait,
  };
  return new WithStartWorkflowOperation<typeof mirroredFlow>(MIRRORED_WORKFLOW_TYPE, {
    workflowId: flowId,
    taskQueue: config.taskQueue,
    args: [create],
    workflowIdConflictPolicy: 'USE_EXISTING',
    // A flow id whose flow has ended is never reused.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    staticSummary: create.goal,
    staticDetails: describeStartForUi({ syncMode: 'mirrored', flowType: record.flowType, lookupKey, autoComplete: create.autoComplete, cancelHook: create.cancelHook }),
    memo: { [LIST_MEMO_KEY]: listMemoOf(record) },
    typedSearchAttributes: startSearchAttributesOf(record),
  });
}

/**
 * Temporal admits at most 10 in-flight updates per workflow execution (`history.maxInFlightUpdates`)
 * and refuses more with RESOURCE_EXHAUSTED, which the SDK retries after seconds of back-off; so this
 * process keeps its own updates to one flow below that, queueing the rest.
 */
const MAX_UPDATES_IN_FLIGHT_PER_FLOW = 8;

class UpdateGate {
  private inFlight = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly onIdle: () => void) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inFlight >= MAX_UPDATES_IN_FLIGHT_PER_FLOW) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.inFlight++;
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next caller, or give it back.
      const next = this.queue.shift();
      if (next) next();
      else if (--this.inFlight === 0) this.onIdle();
    }
  }
}

const gates = new WeakMap<Client, Map<string, UpdateGate>>();

function gateOf(client: Client, flowId: string): UpdateGate {
  let byFlow = gates.get(client);
  if (!byFlow) gates.set(client, (byFlow = new Map()));
  let gate = byFlow.get(flowId);
  if (!gate) byFlow.set(flowId, (gate = new UpdateGate(() => byFlow!.delete(flowId))));
  return gate;
}

/** An ISO time the client's clock reads (a local time is local to this process) as UTC, so the flow never depends on a time zone. */
function utc(time: string | null | undefined): string | null | undefined {
  if (typeof time !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(time)) return time;
  const at = Date.parse(time);
  return Number.isNaN(at) ? time : new Date(at).toISOString();
}

function parsed<S extends z.ZodType>(schema: S, what: string, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidFlowInputError(zodMessage(what, result.error));
  return result.data;
}
