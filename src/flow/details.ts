import type { FlowRecord } from '../model/records';

/** The Web UI's "current details" for a flow, in Markdown: where it stands, in a few lines. */
export function describeForUi(record: FlowRecord): string {
  const lines = [`**${record.status}** · revision ${record.revision} · ${record.syncMode} flow`];
  if (record.currentStep) lines.push(`Step: ${record.currentStep}`);
  if (record.wait) lines.push(`Waiting for: ${waitLabel(record.wait)}`);
  if (record.blocked) lines.push(`Blocked by ${record.blocked.taskId ?? 'a task'}: ${record.blocked.summary ?? 'needs follow-up'}`);
  if (record.cancelRequestedAt) lines.push(`Cancel requested at ${record.cancelRequestedAt}${record.cancelReason ? `: ${record.cancelReason}` : ''}`);
  const s = record.taskSummary;
  lines.push(`Tasks: ${s.active} active / ${s.total} total${s.failures > 0 ? ` · ${s.failures} failed` : ''}`);
  const active = record.tasks.filter((t) => t.status === 'queued' || t.status === 'running').slice(0, 5);
  for (const task of active) lines.push(`- ${task.name} (${task.status})${task.progressSummary ? `: ${task.progressSummary}` : ''}`);
  if (record.error) lines.push(`Error: ${record.error}`);
  return lines.join('\n\n');
}

export function waitLabel(wait: unknown): string {
  if (wait && typeof wait === 'object' && 'for' in wait) return String((wait as { for: unknown }).for);
  return JSON.stringify(wait);
}
