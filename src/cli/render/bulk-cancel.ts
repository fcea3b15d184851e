import type { BulkCancelOutcome, BulkCancelResult } from '../../client';
import { isTerminalFlow } from '../../model/status';
import type { Rendered } from './output';
import { sanitize } from './text';

/** One flow's outcome in a bulk cancel, as one line (printed as each settles). */
export function bulkOutcomeLine(outcome: BulkCancelOutcome, options: { wait: boolean }): string {
  const id = sanitize(outcome.flowId);
  const tasks = outcome.stillActive.map(sanitize).join(', ');
  if (outcome.error) return `${id}: ${outcome.status}; ${sanitize(outcome.error.message)}${tasks ? ` Still active: ${tasks}.` : ''}`;
  if (outcome.status === 'cancelled') return `${id}: cancelled`;
  // A cancel that waited and did not fail ended the flow: one not cancelled had ended on its own.
  if (options.wait || isTerminalFlow({ status: outcome.status, endedAt: null })) return `${id}: already ${outcome.status} (ended before its cancel)`;
  return `${id}: ${outcome.status}, cancel requested${tasks ? `; tasks still stopping: ${tasks}` : ''}`;
}

/**
 * The answer of a bulk cancel: the JSON of spec §13, and as text (after the per-flow lines) a
 * summary; a dry run lists the first matches instead. Exit 1 when any flow was not cancelled cleanly.
 */
export function renderBulkCancel(result: BulkCancelResult, options: { wait: boolean }): Rendered {
  const { matched, flows, dryRun } = result;
  const text: string[] = [];
  if (dryRun) {
    text.push(`${matched} open flow${matched === 1 ? '' : 's'} match; nothing was cancelled (dry run).`);
    if (flows.length > 0) {
      const width = Math.max(...flows.map((f) => sanitize(f.flowId).length));
      text.push(...flows.map((f) => `  ${sanitize(f.flowId).padEnd(width)}  ${f.status}`));
      if (matched > flows.length) text.push(`  … and ${matched - flows.length} more.`);
      text.push('Run it again with --yes instead of --dry-run to cancel them.');
    }
  } else if (matched === 0) {
    text.push('No open flows match these filters; nothing to cancel.');
  } else {
    const failed = flows.filter((f) => f.error !== null).length;
    const done = options.wait ? 'cancelled' : 'had their cancel recorded (not waiting for their tasks: --no-wait)';
    text.push(`${flows.length - failed} of ${matched} matching flows ${done}${failed > 0 ? `; ${failed} could not be cancelled or kept tasks active (see above).` : '.'}`);
  }
  return { json: result, text, exitCode: result.ok ? 0 : 1 };
}
