import { Command, Option } from 'clipanion';
import {
  flowPaths,
  limitOption,
  parentOption,
  parseFlowStatuses,
  parseLimit,
  parseMode,
  parseSince,
  parseTreeFilter,
  rootsOption,
  sinceOption,
  TaskFlowCommand,
} from '../../options';
import { renderFlowList } from '../../render/flows';
import type { Rendered } from '../../render/output';

export class FlowListCommand extends TaskFlowCommand {
  static override paths = flowPaths('list');

  static override usage = Command.Usage({
    description: 'List flows, newest open ones first, with the pressure line',
    details: `
      Runs one visibility query over the flows (workflows carrying \`TaskFlowSyncMode\`) and prints the
      pressure line \`A active · W waiting · B blocked · I issues · C cancel-requested · N total\`
      (counted over every filter but \`--status\` and \`--limit\`) and a table of flow id, mode, status,
      revision, tasks and goal.

      \`--parent <lookup>\` lists the child flows of one flow (spec §12); \`--roots\` only top-level flows.
      They cannot be combined.

      \`--status\` takes a comma-separated list of queued, running, waiting, blocked, succeeded, failed,
      cancelled, lost. \`--since\` keeps open flows and flows that started or ended within the window.

      With \`--json\`: \`{count, total, more, flows: […]}\`, each flow as the visibility store holds it
      (every record field but \`tasks\`); \`--tasks\` adds each flow's tasks and
      \`taskSummary.byStatus\`, read from the flow itself.
    `,
    examples: [
      ['List recent flows', '$0 flow list'],
      ['Flows that need attention', '$0 flow list --status waiting,blocked,failed'],
      ['Mirrored flows of the last hour, as JSON', '$0 flow list --mode mirrored --since 1h --json'],
      ['The child flows of a release', '$0 flow list --parent release:1.4.0'],
    ],
  });

  status = Option.String('--status', { description: 'Only these statuses (comma-separated)' });
  mode = Option.String('--mode', { description: 'managed or mirrored' });
  type = Option.String('--type', { description: 'Only flows of this flow type' });
  lookupKey = Option.String('--lookup-key', { description: 'Only flows with this lookup key' });
  since = sinceOption();
  limit = limitOption();
  parent = parentOption();
  roots = rootsOption();
  tasks = Option.Boolean('--tasks', false, { description: "Add each flow's tasks (read from the flow itself)" });

  async run(): Promise<Rendered> {
    const statuses = parseFlowStatuses(this.status);
    const tree = parseTreeFilter(this.parent, this.roots);
    const filter = {
      statuses,
      mode: parseMode(this.mode),
      flowType: this.type,
      lookupKey: this.lookupKey,
      since: parseSince(this.since),
      roots: tree.roots,
    };
    const limit = parseLimit(this.limit);
    const filters = [
      statuses && `status ${statuses.join(',')}`,
      filter.mode && `mode ${filter.mode}`,
      this.type !== undefined && `type ${this.type}`,
      this.lookupKey !== undefined && `lookup key ${this.lookupKey}`,
      this.since !== undefined && `since ${this.since}`,
      tree.parent !== undefined && `parent ${tree.parent}`,
      tree.roots && 'roots',
    ].filter((f): f is string => typeof f === 'string');
    return this.withClient(async (client) => {
      // The parent is a <lookup>: resolved to its flow id first (not found is an error, not an empty list).
      const scoped = tree.parent !== undefined ? { ...filter, parentFlowId: await client.resolve(tree.parent) } : filter;
      // Six count queries feed the pressure line, which only the text output has.
      const [list, pressure] = await Promise.all([client.list(scoped, limit, { tasks: this.tasks }), this.json ? null : client.pressure(scoped)]);
      return renderFlowList({ list, pressure, filters });
    });
  }
}
