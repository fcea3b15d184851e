import { execFile } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started at all (e.g. ENOENT, EACCES). */
  spawnError?: NodeJS.ErrnoException;
}

/** Runs a short-lived command to completion, never throwing: the caller decides what a failure means. */
export function runCommand(
  file: string,
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: options.timeoutMs ?? 15_000, env: options.env, cwd: options.cwd, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { code?: string | number }) | null;
        if (err && typeof err.code === 'string') {
          resolve({ code: null, stdout, stderr, spawnError: err });
          return;
        }
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
      },
    );
  });
}
