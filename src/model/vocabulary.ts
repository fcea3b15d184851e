/**
 * The status and mode names of spec §2 as plain lists, without zod: the command line parses its
 * options from these before it loads anything else (records.ts builds its schemas on them).
 */

export const FLOW_STATUSES = ['queued', 'running', 'waiting', 'blocked', 'succeeded', 'failed', 'cancelled', 'lost'] as const;
export type FlowStatus = (typeof FLOW_STATUSES)[number];

export const TASK_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'lost'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const SYNC_MODES = ['managed', 'mirrored'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

export const TERMINAL_OUTCOMES = ['succeeded', 'blocked'] as const;
export type TerminalOutcome = (typeof TERMINAL_OUTCOMES)[number];
