/**
 * What an activity returns to end its task `succeeded` with terminal outcome `blocked`: the work
 * ran, but needs follow-up before the flow can go on.
 */
export interface BlockedOutcome {
  taskflowOutcome: 'blocked';
  summary: string;
}

export function isBlockedOutcome(value: unknown): value is BlockedOutcome {
  return typeof value === 'object' && value !== null && (value as Partial<BlockedOutcome>).taskflowOutcome === 'blocked';
}

/** The progress summary a task's heartbeat carries (see `progress()` in src/task), if any. */
export function progressOf(heartbeatDetails: unknown): string | null {
  if (heartbeatDetails && typeof heartbeatDetails === 'object' && 'progress' in heartbeatDetails) {
    return String((heartbeatDetails as { progress: unknown }).progress);
  }
  return null;
}
