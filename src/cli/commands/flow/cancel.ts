import { Command, Option } from 'clipanion';
import type { CancelOptions, CancelResult, FlowClient } from '../../../client';
import { isTerminalFlow } from '../../../model/status';
import {
  describeFilters,
  expectRevisionOption,
  flowPaths,
  parseFlowFilter,
  parseRevision,
  parseRps,
  reasonOption,
  requestIdOption,
  FlowFilterCommand,
  usage,
} from '../../options';
import type { Rendered } from '../../render/output';
import { withSpinner } from '../../render/spinner';
import { sanitize } from '../../render/text';
import { isStillActive, stillActiveLines, type StillActiveDetails } from '../../render/writes';
import { cancelledChildLines } from '../../render/children';

export class FlowCancelCommand extends FlowFilterCommand {
  static override paths = flowPaths('cancel');

  static override usage = Command.Usage({
    description: 'Cancel a flow and its active tasks',
    details: `
      Records the cancel intent (\`cancelRequestedAt\`, \`--reason\`), cancels every active task and, unless
      \`--no-wait\`, waits for them to stop (up to \`flowDefaults.cancelGracePeriod\`). Success prints
      \`Cancelled <flowId> (<syncMode>) with status <status>.\`

      A task that does not stop in time keeps the flow open with the intent recorded: the command
      names it, prints \`One or more child tasks are still active.\` and exits 1; the flow ends
      cancelled when its last task ends. A mirrored flow's tasks are stopped by the external system;
      \`--force\` ends such a flow now, recording the tasks it could not stop as \`lost\`.

      Cancelling a flow that has ended prints \`Flow is already <status>.\` and exits 1.

      A flow with child flows cancels its open children first (each ends cancelled, its tasks recording
      their real outcome), then itself; one line per child says what it ended as.

      Without \`<lookup>\`, the filters of \`flow list\` (\`--status\`, \`--type\`, \`--mode\`, \`--lookup-key\`,
      \`--since\`, \`--parent\`, \`--roots\`) select the open flows to cancel, each as above; at least one
      filter is required. \`--dry-run\` prints how many match and the first 20, changing nothing;
      otherwise \`--yes\` is required. \`--rps\` bounds how many cancels start per second (default 20).
      It prints a line per flow and a summary, and exits 1 if any flow could not be cancelled or kept
      tasks active.

      With \`--json\`: \`{ok, applied, flow, message, stillActive, abandoned, children: [{flowId, status}]}\`;
      for a bulk cancel \`{ok, dryRun, matched, flows: [{flowId, status, stillActive, error}]}\`.
    `,
    examples: [
      ['Cancel a flow', '$0 flow cancel export:users --reason "wrong table"'],
      ['Record the intent and return at once', '$0 flow cancel greeting-1a2b3c4d --no-wait'],
      ['End a mirrored flow whose external tasks will not stop', '$0 flow cancel job-17 --force'],
      ['See which open flows a bulk cancel would select', '$0 flow cancel --lookup-key nightly --dry-run'],
      ['Cancel every waiting flow of a type', '$0 flow cancel --type documentApproval --status waiting --yes'],
    ],
  });

  lookup = Option.String({ name: 'lookup', required: false });
  reason = reasonOption();
  noWait = Option.Boolean('--no-wait', false, { description: 'Record the intent and cancel the tasks, but do not wait for them to stop' });
  force = Option.Boolean('--force', false, { description: 'End the flow now, recording tasks that did not stop as lost' });
  expectRevision = expectRevisionOption();
  requestId = requestIdOption();
  status = Option.String('--status', { description: 'Bulk: only flows in these statuses (comma-separated)' });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Bulk: print how many flows match and the first 20; change nothing' });
  yes = Option.Boolean('--yes', false, { description: 'Bulk: cancel every open flow the filters select' });
  rps = Option.String('--rps', { description: 'Bulk: at most this many cancels per second (default 20)' });

  async run(): Promise<Rendered | number> {
    if (this.lookup === undefined) return this.cancelMatching();
    if (describeFilters(this).length > 0 || this.dryRun || this.rps !== undefined) {
      throw usage('flow cancel takes a <lookup> or filters (a bulk cancel), not both; drop the <lookup> to cancel every open flow the filters select.');
    }
    const lookup = this.lookup;
    const options: CancelOptions = {
      reason: this.reason,
      wait: !this.noWait,
      expectedRevision: parseRevision(this.expectRevision),
      requestId: this.requestId,
      ...(this.force ? { force: true } : {}),
    };
    return this.withClient(async (client) => {
      const stderr = this.context.stderr as NodeJS.WriteStream;
      const spin = options.wait && !this.json && stderr.isTTY === true;
      try {
        const cancelling = client.cancel(lookup, options);
        const result = spin ? await withSpinner(stderr, `Cancelling ${sanitize(lookup)}…`, cancelling) : await cancelling;
        return renderCancelled(result);
      } catch (err) {
        if (this.json || !isStillActive(err)) throw err;
        return this.stillActive(err);
      }
    });
  }

  /** Bulk cancel (spec §13): every open flow the filters select, through FlowClient.cancelMatching. */
  private async cancelMatching(): Promise<Rendered> {
    const filter = parseFlowFilter(this);
    const rps = parseRps(this.rps);
    if (describeFilters(this).length === 0) {
      throw usage('flow cancel needs a <lookup>, or filters (--status, --type, --mode, --lookup-key, --since, --parent, --roots) selecting the open flows to cancel; it never cancels every flow.');
    }
    if (this.expectRevision !== undefined) throw usage('--expect-revision names one flow\'s revision; give a <lookup> with it, not filters.');
    if (!this.dryRun && !this.yes) {
      throw usage('A bulk cancel needs --yes to cancel every open flow these filters select; add --yes, or --dry-run to see first how many match.');
    }
    const wait = !this.noWait;
    return this.withClient(async (client: FlowClient) => {
      const { bulkOutcomeLine, renderBulkCancel } = await import('../../render/bulk-cancel');
      const stdout = this.context.stdout;
      const stderr = this.context.stderr as NodeJS.WriteStream;
      // Progress: a line per flow in text; with --json, a counter on a terminal's stderr.
      const counter = this.json && stderr.isTTY === true;
      const result = await client.cancelMatching(filter, {
        dryRun: this.dryRun,
        rps,
        reason: this.reason,
        wait,
        ...(this.force ? { force: true } : {}),
        onOutcome: (outcome, { done, matched }) => {
          if (!this.json) stdout.write(`${bulkOutcomeLine(outcome, { wait })}\n`);
          else if (counter) stderr.write(`\rCancelled ${done} of ${matched}…\u001b[K`);
        },
      });
      if (counter && !this.dryRun && result.matched > 0) stderr.write('\r\u001b[K');
      return renderBulkCancel(result, { wait });
    });
  }

  /** The still-active outcome in text: the exact sentence, then which tasks and what happens next. */
  private stillActive(err: Error & { details: StillActiveDetails }): number {
    const next =
      err.details.flow?.syncMode === 'mirrored'
        ? 'The cancel intent is recorded; the flow ends cancelled when their last reports arrive, or now with --force (recording them lost).'
        : 'The cancel intent is recorded; the flow ends cancelled when they stop.';
    this.context.stderr.write(`${stillActiveLines(err.message, err.details, next).join('\n')}\n`);
    return 1;
  }
}

/** The cancel sentence of spec §5; a repeated cancel answers as the first did, applied or not. */
function renderCancelled(outcome: CancelResult): Rendered {
  const { applied, reason, flow, message, stillActive, abandoned, children } = outcome;
  const text = [sanitize(message), ...cancelledChildLines(children)];
  if (!isTerminalFlow(flow)) {
    text.push(`The cancel intent is recorded; the flow ends cancelled once its tasks stop (follow it with taskflow flow show ${sanitize(flow.flowId)} --watch).`);
  }
  if (abandoned.length > 0) text.push(`Recorded lost (the external system was not told): ${abandoned.map(sanitize).join(', ')}.`);
  return { json: { ok: true, applied, ...(reason !== undefined ? { reason } : {}), flow, message, stillActive, abandoned, children }, text };
}
