import { z } from 'zod';
import { DURATION_EXPECTED, isDuration } from '../config/duration';
import type { WriteAck } from './messages';
import { FlowStatus, TaskStatus, TerminalOutcome, type BlockedInfo, type FlowRecord, type TaskRecord } from './records';
import { countTasks, deriveFlowStatusFromCounts, isTerminalTask, summaryOfCounts, type TaskCounts } from './status';

/** The workflow type behind every mirrored flow (src/flow/mirrored.ts). */
export const MIRRORED_WORKFLOW_TYPE = 'mirroredFlow';

/** Message names only mirrored flows answer, beside the shared ones of MESSAGES. */
export const MIRRORED_MESSAGES = {
  /** Update (mirrored): set the flow's goal and/or current step. */
  describeFlow: 'describeFlow',
} as const;

const text = z.string().min(1);
// JSON producers often send null for "not given"; it keeps the current value like an absent key.
const keep = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

const reportShape = {
  taskId: text,
  status: TaskStatus,
  externalId: keep(text),
  kind: keep(text),
  name: keep(text),
  /** Sets progressSummary for an active status, terminalSummary for a terminal one. */
  summary: keep(z.string()),
  progressSummary: keep(z.string()),
  terminalSummary: keep(z.string()),
  terminalOutcome: keep(TerminalOutcome),
  error: keep(z.string()),
  /** The producer's id for this event: a repeated one changes nothing, whatever its payload. */
  eventId: keep(text),
  /** When the event happened at the source (default: when the flow receives it). */
  occurredAt: keep(z.iso.datetime({ offset: true, message: 'must be an ISO-8601 time such as 2026-05-01T12:00:00Z' })),
  /** Mark the task lost when no report for it arrives within this long, e.g. "10m". */
  lease: keep(z.string().refine(isDuration, { message: `must be ${DURATION_EXPECTED}` })),
};

const outcomeNeedsSuccess = (report: { status: TaskStatus; terminalOutcome?: TerminalOutcome }, ctx: z.RefinementCtx) => {
  if (report.terminalOutcome && report.status !== 'succeeded') {
    ctx.addIssue({ code: 'custom', path: ['terminalOutcome'], message: 'is only meaningful with status succeeded' });
  }
};

/** One update of an external task, as a producer reports it (spec §10). */
export const TaskReport = z.object(reportShape).superRefine(outcomeNeedsSuccess);
export type TaskReport = z.output<typeof TaskReport>;
export type TaskReportInput = z.input<typeof TaskReport>;

const expectedRevision = z.number().int().min(0).optional();

/** Payload of the `report` update: the report itself plus an optional expected revision. */
export const ReportRequest = z.object({ ...reportShape, expectedRevision }).superRefine(outcomeNeedsSuccess);
export type ReportRequest = z.input<typeof ReportRequest>;

/** How a mirrored flow is created by its first report (`--create`). */
export const MirroredCreate = z.object({
  lookupKey: keep(text),
  /** Default: the first task's name, else its kind, else its id. */
  goal: keep(text),
  /** End the flow once all its tasks are terminal (default); off keeps it open until finish or fail. */
  autoComplete: z.boolean().default(true),
  flowType: keep(text),
  /** Activity type the worker registers; told which tasks to stop when the flow is cancelled. */
  cancelHook: keep(text),
  /** Continue-as-new after this many history events even if Temporal does not suggest it yet. */
  continueAsNewAfterEvents: z.number().int().min(100).optional(),
});
export type MirroredCreate = z.output<typeof MirroredCreate>;
export type MirroredCreateInput = z.input<typeof MirroredCreate>;

export const FinishRequest = z.object({ expectedRevision, result: z.unknown().optional() });
export type FinishRequest = z.input<typeof FinishRequest>;

export const FailRequest = z.object({ expectedRevision, error: text });
export type FailRequest = z.input<typeof FailRequest>;

export const DescribeFlowRequest = z.object({ expectedRevision, goal: keep(text), currentStep: z.string().nullable().optional() });
export type DescribeFlowRequest = z.input<typeof DescribeFlowRequest>;

/** What the cancel hook activity receives and answers. */
export interface CancelHookInput {
  flowId: string;
  tasks: TaskRecord[];
  reason: string | null;
}
export interface CancelHookResult {
  /** The task ids the external system confirmed stopped. */
  cancelled: string[];
}

/** What the `cancel` update of a mirrored flow answers (spec §9): the tasks left running, and those a force abandoned. */
export interface MirroredCancelAck extends WriteAck {
  stillActive: string[];
  abandoned: string[];
}

/** Terminal summaries the flow itself writes on tasks the external system did not report ending. */
export const TASK_SUMMARIES = {
  abandoned: 'abandoned by forced cancel; the external system was not told',
  cancelledByHook: 'cancelled through the cancel hook',
  leaseExpired: (lease: string) => `no report within lease ${lease}`,
  flowFailed: (error: string) => `still active when the flow failed: ${error}`,
} as const;

export const NOOP_REASONS = ['duplicate_event', 'stale', 'terminal_task', 'cancelled_task', 'identical'] as const;
export type ReportNoop = (typeof NOOP_REASONS)[number];

export type ReportPlan = { apply: Partial<TaskRecord> } | { noop: ReportNoop };

export interface ReportContext {
  /** The report's event id was already applied to this flow. */
  seenEvent: boolean;
  flowId: string;
  /** When the flow received the report (its `occurredAt` default). */
  receivedAt: string;
}

/** The fields whose change makes a report more than an identical re-sync (spec §2). */
const CONTENT_FIELDS = ['status', 'progressSummary', 'terminalSummary', 'terminalOutcome', 'error', 'kind', 'name', 'externalId'] as const;

/**
 * The task report rules of spec §2/§10: what one report changes in its task, or which rule makes
 * it a no-op. Pure; the flow applies the patch as one revision.
 */
export function planTaskReport(current: TaskRecord | undefined, report: TaskReport, context: ReportContext): ReportPlan {
  if (context.seenEvent) return { noop: 'duplicate_event' };
  const occurredAt = new Date(report.occurredAt ?? context.receivedAt).toISOString();
  const terminal = isTerminalTask(report.status);
  const progressSummary = report.progressSummary ?? (terminal ? undefined : report.summary);
  const terminalSummary = report.terminalSummary ?? (terminal ? report.summary : undefined);

  if (!current) {
    return {
      apply: {
        taskId: report.taskId,
        flowId: context.flowId,
        name: report.name ?? report.taskId,
        kind: report.kind ?? 'external',
        externalId: report.externalId ?? null,
        status: report.status,
        attempt: 1,
        progressSummary: progressSummary ?? null,
        terminalSummary: terminalSummary ?? null,
        terminalOutcome: report.status === 'succeeded' ? (report.terminalOutcome ?? 'succeeded') : null,
        error: report.error ?? null,
        createdAt: occurredAt,
        startedAt: report.status === 'running' || terminal ? occurredAt : null,
        endedAt: terminal ? occurredAt : null,
        lastEventAt: occurredAt,
        childFlowId: null,
      } satisfies TaskRecord,
    };
  }

  if (current.lastEventAt && Date.parse(occurredAt) < Date.parse(current.lastEventAt)) return { noop: 'stale' };
  if (current.status !== report.status) {
    if (current.status === 'cancelled') return { noop: 'cancelled_task' };
    if (isTerminalTask(current.status)) return { noop: 'terminal_task' };
  }

  const next: Pick<TaskRecord, (typeof CONTENT_FIELDS)[number]> = {
    status: report.status,
    progressSummary: progressSummary ?? current.progressSummary,
    terminalSummary: terminalSummary ?? current.terminalSummary,
    terminalOutcome: report.status === 'succeeded' ? (report.terminalOutcome ?? current.terminalOutcome ?? 'succeeded') : null,
    error: report.error ?? current.error,
    kind: report.kind ?? current.kind,
    name: report.name ?? current.name,
    externalId: report.externalId ?? current.externalId,
  };
  const changed = CONTENT_FIELDS.filter((field) => next[field] !== current[field]);
  if (changed.length === 0) return { noop: 'identical' };

  const apply: Partial<TaskRecord> = { lastEventAt: occurredAt };
  for (const field of changed) (apply as Record<string, unknown>)[field] = next[field];
  if (report.status === 'running' && !current.startedAt) apply.startedAt = occurredAt;
  if (terminal && current.status !== report.status) apply.endedAt = occurredAt;
  return { apply };
}

export interface MirroredFlowView {
  status: FlowStatus;
  wait: { for: 'reports' } | null;
  blocked: BlockedInfo | null;
  /** The flow ends now: all its tasks are terminal and auto-complete or a cancel intent says so. */
  ends: boolean;
}

/**
 * A mirrored flow's status as its tasks derive it (`deriveFlowStatusFromCounts`), plus the mirrored
 * rules: with no active task left the flow ends — `cancelled` under a cancel intent, else with the
 * derived status when auto-complete is on and it has tasks — or, while open, waits for reports.
 * `blocked` is left for the caller to name (`blockedTaskOf`): it needs a scan, done once at the end.
 */
export function mirroredFlowView(counts: TaskCounts, options: { autoComplete: boolean; cancelRequested: boolean }): MirroredFlowView {
  const derived = deriveFlowStatusFromCounts(counts);
  if (summaryOfCounts(counts).active > 0) return { status: derived!, wait: null, blocked: null, ends: false };
  if (options.cancelRequested) return { status: 'cancelled', wait: null, blocked: null, ends: true };
  if (derived !== null && options.autoComplete) return { status: derived, wait: null, blocked: null, ends: true };
  return { status: 'waiting', wait: { for: 'reports' }, blocked: null, ends: false };
}

/** The status `finish` ends an open flow with: what its tasks derive, succeeded when it has none. */
export function finishedStatus(counts: TaskCounts): FlowStatus {
  return deriveFlowStatusFromCounts(counts) ?? 'succeeded';
}

/** The task that makes an ended flow `blocked`, for its `blocked` field. */
export function blockedTaskOf(tasks: readonly TaskRecord[]): BlockedInfo | null {
  const task = tasks.find((t) => t.status === 'succeeded' && t.terminalOutcome === 'blocked');
  return task ? { taskId: task.taskId, summary: task.terminalSummary ?? task.progressSummary } : null;
}

/** The same view from a list of tasks (tests, and callers without a keeper). */
export function mirroredFlowViewOf(tasks: readonly TaskRecord[], options: { autoComplete: boolean; cancelRequested: boolean }): MirroredFlowView {
  const view = mirroredFlowView(countTasks(tasks), options);
  return view.status === 'blocked' && view.ends ? { ...view, blocked: blockedTaskOf(tasks) } : view;
}

/** A mirrored flow's default goal: the first task's name, else its kind, else its id. */
export function defaultGoal(report: Pick<TaskReportInput, 'taskId' | 'name' | 'kind'>): string {
  return report.name ?? report.kind ?? report.taskId;
}
