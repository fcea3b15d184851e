import { Command, Option } from 'clipanion';
import { expectRevisionOption, flowPaths, lookupArgument, parseJsonOption, parseRevision, requestIdOption, TaskFlowCommand } from '../../options';
import type { Rendered } from '../../render/output';
import { isStillActive, renderWrite, stillActiveLines } from '../../render/writes';

export class FlowFinishCommand extends TaskFlowCommand {
  static override paths = flowPaths('finish');

  static override usage = Command.Usage({
    description: 'End an open mirrored flow whose tasks have all ended',
    details: `
      Ends a mirrored flow created with \`--no-auto-complete\`, with the status its tasks derive
      (succeeded when it has none) and \`--result\` (JSON, or \`@file\`) as its result. A flow with an active
      task answers \`One or more child tasks are still active.\` (exit 1), naming them.

      With \`--json\`: \`{ok, applied, reason?, flow}\`.
    `,
    examples: [
      ['Finish a flow', `$0 flow finish job-17 --result '{"artefacts":3}'`],
      ['Only at the revision you last read', '$0 flow finish job-17 --expect-revision 6'],
    ],
  });

  lookup = lookupArgument();
  result = Option.String('--result', { description: 'The flow result: JSON, or @file' });
  expectRevision = expectRevisionOption();
  requestId = requestIdOption();

  async run(): Promise<Rendered | number> {
    const result = parseJsonOption('--result', this.result);
    const expectedRevision = parseRevision(this.expectRevision);
    return this.withClient(async (client) => {
      try {
        const outcome = await client.finish(this.lookup, { result, expectedRevision, requestId: this.requestId });
        const { flow } = outcome;
        return renderWrite(outcome, `Finished ${flow.flowId} (${flow.syncMode}) with status ${flow.status}.`);
      } catch (err) {
        if (this.json || !isStillActive(err)) throw err;
        const next = 'Report their ends (taskflow flow report), or end the flow now with taskflow flow fail.';
        this.context.stderr.write(`${stillActiveLines(err.message, err.details, next).join('\n')}\n`);
        return 1;
      }
    });
  }
}
