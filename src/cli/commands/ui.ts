import { spawn } from 'node:child_process';
import { Command, Option } from 'clipanion';
import { flowListUrl } from '../hints';
import { TaskFlowCommand } from '../options';
import { uiLinkOf } from '../render/flows';
import type { Rendered } from '../render/output';

export class UiCommand extends TaskFlowCommand {
  static override paths = [['ui']];

  static override usage = Command.Usage({
    description: "Print the Temporal Web UI link of a flow (or of the namespace's flows)",
    details: `
      The link is \`<ui.url>/namespaces/<namespace>/workflows/<flow id>\` (without a lookup: the workflow list
      filtered to flows); \`ui.url\` comes from temporal.yaml
      (the embedded dev server's UI by default). \`--open\` also tries to open it in a browser.

      With \`--json\`: \`{url, flowId}\`.
    `,
    examples: [
      ['The workflows page', '$0 ui'],
      ["Open a flow's page", '$0 ui doc-42 --open'],
    ],
  });

  lookup = Option.String({ name: 'lookup', required: false });
  open = Option.Boolean('--open', false, { description: 'Open the link in a browser (xdg-open, open or start)' });

  async run(): Promise<Rendered> {
    const { loadConfig } = await import('../../config');
    const config = loadConfig();
    const uiUrl = config.ui.url;
    if (!uiUrl) {
      const { FlowError } = await import('../../client/errors');
      throw new FlowError('config_error', 'No Web UI is configured; set ui.url in temporal.yaml (the embedded dev server serves one unless devServer.headless is true).');
    }
    let flowId: string | null = null;
    let url = flowListUrl(uiUrl, config.connection.namespace);
    if (this.lookup !== undefined) {
      flowId = await this.withClient((client) => client.resolve(this.lookup!));
      url = uiLinkOf(uiUrl, config.connection.namespace, flowId)!;
    }
    const text = [url];
    if (this.open && !openInBrowser(url)) text.push('Could not open a browser here; open the link above yourself.');
    return { json: { url, flowId }, text };
  }
}

/** Starts the platform's opener, detached; false when there is none. */
function openInBrowser(url: string): boolean {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    return child.pid !== undefined;
  } catch {
    return false;
  }
}
