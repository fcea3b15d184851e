import { Command, Option } from 'clipanion';
import { flowPaths, lookupArgument, reasonOption, TaskFlowCommand } from '../../options';
import type { Rendered } from '../../render/output';
import { sanitize } from '../../render/text';

export class FlowRetryCommand extends TaskFlowCommand {
  static override paths = flowPaths('retry');

  static override usage = Command.Usage({
    description: 'Run an ended managed flow again from where it broke, under the same id',
    details: `
      For a managed flow that ended \`failed\`, \`cancelled\`, \`lost\` (terminated) or timed out: starts a new run
      of the same flow id through Temporal's reset, continuing from just before the task that failed or was
      cancelled. Tasks that succeeded before it are not run again and keep their records; the revision counts
      on from the old run's last one, and the record names the run it was retried from (\`retriedFrom\`).
      Writes made after that point (a cancel, resumes) are not applied again.

      \`--from-step STEP\` runs it again from the start of a step it reached (also a flow that succeeded).
      The old run stays readable: \`taskflow flow show <lookup> --run <runId>\`.

      An open flow, or a succeeded one without \`--from-step\`, answers \`not_ended\`; a mirrored flow
      \`not_managed\`; a step the flow never reached \`invalid_input\` naming the steps it did reach. If the
      flow's code changed so that it no longer replays the old run, the new run is terminated and the command
      says why (\`not_replayable\`). A retry cut short right after its reset is finished by running it again.

      With \`--json\`: \`{ok, flow}\`.
    `,
    examples: [
      ['Retry a failed flow after fixing its cause', '$0 flow retry report-q3 --reason "outbox folder created"'],
      ['Run a flow again from one of its steps', '$0 flow retry report-q3 --from-step publish'],
    ],
  });

  lookup = lookupArgument();
  fromStep = Option.String('--from-step', {
    description: 'Run again from the start of this step (default: from the task that failed or was cancelled)',
  });
  reason = reasonOption();

  async run(): Promise<Rendered> {
    return this.withClient(async (client) => {
      const flow = await client.retry(this.lookup, { fromStep: this.fromStep, reason: this.reason });
      const from = flow.retriedFrom ? ` from run ${sanitize(flow.retriedFrom.runId)}` : '';
      const text = [
        `Retried ${sanitize(flow.flowId)}${from} as run ${sanitize(flow.runId)}; ` +
          `now ${flow.status} at revision ${flow.revision}.`,
        `Follow it with taskflow flow show ${sanitize(flow.flowId)} --watch.`,
      ];
      return { json: { ok: true, flow }, text };
    });
  }
}
