import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { locateTemporalCli, projectCliPath, TemporalCliUnavailableError } from '../../src/server';

const config = { devServer: { cliVersion: '1.9.1' } };

/** A fake `temporal` answering --version with `version`, in a fresh directory (or at `file`). */
function fakeCli(version: string, file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fake-temporal-')), 'temporal')): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\necho "temporal version ${version} (Server 1.32.0, UI 2.54.1)"\n`, { mode: 0o755 });
  return file;
}

function emptyProject(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-project-'));
}

describe('locateTemporalCli', () => {
  it('takes TEMPORAL_CLI first, as given, even when PATH and the project have the pinned version', async () => {
    const explicit = fakeCli('1.8.2');
    const projectRoot = emptyProject();
    fakeCli('1.9.1', projectCliPath(projectRoot));
    const onPath = path.dirname(fakeCli('1.9.1'));

    const { cli, tried } = await locateTemporalCli({
      config,
      projectRoot,
      env: { TEMPORAL_CLI: explicit, PATH: onPath },
    });

    expect(cli).toEqual({ path: explicit, source: 'TEMPORAL_CLI', version: '1.8.2' });
    expect(tried).toEqual([
      { source: 'TEMPORAL_CLI', path: explicit, used: true, note: 'version 1.8.2 (pinned 1.9.1), used as set' },
    ]);
  });

  it('fails with the variable named when TEMPORAL_CLI points at nothing', async () => {
    const missing = path.join(emptyProject(), 'temporal');
    const attempt = locateTemporalCli({ config, projectRoot: emptyProject(), env: { TEMPORAL_CLI: missing } });
    await expect(attempt).rejects.toThrow(TemporalCliUnavailableError);
    await expect(attempt).rejects.toThrow(`TEMPORAL_CLI points at ${missing}, which does not exist; fix or unset it.`);
  });

  it('skips a temporal on PATH of another version, records why, and takes the next one of the pinned version', async () => {
    const wrong = fakeCli('1.8.2');
    const right = fakeCli('1.9.1');
    const env = { PATH: [path.dirname(wrong), '/nonexistent-dir', path.dirname(right)].join(path.delimiter) };

    const { cli, tried } = await locateTemporalCli({ config, projectRoot: emptyProject(), env });

    expect(cli).toEqual({ path: right, source: 'PATH', version: '1.9.1' });
    expect(tried.map(({ source, used, note }) => ({ source, used, note }))).toEqual([
      { source: 'TEMPORAL_CLI', used: false, note: 'TEMPORAL_CLI is not set' },
      { source: 'PATH', used: false, note: `${wrong} is version 1.8.2, not the pinned 1.9.1` },
      { source: 'PATH', used: true, note: `${right} is version 1.9.1` },
    ]);
  });

  it('falls back to .temporal/bin/temporal of the project when PATH has only another version', async () => {
    const projectRoot = emptyProject();
    const installed = fakeCli('1.9.1', projectCliPath(projectRoot));
    const wrong = fakeCli('1.7.0');

    const { cli, tried } = await locateTemporalCli({ config, projectRoot, env: { PATH: path.dirname(wrong) } });

    expect(cli).toEqual({ path: installed, source: 'project', version: '1.9.1' });
    expect(tried.filter((candidate) => !candidate.used).map((candidate) => candidate.note)).toEqual([
      'TEMPORAL_CLI is not set',
      `${wrong} is version 1.7.0, not the pinned 1.9.1`,
    ]);
  });

  it('finds nothing, saying where it looked, when no candidate has the pinned version', async () => {
    const projectRoot = emptyProject();
    const stale = fakeCli('1.8.2', projectCliPath(projectRoot));
    const notACli = path.join(emptyProject(), 'temporal');
    fs.writeFileSync(notACli, '#!/bin/sh\necho hello\n', { mode: 0o755 });

    const { cli, tried } = await locateTemporalCli({ config, projectRoot, env: { PATH: path.dirname(notACli) } });

    expect(cli).toBeNull();
    expect(tried.map((candidate) => candidate.note)).toEqual([
      'TEMPORAL_CLI is not set',
      `${notACli} does not answer --version like a Temporal CLI (exit 0)`,
      `${stale} is version 1.8.2, not the pinned 1.9.1`,
    ]);
  });

  it('ignores files on PATH that are not executable', async () => {
    const dir = emptyProject();
    fs.writeFileSync(path.join(dir, 'temporal'), '#!/bin/sh\necho "temporal version 1.9.1"\n', { mode: 0o644 });
    const projectRoot = emptyProject();

    const { cli, tried } = await locateTemporalCli({ config, projectRoot, env: { PATH: dir } });

    expect(cli).toBeNull();
    expect(tried.map((candidate) => candidate.note)).toEqual([
      'TEMPORAL_CLI is not set',
      'no temporal on PATH',
      `${projectCliPath(projectRoot)} does not exist`,
    ]);
  });
});
