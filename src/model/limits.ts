/**
 * The most one write (its data, or the state it leaves) may carry. Temporal refuses payloads over
 * 2 MB by default, and a write over it would fail the flow's workflow task instead of being refused.
 */
export const MAX_WRITE_BYTES = 1024 * 1024;

/** The most task records one flow holds (spec §12); the next task is refused with `task_limit`. */
export const MAX_TASKS_PER_FLOW = 10_000;

export function taskLimitMessage(flowId: string): string {
  return `Flow ${flowId} already holds 10,000 tasks, the most one flow may hold; split the work into child flows.`;
}

/**
 * The most tasks (activities) one managed flow keeps scheduled at once; further calls wait for a
 * free slot. Temporal fails a workflow task that would leave more than 2,000 activities pending,
 * and a workflow task that schedules too many at once risks its 10 s timeout on a busy worker.
 */
export const MAX_PENDING_TASKS = 500;

/** One sentence when `value` is too large to write, else null. */
export function oversizeMessage(what: string, value: unknown): string | null {
  const bytes = utf8Length(JSON.stringify(value ?? null) ?? '');
  if (bytes <= MAX_WRITE_BYTES) return null;
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${what} is ${mb(bytes)}; a flow write may carry at most ${mb(MAX_WRITE_BYTES)}. Keep large data outside the flow and pass a reference to it.`;
}

/** UTF-8 length without Buffer or TextEncoder, which workflow code may not have. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
