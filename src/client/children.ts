import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { FlowRecord, FlowStatus, ListedTaskSummary, TaskRecord } from '../model/records';
import { FlowError } from './errors';
import { mapLimited } from './map-limited';
import { isNotFound } from './lookup';
import { flowRecordFromExecution } from './visibility';

/**
 * Child flows (spec §12) as the client reads them: a parent's child-flow tasks name its children;
 * each child's status and task counts come from its own execution (describe: exact, not the
 * eventually consistent list), and its own children from its record.
 */

/** One child flow in a parent's tree. */
export interface ChildFlowNode {
  flowId: string;
  /** The parent's task that runs it. */
  taskId: string;
  flowType: string;
  /** The child flow's status; the task's, while the child has not started yet. */
  status: FlowStatus;
  goal: string;
  /** Its task counts; null while it has not started. */
  taskSummary: ListedTaskSummary | null;
  /** Its own children, down to the depth asked for (absent below it). */
  children?: ChildFlowNode[];
}

/** What `childTree` needs of the client: describe a flow, read its whole record. */
export interface ChildReader {
  describe(flowId: string): Promise<WorkflowExecutionDescription>;
  record(flowId: string): Promise<FlowRecord>;
}

/** How many children are read at once. */
const CONCURRENCY = 8;

/** A flow's child-flow tasks, in the order they were started (never the internal `<id>/cancel` helper: it is no task). */
export function childTasksOf(record: Pick<FlowRecord, 'tasks'>): TaskRecord[] {
  return record.tasks.filter((t) => t.childFlowId !== null);
}

/**
 * The tree of a flow's children, `depth` levels deep (1: its children; 2: theirs too…). A child is
 * described once; only a child whose own children are wanted has its record read.
 */
export async function childTree(reader: ChildReader, record: Pick<FlowRecord, 'tasks'>, depth = 1): Promise<ChildFlowNode[]> {
  if (depth < 1) return [];
  return mapLimited(childTasksOf(record), CONCURRENCY, async (task) => {
    const node = await childNode(reader, task);
    if (depth > 1 && node.taskSummary !== null && node.taskSummary.total > 0) {
      node.children = await childTree(reader, await reader.record(node.flowId), depth - 1);
    }
    return node;
  });
}

async function childNode(reader: ChildReader, task: TaskRecord): Promise<ChildFlowNode> {
  const flowId = task.childFlowId!;
  const listed = await reader.describe(flowId).then(flowRecordFromExecution, (err) => (isNotFound(err) || isFlowNotFound(err) ? null : Promise.reject(err)));
  if (!listed) {
    // Not started yet (or refused to start): what the parent's task says of it.
    const status: FlowStatus = task.status === 'timed_out' ? 'failed' : task.status;
    return { flowId, taskId: task.taskId, flowType: task.kind, status, goal: task.name, taskSummary: null };
  }
  return { flowId, taskId: task.taskId, flowType: listed.flowType, status: listed.status, goal: listed.goal, taskSummary: listed.taskSummary };
}

function isFlowNotFound(err: unknown): boolean {
  return err instanceof FlowError && err.type === 'not_found';
}

/** What one child ended as when its parent was cancelled. */
export interface ChildOutcome {
  flowId: string;
  status: FlowStatus;
}

/**
 * The children a cancel reached: those still open when it was asked for (their tasks ended at or
 * after the cancel intent, or have not ended), each with the status its own execution ended with.
 */
export async function cancelledChildren(reader: ChildReader, record: Pick<FlowRecord, 'tasks' | 'cancelRequestedAt'>): Promise<ChildOutcome[]> {
  const since = record.cancelRequestedAt;
  const reached = childTasksOf(record).filter((t) => t.endedAt === null || (since !== null && t.endedAt >= since));
  const nodes = await mapLimited(reached, CONCURRENCY, (task) => childNode(reader, task));
  return nodes.map(({ flowId, status }) => ({ flowId, status }));
}
