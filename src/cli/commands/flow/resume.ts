import { Command, Option } from 'clipanion';
import { expectRevisionOption, flowPaths, lookupArgument, parseJsonOption, parseRevision, requestIdOption, TaskFlowCommand } from '../../options';
import type { Rendered } from '../../render/output';
import { renderWrite } from '../../render/writes';

export class FlowResumeCommand extends TaskFlowCommand {
  static override paths = flowPaths('resume');

  static override usage = Command.Usage({
    description: 'Resume a waiting (or blocked) managed flow',
    details: `
      Sends \`--data\` (JSON, or \`@file\`) to the flow, which validates it against what it waits for
      (\`invalid_input\` when it does not match). \`--wait NAME\` names the open wait to answer (a blocked
      task's wait is named after its task id); it is needed only when several are open, else the flow answers
      \`ambiguous_wait\` listing them and nothing changes; \`taskflow flow show\` lists the open waits.

      \`--expect-revision N\` applies the resume only if the flow is still at revision N (else
      \`revision_conflict\` with the current revision); \`--request-id\` makes a retried resume apply once.

      A flow that is not waiting answers \`not_waiting\`; a mirrored flow \`not_managed\`; an ended flow
      \`Flow is already <status>.\`

      With \`--json\`: \`{ok, applied, reason?, flow}\`.
    `,
    examples: [
      ['Approve a document', `$0 flow resume doc-42 --data '{"approved":true,"approver":"Grace"}'`],
      ['Answer one of several open waits', `$0 flow resume batch-7 --wait renderThumbnail-2`],
      ['Only if nobody changed it since revision 4', `$0 flow resume doc-42 --data @approval.json --expect-revision 4`],
    ],
  });

  lookup = lookupArgument();
  wait = Option.String('--wait', { description: 'The open wait to answer (needed when several are open)' });
  data = Option.String('--data', { description: 'What the flow waits for: JSON, or @file' });
  expectRevision = expectRevisionOption();
  requestId = requestIdOption();

  async run(): Promise<Rendered> {
    const data = parseJsonOption('--data', this.data);
    const expectedRevision = parseRevision(this.expectRevision);
    return this.withClient(async (client) => {
      const outcome = await client.resume(this.lookup, data, { wait: this.wait, expectedRevision, requestId: this.requestId });
      const { flow } = outcome;
      return renderWrite(outcome, `Resumed ${flow.flowId}; it is ${flow.status} at revision ${flow.revision}.`);
    });
  }
}
