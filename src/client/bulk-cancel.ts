import type { FlowListEntry, FlowStatus } from '../model/records';
import { FlowError } from './errors';
import { resolveFilter } from './reads';
import type { FlowSession } from './session';
import { cancelFlow, type CancelOptions } from './writes';
import { buildListQuery, flowRecordFromExecution, type FlowFilter } from './visibility';

/**
 * Bulk cancel (spec §13): every open flow a `flow list` filter selects, each cancelled as a single
 * `FlowClient.cancel` would, at a bounded rate.
 */

export interface BulkCancelOptions extends Pick<CancelOptions, 'reason' | 'wait' | 'force'> {
  /** Only count the matches and list the first `previewLimit`; nothing changes. */
  dryRun?: boolean;
  /** How many cancels start per second at most (default 20). */
  rps?: number;
  /** How many flows a dry run lists (default 20). */
  previewLimit?: number;
  /** Visibility page size while collecting the matches (default 100). */
  pageSize?: number;
  /** Called as each flow's cancel settles (in completion order), e.g. to show progress. */
  onOutcome?: (outcome: BulkCancelOutcome, progress: { done: number; matched: number }) => void;
}

/** One flow's part of the answer: where it stands after its cancel, and what went wrong if anything. */
export interface BulkCancelOutcome {
  flowId: string;
  status: FlowStatus;
  stillActive: string[];
  error: { type: string; message: string } | null;
}

/** The JSON of spec §13. `flows` is in match order; a dry run lists the first matches, unchanged. */
export interface BulkCancelResult {
  ok: boolean;
  dryRun: boolean;
  matched: number;
  flows: BulkCancelOutcome[];
}

export const DEFAULT_RPS = 20;
const DEFAULT_PREVIEW = 20;
const DEFAULT_PAGE_SIZE = 100;
/** Cancels that wait for their tasks may each take a while: up to one second's worth run at once. */
const MAX_IN_FLIGHT = 100;

/** Only open executions: a flow that has ended has nothing left to cancel. */
const OPEN = `ExecutionStatus = 'Running'`;

/** Whether the filter selects anything narrower than every flow (any field set counts, whatever filters are added later). */
export function hasFilter(filter: FlowFilter): boolean {
  return Object.values(filter).some((value) => value !== undefined && !(Array.isArray(value) && value.length === 0));
}

/** Cancels every open flow `filter` selects (or, with `dryRun`, says which would be). */
export async function cancelMatching(session: FlowSession, filter: FlowFilter, options: BulkCancelOptions = {}): Promise<BulkCancelResult> {
  if (!hasFilter(filter)) {
    throw new FlowError('usage', 'A bulk cancel needs at least one filter; it never cancels every flow.');
  }
  const rps = options.rps ?? DEFAULT_RPS;
  if (!(rps > 0)) throw new FlowError('usage', `The cancel rate must be above 0 per second; got ${rps}.`);
  const query = buildListQuery(await resolveFilter(session, filter), [OPEN]);
  if (options.dryRun) {
    const limit = options.previewLimit ?? DEFAULT_PREVIEW;
    const [matched, first] = await Promise.all([session.client.workflow.count(query).then((c) => c.count), openMatches(session, query, limit, limit)]);
    return { ok: true, dryRun: true, matched, flows: first.map((f) => ({ flowId: f.flowId, status: f.status, stillActive: [], error: null })) };
  }
  // Collected in full before the first cancel: cancelled flows leave the result set as it is paged,
  // and each flow id is taken once, so no flow is cancelled twice.
  const matches = await openMatches(session, query, Number.POSITIVE_INFINITY, options.pageSize ?? DEFAULT_PAGE_SIZE);
  let done = 0;
  const flows = await paced(matches, rps, Math.min(MAX_IN_FLIGHT, Math.max(1, Math.ceil(rps))), async (entry) => {
    const outcome = await cancelOne(session, entry, options);
    options.onOutcome?.(outcome, { done: ++done, matched: matches.length });
    return outcome;
  });
  return { ok: flows.every((f) => f.error === null), dryRun: false, matched: matches.length, flows };
}

/** The open flows of `query`, each once, in the order visibility returns them (open flows newest first). */
async function openMatches(session: FlowSession, query: string, limit: number, pageSize: number): Promise<FlowListEntry[]> {
  const seen = new Set<string>();
  const flows: FlowListEntry[] = [];
  if (limit <= 0) return flows;
  for await (const info of session.client.workflow.list({ query, pageSize })) {
    const entry = flowRecordFromExecution(info);
    if (!entry || seen.has(entry.flowId)) continue;
    seen.add(entry.flowId);
    flows.push(entry);
    if (flows.length >= limit) break;
  }
  return flows;
}

/** One flow, cancelled as `flow cancel <flowId>` would; its failure becomes its outcome rather than the run's. */
async function cancelOne(session: FlowSession, entry: FlowListEntry, options: BulkCancelOptions): Promise<BulkCancelOutcome> {
  const { reason, wait, force } = options;
  try {
    const result = await cancelFlow(session, entry.flowId, { reason, wait, ...(force ? { force: true } : {}) });
    return { flowId: entry.flowId, status: result.flow.status, stillActive: result.stillActive, error: null };
  } catch (err) {
    const type = err instanceof FlowError ? err.type : 'internal';
    const details = (err instanceof FlowError ? err.details : {}) as { status?: FlowStatus; stillActive?: string[]; flow?: { status: FlowStatus } };
    // Ended on its own since it was listed: nothing left to cancel, and nothing went wrong.
    if (type === 'flow_terminal') return { flowId: entry.flowId, status: details.status ?? entry.status, stillActive: [], error: null };
    return {
      flowId: entry.flowId,
      status: details.flow?.status ?? entry.status,
      stillActive: details.stillActive ?? [],
      error: { type, message: err instanceof Error ? err.message : String(err) },
    };
  }
}

/**
 * Runs `fn` over the items in order, at most `rps` starts per second and `inFlight` at once;
 * results in item order.
 */
async function paced<T, R>(items: readonly T[], rps: number, inFlight: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const spacingMs = 1000 / rps;
  const startedAt = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        const wait = startedAt + i * spacingMs - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        results[i] = await fn(items[i]!);
      }
    }),
  );
  return results;
}
