import { Command, Option } from 'clipanion';
import type { CancelOptions, CancelResult } from '../../../client';
import { isTerminalFlow } from '../../../model/status';
import { expectRevisionOption, flowPaths, lookupArgument, parseRevision, reasonOption, requestIdOption, TaskFlowCommand } from '../../options';
import type { Rendered } from '../../render/output';
import { withSpinner } from '../../render/spinner';
import { sanitize } from '../../render/text';
import { isStillActive, stillActiveLines, type StillActiveDetails } from '../../render/writes';
import { cancelledChildLines } from '../../render/children';

export class FlowCancelCommand extends TaskFlowCommand {
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

      With \`--json\`: \`{ok, applied, flow, message, stillActive, abandoned, children: [{flowId, status}]}\`.
    `,
    examples: [
      ['Cancel a flow', '$0 flow cancel export:users --reason "wrong table"'],
      ['Record the intent and return at once', '$0 flow cancel greeting-1a2b3c4d --no-wait'],
      ['End a mirrored flow whose external tasks will not stop', '$0 flow cancel job-17 --force'],
    ],
  });

  lookup = lookupArgument();
  reason = reasonOption();
  noWait = Option.Boolean('--no-wait', false, { description: 'Record the intent and cancel the tasks, but do not wait for them to stop' });
  force = Option.Boolean('--force', false, { description: 'End the flow now, recording tasks that did not stop as lost' });
  expectRevision = expectRevisionOption();
  requestId = requestIdOption();

  async run(): Promise<Rendered | number> {
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
        const cancelling = client.cancel(this.lookup, options);
        const result = spin ? await withSpinner(stderr, `Cancelling ${sanitize(this.lookup)}…`, cancelling) : await cancelling;
        return renderCancelled(result);
      } catch (err) {
        if (this.json || !isStillActive(err)) throw err;
        return this.stillActive(err);
      }
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
