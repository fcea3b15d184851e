import { Command, Option } from 'clipanion';
import { flowOption, FlowFilterCommand, limitOption, parseFlowScope } from '../../options';
import type { Rendered } from '../../render/output';
import { renderTaskShow } from '../../render/tasks';

export class TasksShowCommand extends FlowFilterCommand {
  static override paths = [['tasks', 'show']];

  static override usage = Command.Usage({
    description: 'Show one task record',
    details: `
      Finds the task \`<taskId>\` in one flow (\`--flow <lookup>\`), or in the flows \`flow list\` would show
      with the same \`--since\`, \`--limit\` (default 50), \`--mode\`, \`--type\` and \`--lookup-key\`. A task id
      held by several of them is \`ambiguous_lookup\`, listing the flows: pass \`--flow\` to choose.

      With \`--json\`: the TaskRecord.
    `,
    examples: [
      ['Show a task', '$0 tasks show exportRows-1 --flow export:users'],
      ['Among the mirrored flows of the last day, as JSON', '$0 tasks show build --mode mirrored --since 1d --json'],
    ],
  });

  taskId = Option.String({ name: 'taskId', required: true });
  flow = flowOption();
  limit = limitOption();

  async run(): Promise<Rendered> {
    const scope = parseFlowScope(this);
    return this.withClient(async (client) => renderTaskShow(await client.task(this.taskId, scope)));
  }
}
