import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { FLOW_SEARCH_ATTRIBUTES } from '../src/model/search-attributes';

export const ROOT = path.resolve(__dirname, '..');

/** A dev server of the benchmark's own: in memory, headless, on free ports; stopped at the end. */
export interface BenchServer {
  address: string;
  namespace: string;
  cliPath: string;
  cliVersion: string;
  /** The server's process, for its CPU time. */
  pid: number;
  stop(): Promise<void>;
}

/** The Temporal CLI: TEMPORAL_CLI, else PATH or the project's .temporal/bin (src/server's lookup when it exists). */
export async function locateCli(): Promise<string> {
  const server = optionalServerModule();
  if (server) {
    const lookup = await server.locateTemporalCli({ config: { devServer: { cliVersion: pinnedCliVersion() } }, projectRoot: ROOT });
    if (lookup.cli) return lookup.cli.path;
    throw new Error(`No Temporal CLI found (${lookup.tried.map((t) => t.note).join('; ')}); set TEMPORAL_CLI or run node bin/taskflow.js server install.`);
  }
  const candidates = [process.env.TEMPORAL_CLI, path.join(ROOT, '.temporal', 'bin', 'temporal')].filter((c): c is string => !!c);
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error(`No Temporal CLI found (looked at ${candidates.join(', ') || 'TEMPORAL_CLI'}); set TEMPORAL_CLI.`);
  return found;
}

export async function startBenchServer(cliPath: string): Promise<BenchServer> {
  const namespace = 'default';
  const port = await freePort();
  const server = optionalServerModule();
  let stop: () => Promise<void>;
  let pid: number;
  if (server) {
    const handle = await server.startDevServer({
      cliPath,
      config: {
        devServer: { enabled: true, cliVersion: pinnedCliVersion(), dbFile: null, ip: '127.0.0.1', port, uiPort: port + 1000, headless: true, logLevel: 'error' },
        connection: { namespace },
      } as never,
      projectRoot: ROOT,
    });
    stop = () => handle.stop();
    pid = handle.pid;
  } else {
    ({ stop, pid } = await spawnDevServer(cliPath, port, namespace));
  }
  const address = `127.0.0.1:${port}`;
  const connection = await Connection.connect({ address });
  try {
    if (server) await server.registerSearchAttributes(connection, namespace);
    else await addSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
  const cliVersion = execFileSync(cliPath, ['--version'], { encoding: 'utf8' }).trim();
  return { address, namespace, cliPath, cliVersion, pid, stop };
}

type ServerModule = typeof import('../src/server');

/** src/server is another engineer's work in progress; the benchmark falls back to its own few lines without it. */
function optionalServerModule(): ServerModule | null {
  try {
    return require('../src/server') as ServerModule;
  } catch {
    return null;
  }
}

function pinnedCliVersion(): string {
  const yaml = fs.readFileSync(path.join(ROOT, 'temporal.yaml'), 'utf8');
  return /cliVersion:\s*([\w.]+)/.exec(yaml)?.[1] ?? '1.9.1';
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function spawnDevServer(cliPath: string, port: number, namespace: string): Promise<{ stop: () => Promise<void>; pid: number }> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless', '--log-level', 'error'];
  args.push('--dynamic-config-value', 'frontend.namespaceRPS.visibility=1000');
  const child = spawn(cliPath, args, { stdio: 'ignore', detached: true });
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', kill);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const connection = Connection.lazy({ address: `127.0.0.1:${port}`, connectTimeout: 1_000 });
    try {
      await connection.ensureConnected();
      await connection.workflowService.describeNamespace({ namespace });
      break;
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the bench dev server did not start: ${(err as Error).message}`);
    } finally {
      await connection.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const stop = async () => {
    process.off('exit', kill);
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGTERM');
    const timer = setTimeout(kill, 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { stop, pid: child.pid! };
}

/** CPU time (user + system) a process has used so far, in ms, from /proc. */
export function processCpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

async function addSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const wire = { KEYWORD: 2, INT: 3, BOOL: 5, DATETIME: 6 } as const;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(FLOW_SEARCH_ATTRIBUTES.map(({ name, type }) => [name, wire[type]])),
  });
  for (let i = 0; i < 100; i++) {
    const listed = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
    if (FLOW_SEARCH_ATTRIBUTES.every(({ name }) => name in listed)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the search attributes were not listed within 10 s of registering them');
}

/** Machine facts for RESULTS.md. */
export function machineFacts(): Record<string, string> {
  const cpus = os.cpus();
  return {
    cores: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
  };
}

/** The commit measured, and whether the tree had changes beside it (others work in the same tree). */
export function codeVersion(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'workflows', 'activities', 'bin'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head} plus uncommitted changes in ${dirty.split('\n').length} file(s) of src/bin` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
