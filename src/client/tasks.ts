import type { FlowRecord, TaskRecord, TaskStatus } from '../model/records';
import { FlowError } from './errors';
import { listFlows, showFlow } from './reads';
import type { FlowSession } from './session';
import { mapLimited } from './map-limited';
import type { FlowFilter } from './visibility';

/**
 * Task records across flows. A task lives in its flow's record (the memo carries only active ones),
 * so these read each candidate flow's full record (describe + query).
 */

/** Which flows a task read covers: one flow (a `<lookup>`), or those `flow list` returns for the same filters. */
export interface TaskScope {
  flow?: string;
  flows?: Omit<FlowFilter, 'statuses'>;
  /** How many flows (not tasks) to read, as `flow list --limit`; default 50. */
  limit?: number;
}

export interface TaskFilter extends TaskScope {
  statuses?: TaskStatus[];
}

export interface TaskList {
  count: number;
  tasks: TaskRecord[];
}

const DEFAULT_FLOWS = 50;
/** How many snapshots (describe + query) run at once. */
const CONCURRENCY = 8;

export class TaskNotFoundError extends FlowError {
  constructor(taskId: string, scope: string) {
    super('not_found', `Task not found: ${taskId}${scope}. Run taskflow tasks list to see recent task ids.`, { taskId });
  }
}

export class AmbiguousTaskError extends FlowError {
  constructor(taskId: string, matches: string[]) {
    super('ambiguous_lookup', `Task ${taskId} is in several flows: ${matches.join(', ')}. Pass --flow <lookup> to choose one.`, {
      taskId,
      matches,
    });
  }
}


/** The full records of the flows a task read covers: one flow by lookup, or the listed ones that have tasks. */
async function flowsWithTasks(session: FlowSession, scope: TaskScope): Promise<FlowRecord[]> {
  if (scope.flow !== undefined) return [(await showFlow(session, scope.flow)).flow];
  const { flows } = await listFlows(session, scope.flows ?? {}, scope.limit ?? DEFAULT_FLOWS, {});
  const candidates = flows.filter((f) => f.taskSummary.total > 0);
  const records = await mapLimited(candidates, CONCURRENCY, (f) =>
    session.snapshot(f.flowId).then(
      (s) => s.flow,
      // A flow removed since it was listed (retention) simply has no tasks to show.
      (err) => (err instanceof FlowError && err.type === 'not_found' ? null : Promise.reject(err)),
    ),
  );
  return records.filter((f): f is FlowRecord => f !== null);
}

/** Tasks of the flows `flow list` would show (or of one flow), in list order, filtered by status. */
export async function listTasks(session: FlowSession, filter: TaskFilter = {}): Promise<TaskList> {
  const flows = await flowsWithTasks(session, filter);
  const statuses = filter.statuses?.length ? new Set<TaskStatus>(filter.statuses) : null;
  const tasks = flows.flatMap((f) => f.tasks).filter((t) => !statuses || statuses.has(t.status));
  return { count: tasks.length, tasks };
}

/** One task by id, in one flow or among the recent flows; several flows holding that id is ambiguous. */
export async function findTask(session: FlowSession, taskId: string, scope: TaskScope = {}): Promise<TaskRecord> {
  const flows = await flowsWithTasks(session, scope);
  const found = flows.flatMap((f) => f.tasks.filter((t) => t.taskId === taskId));
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw new AmbiguousTaskError(taskId, [...new Set(found.map((t) => t.flowId))]);
  throw new TaskNotFoundError(taskId, scope.flow !== undefined ? ` in flow ${flows[0]?.flowId ?? scope.flow}` : '');
}
