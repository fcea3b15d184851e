import { randomUUID } from 'node:crypto';
import { Command, Option } from 'clipanion';
import { flowPaths, parseJsonOption, TaskFlowCommand } from '../../options';
import type { Rendered } from '../../render/output';
import { sanitize } from '../../render/text';
import { renderWrite } from '../../render/writes';

export class FlowStartCommand extends TaskFlowCommand {
  static override paths = flowPaths('start');

  static override usage = Command.Usage({
    description: 'Start a managed flow',
    details: `
      Starts the flow type \`<type>\` (a flow defined in the project's workflows folder) with \`--input\`,
      which is validated against the flow's input schema before anything starts. \`--input\` is JSON, or
      \`@file\` to read it from a file; it defaults to \`{}\`.

      The flow id defaults to \`<type>-<8 random hex>\`; \`--id\` chooses it (flow ids are never reused:
      an id in use is \`flow_exists\`). \`--lookup-key\` overrides the key the flow derives from its input.
      A worker for the configured task queue (\`taskflow worker\`, or \`npm start\`) runs it.

      With \`--json\`: \`{ok, applied, flow}\`.
    `,
    examples: [
      ['Start the greeting example', `$0 flow start greeting --input '{"name":"Ada"}'`],
      ['Input from a file, with an id of your choosing', '$0 flow start dataExport --input @export.json --id export-users-1'],
    ],
  });

  flowType = Option.String({ name: 'type', required: true });
  input = Option.String('--input', { description: 'The flow input: JSON, or @file' });
  lookupKey = Option.String('--lookup-key', { description: 'The lookup key (defaults to what the flow derives from its input)' });
  id = Option.String('--id', { description: 'The flow id (default: <type>-<random>)' });

  async run(): Promise<Rendered> {
    const input = this.input === undefined ? {} : parseJsonOption('--input', this.input);
    // Chosen here rather than by the client, so a start that fails after it was sent can name the id to retry with.
    this.id ??= `${this.flowType}-${randomUUID().slice(0, 8)}`;
    return this.withClient(async (client) => {
      const flow = await client.start(this.flowType, input, { flowId: this.id, lookupKey: this.lookupKey });
      const rendered = renderWrite({ applied: true, flow }, `Started ${flow.flowId} (${flow.flowType}): ${flow.goal}`);
      rendered.text.push(`Follow it with taskflow flow show ${sanitize(flow.flowId)} --watch`);
      return rendered;
    });
  }
}
