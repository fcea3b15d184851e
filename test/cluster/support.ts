import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli, type CliRun } from '../cli/helpers';
import { runScript } from './global-setup';

const root = path.resolve(__dirname, '..', '..');

/** The cluster global setup brought up. */
export function clusterState(): string {
  const state = process.env.TASKFLOW_CLUSTER_STATE;
  if (!state) throw new Error('TASKFLOW_CLUSTER_STATE is not set; run these suites with npm run test:cluster.');
  return state;
}

/**
 * The environment a user would set: TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE (plus `extra`), and none
 * of the developer's own TEMPORAL_* / TASKFLOW_* settings.
 */
export function userEnv(extra: Record<string, string> = {}, address = process.env.TASKFLOW_TEST_ADDRESS!): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('TEMPORAL_') && !name.startsWith('TASKFLOW_')) env[name] = value;
  }
  return { ...env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: process.env.TASKFLOW_TEST_NAMESPACE || 'default', ...extra };
}

/** A directory with no temporal.yaml: the environment alone configures what runs there. */
export function bareDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-cluster-user-'));
}

export function cluster(command: 'kill' | 'start' | 'status', ...services: string[]): Promise<string> {
  return runScript([command, clusterState(), ...services]);
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  alive(): boolean;
  kill(): Promise<void>;
}

/** `taskflow worker` as a user runs it; resolves once it says it runs. */
export async function startWorker(env: NodeJS.ProcessEnv, cwd: string): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'taskflow.js'), 'worker'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`taskflow worker did not start within 180 s: ${output.slice(-2000)}`)), 180_000);
    const check = () => {
      if (output.includes('Worker running on task queue')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`taskflow worker exited with ${code} before it ran: ${output.slice(-2000)}`));
    });
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => output,
    alive,
    async kill() {
      if (!alive()) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs `taskflow <args>` in `cwd` with `env`. */
export function taskflow(args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 120_000): Promise<CliRun> {
  return runCli(args, { env, cwd, timeoutMs });
}

/**
 * Polls `read` until `ok` holds, with a deadline; a read that throws counts as "not yet" (the
 * cluster may be restarting). Throws with the last value or error at the deadline.
 */
export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 200; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      const value = await read();
      if (ok(value)) return value;
      last = value;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() + delay > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s; last: ${JSON.stringify(last)?.slice(0, 1500)}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
