import { Command, Option } from 'clipanion';
import { expectRevisionOption, flowPaths, lookupArgument, parseRevision, requestIdOption, TaskFlowCommand } from '../../options';
import type { Rendered } from '../../render/output';
import { renderWrite } from '../../render/writes';

export class FlowFailCommand extends TaskFlowCommand {
  static override paths = flowPaths('fail');

  static override usage = Command.Usage({
    description: 'End an open mirrored flow as failed',
    details: `
      Ends a mirrored flow \`failed\` with \`--error\` as its error, at any time: tasks still active are
      recorded \`lost\`.

      With \`--json\`: \`{ok, applied, reason?, flow}\`.
    `,
    examples: [['Give up on a flow', '$0 flow fail job-17 --error "upstream system decommissioned"']],
  });

  lookup = lookupArgument();
  error = Option.String('--error', { required: true, description: 'Why the flow failed' });
  expectRevision = expectRevisionOption();
  requestId = requestIdOption();

  async run(): Promise<Rendered> {
    const expectedRevision = parseRevision(this.expectRevision);
    return this.withClient(async (client) => {
      const outcome = await client.fail(this.lookup, { error: this.error, expectedRevision, requestId: this.requestId });
      const { flow } = outcome;
      return renderWrite(outcome, `Failed ${flow.flowId} (${flow.syncMode}) with status ${flow.status}.`);
    });
  }
}
