import type { FlowListEntry, FlowRecord } from '../model/records';
import { SA_CANCEL_REQUESTED, SA_STATUS } from '../model/search-attributes';
import { isTerminalFlow } from '../model/status';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { FlowError } from './errors';
import { isNotFound, resolveDescribed } from './lookup';
import { mapLimited } from './map-limited';
import { catchUp } from './record';
import { snapshotOf, type FlowSession } from './session';
import type { FlowSnapshot } from './snapshot';
import { buildListQuery, flowRecordFromExecution, statusClause, type FlowFilter } from './visibility';

/** Reads of spec §7: one flow's authoritative record, following it, the list and its pressure line. */

export interface FlowList {
  count: number;
  total: number;
  more: boolean;
  flows: FlowListEntry[];
}

export interface ListOptions {
  /** Add each flow's tasks and `taskSummary.byStatus` from its own record (one read per flow). */
  tasks?: boolean;
}

export interface FlowPressure {
  active: number;
  waiting: number;
  blocked: number;
  issues: number;
  cancelRequested: number;
  total: number;
}

export interface ShowOptions {
  /** An earlier run of the flow (e.g. the one `retriedFrom` names) instead of the current one. */
  runId?: string;
}

export async function showFlow(session: FlowSession, lookup: string, options: ShowOptions = {}): Promise<FlowSnapshot> {
  const { flowId, description } = await session.call(() => resolveDescribed(session.client, lookup));
  if (options.runId === undefined) return session.snapshot(flowId, description);
  return session.snapshot(flowId, await describeRun(session, flowId, options.runId), options.runId);
}

async function describeRun(session: FlowSession, flowId: string, runId: string): Promise<WorkflowExecutionDescription> {
  try {
    return await session.client.workflow.getHandle(flowId, runId).describe();
  } catch (err) {
    if (!isNotFound(err) && !/invalid.*run ?id|runid/i.test((err as Error)?.message ?? '')) throw session.translate(err);
    const hint = `taskflow flow show ${flowId} names the run it was retried from`;
    throw new FlowError('not_found', `Flow ${flowId} has no run ${runId}; ${hint}.`, { flowId, runId });
  }
}

/**
 * Follows a flow until it ends: one snapshot per poll, the last one when the flow or its execution
 * has ended. After the first full read each poll asks the flow only for the tasks changed since.
 */
export async function* watchFlow(session: FlowSession, lookup: string, intervalMs = 500): AsyncGenerator<FlowSnapshot, void, void> {
  const flowId = await session.resolve(lookup);
  const handle = session.handle(flowId);
  let own: FlowRecord | undefined;
  for (;;) {
    const description = await session.call(() => handle.describe());
    let snapshot: FlowSnapshot;
    if (own && own.runId === description.runId) {
      own = (await catchUp(session.reader(), flowId, own)) ?? (await session.record(flowId));
      snapshot = snapshotOf(own, description);
    } else if (description.historyLength <= 2 && description.status.name === 'RUNNING') {
      snapshot = await session.snapshot(flowId, description);
    } else {
      own = await session.record(flowId);
      snapshot = snapshotOf(own, description);
    }
    yield snapshot;
    if (isTerminalFlow(snapshot.flow) || snapshot.executionStatus !== 'RUNNING') return;
    // A timer that keeps the process alive: a watcher has nothing else pending while it waits.
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The filter with its `parent` lookup resolved to a flow id (spec §4): a parent that does not exist
 * is `not_found`, never an empty list.
 */
export async function resolveFilter(session: FlowSession, filter: FlowFilter): Promise<FlowFilter> {
  if (filter.parent === undefined) return filter;
  const { parent, ...rest } = filter;
  return { ...rest, parentFlowId: await session.resolve(parent) };
}

export async function listFlows(session: FlowSession, filter: FlowFilter, limit: number, options: ListOptions): Promise<FlowList> {
  const query = buildListQuery(await resolveFilter(session, filter));
  const flows: FlowListEntry[] = [];
  let more = false;
  const [total] = await Promise.all([
    session.call(() => session.client.workflow.count(query)).then((c) => c.count),
    session.call(async () => {
      // One row past the limit tells whether there are more, without a second page.
      for await (const info of session.client.workflow.list({ query, pageSize: Math.min(Math.max(limit + 1, 1), 1000) })) {
        if (flows.length >= limit) {
          more = true;
          break;
        }
        const record = flowRecordFromExecution(info);
        if (record) flows.push(record);
      }
    }),
  ]);
  const listed = { count: flows.length, total, more: more || total > flows.length, flows };
  return options.tasks ? { ...listed, flows: await withTasks(session, flows) } : listed;
}

/** List entries with their tasks, each from its flow's own record. */
function withTasks(session: FlowSession, flows: FlowListEntry[]): Promise<FlowListEntry[]> {
  return mapLimited(flows, 8, async (entry) => {
    const { flow } = await session.snapshot(entry.flowId);
    return { ...entry, tasks: flow.tasks, taskSummary: flow.taskSummary };
  });
}

/** The pressure line of spec §11, from visibility counts over the filter (its statuses ignored). */
export async function flowPressure(session: FlowSession, filter: FlowFilter): Promise<FlowPressure> {
  const base = { ...(await resolveFilter(session, filter)), statuses: undefined };
  const count = (...extra: string[]) => session.call(() => session.client.workflow.count(buildListQuery(base, extra))).then((c) => c.count);
  const [active, waiting, blocked, issues, cancelRequested, total] = await Promise.all([
    count(`(${statusClause('queued')} OR ${statusClause('running')})`),
    count(statusClause('waiting')),
    count(`${SA_STATUS.name} = 'blocked'`, `ExecutionStatus = 'Running'`),
    count(`(${statusClause('failed')} OR ${statusClause('lost')})`),
    count(`${SA_CANCEL_REQUESTED.name} = true`, `ExecutionStatus = 'Running'`),
    count(),
  ]);
  return { active, waiting, blocked, issues, cancelRequested, total };
}
