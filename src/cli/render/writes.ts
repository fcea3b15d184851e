import type { FlowRecord } from '../../model/records';
import type { WriteResult } from '../../model/messages';
import type { Rendered } from './output';
import { sanitize } from './text';

/** What FlowClient's writes answer (spec §9): the record after the write, and whether it changed anything. */
export type WriteOutcome = WriteResult<FlowRecord>;

/**
 * A successful write: `{ok: true, applied, reason?, flow, …extra}` as JSON; as text, the sentence
 * when it applied, or why nothing changed (a no-op is still a success, exit 0).
 */
export function renderWrite(outcome: WriteOutcome, sentence: string, extra: Record<string, unknown> = {}): Rendered {
  const { applied, reason, flow } = outcome;
  const text = applied
    ? [sanitize(sentence)]
    : [`Nothing changed on ${sanitize(flow.flowId)}${reason ? ` (${sanitize(reason)})` : ''}; it is ${flow.status} at revision ${flow.revision}.`];
  return { json: { ok: true, applied, ...(reason !== undefined ? { reason } : {}), flow, ...extra }, text };
}

export interface StillActiveDetails {
  stillActive: string[];
  flow?: FlowRecord;
}

/** `One or more child tasks are still active.` followed by which ones and what happens next. */
export function stillActiveLines(message: string, details: StillActiveDetails, next: string): string[] {
  const tasks = details.flow?.tasks ?? [];
  const named = details.stillActive.map((id) => {
    const task = tasks.find((t) => t.taskId === id);
    return task ? `${sanitize(id)} (${task.status}${task.name !== id ? `, ${sanitize(task.name)}` : ''})` : sanitize(id);
  });
  return [message, `Still active: ${named.join(', ') || 'none listed'}.`, next];
}

export function isStillActive(err: unknown): err is Error & { type: 'tasks_still_active'; details: StillActiveDetails } {
  return (err as { type?: unknown })?.type === 'tasks_still_active' && Array.isArray((err as { details?: StillActiveDetails }).details?.stillActive);
}
