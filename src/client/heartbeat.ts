import type { temporal } from '@temporalio/proto';

type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;
type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;

/** Silence after which a running task's heartbeat counts as late, unless half its heartbeat timeout is sooner. */
export const LATE_HEARTBEAT_MS = 3_000;

export interface LateHeartbeat {
  /** When the server last heard from the task (its last heartbeat, else its start). */
  lastHeardAt: string;
  silentForMs: number;
  /** The task's heartbeat timeout, when the server reports it: past it, the attempt times out. */
  heartbeatTimeoutMs: number | null;
}

/**
 * Whether a started task has gone quiet: the worker heartbeats every running task about once a
 * second, so a longer silence means its worker is gone, stalled, or its code blocks the event loop.
 * Null when the task is not started or was heard from recently.
 */
export function lateHeartbeat(pending: PendingActivity, now: Date = new Date()): LateHeartbeat | null {
  const started = pending.state === 2 /* STARTED */ || pending.state === 3; /* CANCEL_REQUESTED */
  const lastHeard = millisOf(pending.lastHeartbeatTime) ?? millisOf(pending.lastStartedTime);
  if (!started || lastHeard === null) return null;
  const heartbeatTimeoutMs = durationMillis(pending.activityOptions?.heartbeatTimeout);
  const lateAfter = heartbeatTimeoutMs ? Math.min(LATE_HEARTBEAT_MS, heartbeatTimeoutMs / 2) : LATE_HEARTBEAT_MS;
  const silentForMs = now.getTime() - lastHeard;
  if (silentForMs <= lateAfter) return null;
  return { lastHeardAt: new Date(lastHeard).toISOString(), silentForMs, heartbeatTimeoutMs };
}

function millisOf(t: Timestamp): number | null {
  if (!t || t.seconds == null) return null;
  return Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

function durationMillis(d: Timestamp): number | null {
  const ms = millisOf(d);
  return ms ? ms : null;
}
