import { Command, Option } from 'clipanion';
import type { FlowClient, FlowSnapshot } from '../../../client';
import type { LoadedConfig } from '../../../config';
import { flowPaths, jsonlOption, lookupArgument, parseDepth, TaskFlowCommand } from '../../options';
import { childTreeLines } from '../../render/children';
import { flowShowLines, renderFlowShow, uiLinkOf, watchLine } from '../../render/flows';
import { jsonLine, type Rendered } from '../../render/output';
import { truncate } from '../../render/text';

const WATCH_INTERVAL_MS = 500;

/** The tree goes right under the task table: before the Web UI link and the notes that close the output. */
function withTree(text: string[], tree: string[]): string[] {
  if (tree.length === 0) return text;
  const at = text.findIndex((line) => line.startsWith('Web UI: ') || line.startsWith('Note: '));
  return at < 0 ? [...text, ...tree] : [...text.slice(0, at), ...tree, ...text.slice(at)];
}

export class FlowShowCommand extends TaskFlowCommand {
  static override paths = flowPaths('show');

  static override usage = Command.Usage({
    description: 'Show one flow: its record, state, tasks and Web UI link',
    details: `
      \`<lookup>\` is a flow id, a lookup key (the newest open flow with it, else the newest), or a unique
      flow-id prefix of at least 6 characters.

      The record comes from the flow itself (a query answered by a worker, every task); when it cannot
      be read, the command says why and exits 1 — it never shows part of a record as the whole.

      \`--run <runId>\` shows an earlier run instead, such as the one \`flow retry\` started the current run from.

      \`--watch\` follows the flow until it ends: redrawn in place on a terminal, one line per change
      otherwise (one JSON record per change with \`--json\` or \`--jsonl\`: a new revision, run or status).
      It exits 0 when the flow succeeded, 1 otherwise.

      A flow with child flows (spec §12) shows them as a tree under its tasks: each child's status and
      task counts; \`--depth 2\` adds their own children, \`--depth 0\` leaves the tree out.

      With \`--json\`: the FlowRecord (flat: its children are tasks with a \`childFlowId\`, and records of
      their own). With \`--jsonl\`: the FlowRecord on one line.
    `,
    examples: [
      ['Show a flow by id', '$0 flow show greeting-1a2b3c4d'],
      ['By lookup key, as JSON', '$0 flow show doc-42 --json'],
      ['Follow a flow until it ends', '$0 flow show export:users --watch'],
      ['The run a retried flow was retried from', '$0 flow show report-q3 --run 5f1c…'],
      ['A release, its package builds and theirs', '$0 flow show release:1.4.0 --depth 2'],
      ['Stream one record per change', '$0 flow show export:users --watch --jsonl'],
    ],
  });

  lookup = lookupArgument();
  watch = Option.Boolean('--watch', false, { description: 'Follow the flow live until it ends' });
  runId = Option.String('--run', { description: 'Show an earlier run of the flow (e.g. the one it was retried from) by its run id' });
  depth = Option.String('--depth', { description: 'Levels of child flows drawn under the tasks (default 1; 0: none)' });
  jsonl = jsonlOption();

  async run(): Promise<Rendered | number> {
    const depth = parseDepth(this.depth);
    return this.withClient(async (client, config) => {
      const uiLink = (flowId: string) => uiLinkOf(config.ui.url, config.connection.namespace, flowId);
      if (!this.watch) {
        const snapshot = await client.show(this.lookup, { runId: this.runId });
        const rendered = renderFlowShow(snapshot, { uiLink: uiLink(snapshot.flow.flowId) });
        // The tree is text only: --json keeps the flat record, each child being a record of its own.
        if (this.json || depth === 0) return rendered;
        const children = await client.children(snapshot.flow, depth);
        return { ...rendered, text: withTree(rendered.text, childTreeLines(children, depth)) };
      }
      return this.follow(client, config, uiLink);
    });
  }

  /** Follows the flow (FlowClient.watch) until it ends, drawing each change; the exit code tells how it ended. */
  private async follow(client: FlowClient, _config: LoadedConfig, uiLink: (flowId: string) => string | null): Promise<number> {
    const stdout = this.context.stdout as NodeJS.WriteStream;
    const format = this.outputFormat();
    const tty = format === 'text' && stdout.isTTY === true;
    let previous = '';
    let drawnLines = 0;
    let last: FlowSnapshot | undefined;
    for await (const snapshot of client.watch(this.lookup, { intervalMs: WATCH_INTERVAL_MS })) {
      last = snapshot;
      // A stream of records says each revision once; text and --json print any visible difference.
      const key = format === 'jsonl' ? `${snapshot.flow.runId}:${snapshot.flow.revision}:${snapshot.flow.status}` : JSON.stringify(snapshot.flow);
      if (tty) {
        const width = stdout.columns || 120;
        const lines = flowShowLines(snapshot, { uiLink: uiLink(snapshot.flow.flowId) }).map((l) => truncate(l, width));
        // Rewrite the previous frame line by line (cursor up, clear to end of line) so nothing flickers.
        const up = drawnLines > 0 ? `\u001b[${drawnLines}F` : '';
        stdout.write(`${up}${lines.map((l) => `${l}\u001b[K`).join('\n')}\n\u001b[J`);
        drawnLines = lines.length;
      } else if (key !== previous) {
        stdout.write(format === 'text' ? `${watchLine(snapshot.flow)}\n` : jsonLine(snapshot.flow));
      }
      previous = key;
    }
    return last?.flow.status === 'succeeded' ? 0 : 1;
  }
}
