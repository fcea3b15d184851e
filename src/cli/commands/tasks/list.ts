import { Command, Option } from 'clipanion';
import { flowOption, FlowFilterCommand, jsonlOption, limitOption, parseFlowScope, parseTaskStatuses } from '../../options';
import type { Rendered } from '../../render/output';
import { renderTaskList } from '../../render/tasks';

export class TasksListCommand extends FlowFilterCommand {
  static override paths = [['tasks', 'list'], ['tasks']];

  static override usage = Command.Usage({
    description: 'List tasks across flows',
    details: `
      The tasks of the flows \`flow list\` would show with the same \`--since\`, \`--limit\`, \`--mode\`,
      \`--type\` and \`--lookup-key\` (or of one flow with \`--flow <lookup>\`), read from each flow's full
      record, filtered by \`--status\` (comma-separated: queued, running, succeeded, failed, timed_out,
      cancelled, lost).

      With \`--json\`: \`{count, tasks: [TaskRecord…]}\`. With \`--jsonl\`: one TaskRecord per line.
    `,
    examples: [
      ['Running tasks of recent flows', '$0 tasks list --status running'],
      ['The tasks of one flow, as JSON', '$0 tasks list --flow doc-42 --json'],
    ],
  });

  status = Option.String('--status', { description: 'Only these task statuses (comma-separated)' });
  flow = flowOption();
  limit = limitOption();
  jsonl = jsonlOption();

  async run(): Promise<Rendered> {
    const statuses = parseTaskStatuses(this.status);
    const scope = parseFlowScope(this);
    return this.withClient(async (client) => renderTaskList((await client.tasks({ ...scope, statuses })).tasks));
  }
}
