import { Command, Option } from 'clipanion';
import type { FlowClient, FlowFilter } from '../../../client';
import {
  describeFilters,
  flowPaths,
  jsonlOption,
  limitOption,
  parseFlowFilter,
  parseLimit,
  FlowFilterCommand,
  usage,
} from '../../options';
import { renderFlowList } from '../../render/flows';
import { jsonLine, type Rendered } from '../../render/output';

export class FlowListCommand extends FlowFilterCommand {
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

      \`--watch\` keeps the pressure line and table current until Ctrl-C: redrawn in place on a terminal,
      printed again whenever it changes otherwise; with \`--jsonl\`, each flow is printed again when it
      changes (its run, revision or status).

      With \`--json\`: \`{count, total, more, flows: […]}\`, each flow as the visibility store holds it
      (every record field but \`tasks\`); \`--tasks\` adds each flow's tasks and
      \`taskSummary.byStatus\`, read from the flow itself. With \`--jsonl\`: one such flow per line.
    `,
    examples: [
      ['List recent flows', '$0 flow list'],
      ['Flows that need attention', '$0 flow list --status waiting,blocked,failed'],
      ['Mirrored flows of the last hour, as JSON', '$0 flow list --mode mirrored --since 1h --json'],
      ['The child flows of a release', '$0 flow list --parent release:1.4.0'],
      ['Keep the list current until Ctrl-C', '$0 flow list --watch'],
      ['Stream each flow as it changes', '$0 flow list --watch --jsonl'],
    ],
  });

  status = Option.String('--status', { description: 'Only these statuses (comma-separated)' });
  limit = limitOption();
  tasks = Option.Boolean('--tasks', false, { description: "Add each flow's tasks (read from the flow itself)" });
  jsonl = jsonlOption();
  watch = Option.Boolean('--watch', false, { description: 'Keep the list current until Ctrl-C' });

  async run(): Promise<Rendered | number> {
    const filter = parseFlowFilter(this);
    const limit = parseLimit(this.limit);
    const filters = describeFilters(this);
    if (this.watch && this.json) throw usage('flow list --watch prints text, or one flow per line with --jsonl; --json is for a single answer.');
    return this.withClient(async (client) => {
      if (this.watch) return this.follow(client, filter, limit, filters);
      // Six count queries feed the pressure line, which only the text output has.
      const text = this.outputFormat() === 'text';
      const [list, pressure] = await Promise.all([client.list(filter, limit, { tasks: this.tasks }), text ? client.pressure(filter) : null]);
      return renderFlowList({ list, pressure, filters });
    });
  }

  /** Draws each update of FlowClient.watchList until Ctrl-C (which ends the watch with exit 0). */
  private async follow(client: FlowClient, filter: FlowFilter, limit: number, filters: string[]): Promise<number> {
    const stdout = this.context.stdout as NodeJS.WriteStream;
    const jsonl = this.outputFormat() === 'jsonl';
    const [{ handleShutdownSignals }, { LiveScreen }] = await Promise.all([import('../../shutdown'), import('../../render/live')]);
    // The first Ctrl-C ends the watch in order; a second one ends the process at once.
    const stop = handleShutdownSignals(() => undefined, () => undefined);
    const screen = !jsonl && stdout.isTTY === true ? new LiveScreen(stdout) : null;
    let previous: string | undefined;
    try {
      for await (const update of client.watchList(filter, limit, { pressure: !jsonl, tasks: this.tasks, signal: stop.signal })) {
        if (jsonl) {
          stdout.write(update.changed.map(jsonLine).join(''));
          continue;
        }
        const lines = renderFlowList({ list: update.list, pressure: update.pressure, filters }).text;
        const frame = lines.join('\n');
        if (screen) screen.show(lines, update.at);
        // Without a terminal: no escape codes, and the list again only when it changed.
        else if (frame !== previous) stdout.write(`${previous === undefined ? '' : '\n'}Updated ${update.at.toISOString()}\n${frame}\n`);
        previous = frame;
      }
    } finally {
      screen?.close();
      stop.dispose();
    }
    return 0;
  }
}
