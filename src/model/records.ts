import { z } from 'zod';
import { FLOW_STATUSES, SYNC_MODES, TASK_STATUSES, TERMINAL_OUTCOMES } from './vocabulary';

/** Records and statuses of spec §2, defined once and shared by workflows, client, CLI and tests. */

export { FLOW_STATUSES, SYNC_MODES, TASK_STATUSES, TERMINAL_OUTCOMES } from './vocabulary';

export const FlowStatus = z.enum(FLOW_STATUSES);
export type FlowStatus = z.infer<typeof FlowStatus>;

export const TaskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const SyncMode = z.enum(SYNC_MODES);
export type SyncMode = z.infer<typeof SyncMode>;

export const TerminalOutcome = z.enum(TERMINAL_OUTCOMES);
export type TerminalOutcome = z.infer<typeof TerminalOutcome>;

const isoTime = z.string();
export type IsoTime = string;

export const TaskRecord = z.object({
  taskId: z.string().min(1),
  flowId: z.string(),
  name: z.string(),
  kind: z.string(),
  externalId: z.string().nullable(),
  status: TaskStatus,
  attempt: z.number().int(),
  progressSummary: z.string().nullable(),
  terminalSummary: z.string().nullable(),
  terminalOutcome: TerminalOutcome.nullable(),
  error: z.string().nullable(),
  createdAt: isoTime,
  startedAt: isoTime.nullable(),
  endedAt: isoTime.nullable(),
  lastEventAt: isoTime.nullable(),
  /** For a task that is a child flow: that flow's id. */
  childFlowId: z.string().nullable(),
});
export type TaskRecord = z.infer<typeof TaskRecord>;

export const TaskSummary = z.object({
  total: z.number().int(),
  active: z.number().int(),
  terminal: z.number().int(),
  failures: z.number().int(),
  byStatus: z.record(z.string(), z.number().int()),
});
export type TaskSummary = z.infer<typeof TaskSummary>;

export const BlockedInfo = z.object({ taskId: z.string().nullable(), summary: z.string().nullable() });
export type BlockedInfo = z.infer<typeof BlockedInfo>;

export const RetriedFrom = z.object({ runId: z.string(), reason: z.string().nullable() });
export type RetriedFrom = z.infer<typeof RetriedFrom>;

export const FlowRecord = z.object({
  flowId: z.string(),
  runId: z.string(),
  flowType: z.string(),
  syncMode: SyncMode,
  status: FlowStatus,
  revision: z.number().int().min(0),
  lookupKey: z.string().nullable(),
  goal: z.string(),
  currentStep: z.string().nullable(),
  state: z.unknown().nullable(),
  wait: z.unknown().nullable(),
  blocked: BlockedInfo.nullable(),
  cancelRequestedAt: isoTime.nullable(),
  cancelReason: z.string().nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
  endedAt: isoTime.nullable(),
  error: z.string().nullable(),
  result: z.unknown().nullable(),
  tasks: z.array(TaskRecord),
  taskSummary: TaskSummary,
  /** The flow this one is a child flow of; null for a top-level flow. */
  parentFlowId: z.string().nullable(),
  /** The ended run `flow retry` started this run from. */
  retriedFrom: RetriedFrom.nullable(),
});
export type FlowRecord = z.infer<typeof FlowRecord>;

/** A task summary as visibility holds it: the counts, without the per-status breakdown. */
export type ListedTaskSummary = Omit<TaskSummary, 'byStatus'> & Partial<Pick<TaskSummary, 'byStatus'>>;

/**
 * A flow as `flow list --json` returns it (spec §9): every field but `tasks`, from the visibility
 * store; `--tasks` adds the tasks and `taskSummary.byStatus` from the flow's own record.
 */
export type FlowListEntry = Omit<FlowRecord, 'tasks' | 'taskSummary'> & { taskSummary: ListedTaskSummary; tasks?: TaskRecord[] };

/** The fields of a flow a write may change; everything but identity, revision and the derived summary. */
export type FlowFields = Omit<FlowRecord, 'flowId' | 'runId' | 'flowType' | 'syncMode' | 'revision' | 'tasks' | 'taskSummary'>;
