import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, type BenchServer } from './environment';

export const TASKFLOW_BIN = path.join(ROOT, 'bin', 'taskflow.js');

export interface ProcessRun {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command as a whole process, timing spawn to exit (cold start included). */
export function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, code, stdout, stderr }));
  });
}

/** The environment that points `taskflow` at the bench server. */
export function taskflowEnv(server: BenchServer, taskQueue: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace, TASKFLOW_TASK_QUEUE: taskQueue, ...extra };
  delete env.TASKFLOW_CONFIG;
  return env;
}

export const taskflow = (server: BenchServer, taskQueue: string, args: string[], extra: Record<string, string> = {}) =>
  runProcess(process.execPath, [TASKFLOW_BIN, ...args], taskflowEnv(server, taskQueue, extra));

export const temporalCli = (server: BenchServer, args: string[]) =>
  runProcess(server.cliPath, [...args, '--address', server.address, '--namespace', server.namespace]);

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

const BUILT_MARKER = path.join(ROOT, 'dist', 'src', 'cli', 'commands', 'index.js');

function isBuilt(): boolean {
  if (!fs.existsSync(BUILT_MARKER)) return false;
  const built = fs.statSync(BUILT_MARKER).mtimeMs;
  // bin/taskflow.js runs the bundle only when it is at least as new as the compiled entry.
  const bundle = path.join(path.dirname(BUILT_MARKER), '..', 'taskflow.bundle.js');
  if (!fs.existsSync(bundle) || fs.statSync(bundle).mtimeMs < fs.statSync(path.join(path.dirname(BUILT_MARKER), '..', 'main.js')).mtimeMs) return false;
  return ['src', 'workflows', 'activities'].every((dir) => newestSource(path.join(ROOT, dir)) <= built);
}

/**
 * Compiles dist/ when it is older than the sources, so the CLI rows time today's code. Shares the
 * CLI tests' lock directory, so a parallel jest run and the bench never compile at once.
 */
export async function ensureBuilt(): Promise<'fresh' | 'built' | 'locked'> {
  if (isBuilt()) return 'fresh';
  const lock = path.join(os.tmpdir(), `taskflow-cli-build-${Buffer.from(ROOT).toString('hex').slice(-16)}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (isBuilt()) return 'fresh';
      if (Date.now() > deadline) return 'locked';
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    await promisify(execFile)(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT }).catch(() => undefined);
    // The one-file CLI that bin/taskflow.js runs, as `npm run build` makes it.
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'scripts', 'bundle-cli.js')], { cwd: ROOT });
    if (fs.existsSync(BUILT_MARKER)) fs.utimesSync(BUILT_MARKER, new Date(), new Date());
    return 'built';
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Why a `taskflow <words>` command cannot be timed yet, or null when it answers `--help`. */
export async function commandUnavailable(words: string[]): Promise<string | null> {
  if (!fs.existsSync(TASKFLOW_BIN)) return 'bin/taskflow.js does not exist';
  const run = await runProcess(process.execPath, [TASKFLOW_BIN, ...words, '--help']);
  if (run.code !== 0) return `\`taskflow ${words.join(' ')} --help\` exits ${run.code}: ${(run.stderr || run.stdout).trim().split('\n')[0]?.slice(0, 160) ?? ''}`;
  return null;
}

export interface ColdStart {
  bareNodeMs: number;
  helpMs: number;
  /** From the preloaded bench/require-timer.js: package load times and the RPCs the command made. */
  profile: { totalMs: number; modulesLoaded: number; packages: Record<string, number>; rpcs: string[] } | null;
  /** Where the command's wall time went, by what was on the CPU (or idle), from `node --cpu-prof`. */
  cpu: { wallMs: number; byCategory: Array<[string, number]> } | null;
}

/** Where a CLI command's time goes: Node itself, loading the CLI and its packages, CPU by package, and idle (waiting on the server). */
export async function coldStart(server: BenchServer, taskQueue: string, args: string[]): Promise<ColdStart> {
  const bare = await runProcess(process.execPath, ['-e', '0']);
  const help = await runProcess(process.execPath, [TASKFLOW_BIN, ...args.slice(0, 2), '--help']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-bench-prof-'));
  const file = path.join(dir, 'require.json');
  try {
    // Unbundled, so the preloaded timer sees each package load and the gRPC calls (the bundle holds them inside).
    await runProcess(process.execPath, ['-r', path.join(__dirname, 'require-timer.js'), TASKFLOW_BIN, ...args], taskflowEnv(server, taskQueue, { BENCH_REQUIRE_PROFILE: file, TASKFLOW_CLI_UNBUNDLED: '1' }));
    const profile = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ColdStart['profile']) : null;
    await runProcess(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, TASKFLOW_BIN, ...args], taskflowEnv(server, taskQueue));
    const cpuFile = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    const cpu = cpuFile ? summarizeCpuProfile(JSON.parse(fs.readFileSync(path.join(dir, cpuFile), 'utf8'))) : null;
    return { bareNodeMs: bare.ms, helpMs: help.ms, profile, cpu };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The gRPC methods one run of a `taskflow` command calls, seen from inside its process. */
export async function commandRpcs(server: BenchServer, taskQueue: string, args: string[]): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-bench-rpcs-'));
  const file = path.join(dir, 'profile.json');
  try {
    await runProcess(process.execPath, ['-r', path.join(__dirname, 'require-timer.js'), TASKFLOW_BIN, ...args], taskflowEnv(server, taskQueue, { BENCH_REQUIRE_PROFILE: file, TASKFLOW_CLI_UNBUNDLED: '1' }));
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { rpcs: string[] }).rpcs : [];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { url: string; functionName: string } }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function category(url: string, fn: string): string {
  if (!url) return fn === '(idle)' ? 'idle (waiting on the server)' : fn === '(garbage collector)' ? 'garbage collection' : 'V8 (compiling, runtime)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  if (url.startsWith('node:internal/modules')) return 'Node module loader';
  if (url.startsWith('node:')) return 'other Node internals (streams, net, fs)';
  if (url.endsWith('taskflow.bundle.js')) return 'the bundled CLI (TaskFlow, @temporalio/client with protobufjs and grpc-js, zod, yaml)';
  if (url.includes('/dist/')) return 'TaskFlow code (dist/)';
  return 'other';
}

export function summarizeCpuProfile(profile: CpuProfile): ColdStart['cpu'] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, category(n.callFrame.url, n.callFrame.functionName)]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const key = byNode.get(id) ?? 'other';
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return { wallMs: (profile.endTime - profile.startTime) / 1000, byCategory: [...totals].sort((a, b) => b[1] - a[1]) };
}

export function describeColdStart(c: ColdStart): string[] {
  const top = c.profile
    ? Object.entries(c.profile.packages)
        .slice(0, 6)
        .map(([name, took]) => `${name} ${Math.round(took)} ms`)
        .join(', ')
    : 'no profile';
  const lines = [
    `Cold start: bare \`node -e 0\` ${Math.round(c.bareNodeMs)} ms; \`--help\` of the command ${Math.round(c.helpMs)} ms; ` +
      `package loading inside the command when run unbundled (inclusive, first require): ${top}` +
      (c.profile ? `; ${c.profile.modulesLoaded} modules loaded in all.` : '.'),
  ];
  if (c.cpu) {
    const parts = c.cpu.byCategory.filter(([, took]) => took >= 5).map(([name, took]) => `${name} ${Math.round(took)} ms`);
    lines.push(`\`node --cpu-prof\` of one run (${Math.round(c.cpu.wallMs)} ms from the profiler's start, after Node's own boot): ${parts.join(', ')}.`);
  }
  return lines;
}
