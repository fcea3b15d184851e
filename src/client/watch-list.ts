import type { FlowListEntry } from '../model/records';
import { flowPressure, listFlows, resolveFilter, type FlowList, type FlowPressure } from './reads';
import type { FlowSession } from './session';
import type { FlowFilter } from './visibility';

export interface WatchListOptions {
  /** Time between polls (default 2 s): each poll is one list query, one count, and six more for the pressure line. */
  intervalMs?: number;
  /** Count the pressure line of spec §11 on every poll (default true). */
  pressure?: boolean;
  /** Add each flow's tasks, as `list(…, { tasks: true })` (one read per flow per poll). */
  tasks?: boolean;
  /** Ends the watch (the generator returns) when aborted, e.g. on Ctrl-C. */
  signal?: AbortSignal;
}

/** One poll of a watched list. */
export interface FlowListUpdate {
  list: FlowList;
  pressure: FlowPressure | null;
  /** Flows new to the list or changed since the previous poll (run, revision or status); every flow on the first poll. */
  changed: FlowListEntry[];
  /** Flow ids the previous poll listed and this one does not (ended past a status filter, or pushed out by the limit). */
  removed: string[];
  /** When this poll was answered. */
  at: Date;
}

const DEFAULT_INTERVAL_MS = 2_000;

/** What tells one state of a listed flow from the next: its run, its revision and its status. */
export function listedVersion(flow: Pick<FlowListEntry, 'runId' | 'revision' | 'status'>): string {
  return `${flow.runId}:${flow.revision}:${flow.status}`;
}

/**
 * Follows `flow list` for `filter` until `signal` is aborted: one update per poll, even when nothing
 * changed (so a view can say how fresh it is); `changed` and `removed` say what did.
 */
export async function* watchList(session: FlowSession, filter: FlowFilter, limit: number, options: WatchListOptions = {}): AsyncGenerator<FlowListUpdate, void, void> {
  const { signal } = options;
  // A parent given by lookup is resolved once, not on every poll.
  const resolved = await resolveFilter(session, filter);
  let previous = new Map<string, string>();
  while (!signal?.aborted) {
    const [list, pressure] = await Promise.all([
      listFlows(session, resolved, limit, { tasks: options.tasks }),
      options.pressure === false ? null : flowPressure(session, resolved),
    ]);
    const current = new Map(list.flows.map((f) => [f.flowId, listedVersion(f)]));
    const changed = list.flows.filter((f) => previous.get(f.flowId) !== current.get(f.flowId));
    const removed = [...previous.keys()].filter((flowId) => !current.has(flowId));
    previous = current;
    if (signal?.aborted) return;
    yield { list, pressure, changed, removed, at: new Date() };
    await sleep(options.intervalMs ?? DEFAULT_INTERVAL_MS, signal);
  }
}

/** A timer that keeps the process alive (a watcher has nothing else pending) and ends early on abort. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
