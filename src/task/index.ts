import { Context } from '@temporalio/activity';
import type { BlockedOutcome } from '../model/outcome';

export type { BlockedOutcome } from '../model/outcome';

/** Helpers for activities that run as tasks of a flow. */

/**
 * Reports progress: a heartbeat whose summary `flow show` displays. Between calls the worker keeps
 * heartbeating the task with these same details (`worker.autoHeartbeat`), which is also how the
 * task learns that its flow was cancelled.
 */
export function progress(summary: string, details: Record<string, unknown> = {}): void {
  Context.current().heartbeat({ ...details, progress: summary });
}

/** Ends the task `succeeded` with outcome `blocked`: the flow waits for a resume, then runs it again. */
export function blocked(summary: string): BlockedOutcome {
  return { taskflowOutcome: 'blocked', summary };
}

/** Sleeps while heartbeating, so a cancellation reaches the task promptly; rejects when cancelled. */
export async function workFor(ms: number, summary?: string): Promise<void> {
  const context = Context.current();
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    context.heartbeat(summary ? { progress: summary } : undefined);
    await context.sleep(Math.min(250, deadline - Date.now()));
  }
}
