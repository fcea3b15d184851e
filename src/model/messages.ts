import { z } from 'zod';
import type { FlowStatus, TaskRecord } from './records';

/**
 * Names and payloads of the Temporal messages every flow answers. Any Temporal SDK can send them:
 * they are plain JSON payloads under these names.
 */
export const MESSAGES = {
  /** Query → FlowRecord. */
  record: 'flowRecord',
  /** Update (managed): resume a waiting or blocked flow. */
  resume: 'resume',
  /** Update (both): shallow-merge a patch into the flow state. */
  patchState: 'patchState',
  /** Update (both): record the cancel intent and cancel the active tasks. */
  cancel: 'cancel',
  /** Update (mirrored): record one task report. */
  report: 'report',
  /** Signal (mirrored): the same report, fire-and-forget. */
  reportSignal: 'reportSignal',
  /** Update (mirrored): end an open flow with the status its tasks derive. */
  finish: 'finish',
  /** Update (mirrored): end the flow failed. */
  fail: 'fail',
  /** Signal (managed): sent by `flow retry` with the reset, so the new run continues the old one's revisions. */
  retried: 'retried',
} as const;

const expectedRevision = z.number().int().min(0).optional();

/** `wait` names the open wait to answer; needed only when several are open. */
export const ResumeRequest = z.object({ expectedRevision, data: z.unknown().optional(), wait: z.string().min(1).optional() });
export type ResumeRequest = z.infer<typeof ResumeRequest>;

export const PatchStateRequest = z.object({ expectedRevision, patch: z.record(z.string(), z.unknown()) });
export type PatchStateRequest = z.infer<typeof PatchStateRequest>;

export const CancelRequest = z.object({ expectedRevision, reason: z.string().nullable().optional(), force: z.boolean().optional() });
export type CancelRequest = z.infer<typeof CancelRequest>;

/**
 * What `flow retry` tells the run it starts with a reset: that run's id, the run it retries, why,
 * that run's last revision, the attempts its re-run tasks had and when its kept tasks ended, by task id.
 */
export const RetriedSignal = z.object({
  forRunId: z.string().min(1),
  fromRunId: z.string().min(1),
  reason: z.string().nullable(),
  lastRevision: z.number().int().min(0),
  attempts: z.record(z.string(), z.number().int().min(0)),
  /** Tasks that ended before the reset point, whose end the new run records again: when they really ended. */
  ended: z.record(z.string(), z.object({ endedAt: z.string().nullable(), lastEventAt: z.string().nullable() })).default({}),
});
export type RetriedSignal = z.infer<typeof RetriedSignal>;

/** What FlowClient's writes answer (spec §9): whether the write changed anything, and the record after it. */
export interface WriteResult<R = unknown> {
  applied: boolean;
  reason?: string;
  /** The revision the write made (applied) or found (a no-op); `flow` may already be later. */
  revision?: number;
  flow: R;
}

/**
 * What a write update itself answers, and so what it adds to history: whether it applied and where
 * the flow stands, never the record (which would grow history with every task). The client reads
 * the record after the write when its caller wants it.
 */
export interface WriteAck {
  applied: boolean;
  reason?: string;
  revision: number;
  status: FlowStatus;
  /** A report: the task it wrote, as it stands after the report. */
  task?: TaskRecord | null;
  /** A cancel: the tasks still active, and those a forced cancel recorded lost. */
  stillActive?: string[];
  abandoned?: string[];
}

/** In a query failure's message: the run is a retry whose revision is not yet known; ask again shortly. */
export const RETRY_PENDING = 'retry_pending';

/** Which tasks one `flowRecord` query answers with: a page, by position and size. */
export const RecordPageRequest = z
  .object({
    taskOffset: z.number().int().min(0).optional(),
    taskLimit: z.number().int().min(0).optional(),
    /** At most this many bytes of task JSON (default under 512 KB, where Temporal starts warning). */
    maxTaskBytes: z.number().int().min(1).optional(),
    /** Only the tasks changed after this revision (a reader catching up after reading page by page). */
    changedSince: z.number().int().min(0).optional(),
    /** The whole record at once, deflated and base64-encoded (`PackedRecord`), when it packs small enough. */
    packed: z.boolean().optional(),
    /** Answer even while a retried run waits for `flow retry`'s signal (its revision may then be behind). */
    evenIfRetrying: z.boolean().optional(),
  })
  .optional();
export type RecordPageRequest = z.infer<typeof RecordPageRequest>;

/** Where a page of tasks stands in the whole list. */
export interface TaskPage {
  offset: number;
  count: number;
  total: number;
  /** False when more tasks follow: ask again from `offset + count`. */
  complete: boolean;
  /** Set when the page holds only the tasks changed after this revision. */
  changedSince?: number;
}

/** The `flowRecord` query's answer: the record with one page of its tasks (all of them when they fit). */
export type RecordPage<R = unknown> = R & { taskPage: TaskPage };

/** The `flowRecord` query's answer to `{packed: true}`: the whole record in one payload. */
export interface PackedRecord {
  packedRecord: string;
  revision: number;
}
