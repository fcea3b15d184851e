import { z } from 'zod';

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
} as const;

const expectedRevision = z.number().int().min(0).optional();

/** `wait` names the open wait to answer; needed only when several are open. */
export const ResumeRequest = z.object({ expectedRevision, data: z.unknown().optional(), wait: z.string().min(1).optional() });
export type ResumeRequest = z.infer<typeof ResumeRequest>;

export const PatchStateRequest = z.object({ expectedRevision, patch: z.record(z.string(), z.unknown()) });
export type PatchStateRequest = z.infer<typeof PatchStateRequest>;

export const CancelRequest = z.object({ expectedRevision, reason: z.string().nullable().optional(), force: z.boolean().optional() });
export type CancelRequest = z.infer<typeof CancelRequest>;

/** What every write answers: the record after it, and whether it changed anything (spec §9). */
export interface WriteResult<R = unknown> {
  applied: boolean;
  reason?: string;
  flow: R;
}
