import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { Connection } from '@temporalio/client';
import { hostForClient, type TaskFlowConfig } from '../config';
import { DevServerError, PortInUseError } from './errors';
import { runCommand } from './exec';
import { isPortOpen, isTemporalReachable, splitAddress } from './reachability';

export interface DevServerOptions {
  cliPath: string;
  /** `devServer` says how to run it; `connection.namespace` is created at start-up. */
  config: Pick<TaskFlowConfig, 'devServer'> & { connection: Pick<TaskFlowConfig['connection'], 'namespace'> };
  /** Base of a relative `devServer.dbFile`. */
  projectRoot: string;
  onLog?: (line: string) => void;
  /** How long the server may take to answer; default 60 s. */
  startTimeoutMs?: number;
}

export interface DevServerHandle {
  /** gRPC address clients use. */
  address: string;
  uiUrl: string | null;
  pid: number;
  /** SIGTERM to the server's process group, then SIGKILL if it has not exited within `graceMs` (10 s). */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the server's process group now (for a forced exit); `stop()` still resolves once it is gone. */
  kill(): void;
}

const LOG_TAIL = 30;
const PORT_IN_USE = /can't set (frontend|UI|HTTP|metrics) port (\d+).*address already in use/i;

/** Starts `temporal server start-dev` in its own process group and resolves once it serves the namespace. */
export async function startDevServer(options: DevServerOptions): Promise<DevServerHandle> {
  const { devServer } = options.config;
  const namespace = options.config.connection.namespace;
  const host = hostForClient(devServer.ip);
  const address = `${host}:${devServer.port}`;
  const uiUrl = devServer.headless ? null : `http://${host}:${devServer.uiPort}`;
  // Without this, the health check below could be answered by a server already on the port.
  if (await isPortOpen(host, devServer.port, 1_000)) throw await portTaken(address, devServer.port, 'frontend', options);

  const child = spawn(options.cliPath, await startDevArgs(options), {
    detached: true, // its own process group: a terminal's Ctrl-C reaches us, and we stop it after the worker
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      log.push(line);
      if (log.length > LOG_TAIL) log.shift();
      options.onLog?.(line);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let spawnError: Error | undefined;
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', (err) => resolve((spawnError = err))));
  const serverGone = () => child.exitCode !== null || child.signalCode !== null || spawnError !== undefined;
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const handle: DevServerHandle = {
    address,
    uiUrl,
    pid: child.pid ?? -1,
    stop: (graceMs = 10_000) =>
      (stopping ??= (async () => {
        if (!serverGone()) {
          killGroup(child, 'SIGTERM');
          const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
          await exited;
          clearTimeout(timer);
        }
        process.off('exit', killOnExit);
      })()),
    kill: () => killGroup(child, 'SIGKILL'),
  };

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  let failure = await Promise.race([
    waitUntilServing(address, namespace, timeoutMs, serverGone).then(
      () => null,
      (reason: Error) => ({ timedOut: reason.message }),
    ),
    exited.then((code) => ({ code })),
    spawnFailed.then((error) => ({ error })),
  ]);
  if (failure === null && serverGone()) failure = spawnError ? { error: spawnError } : { code: await exited };
  if (failure === null) return handle;

  await handle.stop(2_000);
  if ('error' in failure) {
    throw new DevServerError(`The Temporal CLI at ${options.cliPath} could not be started (${failure.error.message}).`);
  }
  if ('timedOut' in failure) {
    throw new DevServerError(
      `The Temporal dev server at ${address} did not become ready within ${timeoutMs / 1000}s (${failure.timedOut})` +
        `${lastLines(log)}; it was stopped.`,
      log,
    );
  }
  // Give the readers a moment to deliver the lines written just before the exit.
  await new Promise((resolve) => setImmediate(resolve));
  throw await explainFailure(failure.code, log, address, options);
}

async function startDevArgs({ cliPath, config, projectRoot }: DevServerOptions): Promise<string[]> {
  const { devServer } = config;
  const args = ['server', 'start-dev', '--ip', devServer.ip, '--port', String(devServer.port)];
  if (devServer.headless) {
    args.push('--headless');
  } else {
    args.push('--ui-port', String(devServer.uiPort));
    if (await supportsFlag(cliPath, '--ui-disable-news-fetch')) args.push('--ui-disable-news-fetch');
  }
  if (devServer.dbFile !== null) {
    const dbFile = path.resolve(projectRoot, devServer.dbFile);
    fs.mkdirSync(path.dirname(dbFile), { recursive: true });
    args.push('--db-filename', dbFile);
  }
  if (config.connection.namespace !== 'default') args.push('--namespace', config.connection.namespace);
  args.push('--log-level', devServer.logLevel);
  // `flow list` counts with several visibility queries per call; the dev server's default of 100/s is tight.
  args.push('--dynamic-config-value', 'frontend.namespaceRPS.visibility=1000');
  return args;
}

const flagSupport = new Map<string, Promise<string>>();

async function supportsFlag(cliPath: string, flag: string): Promise<boolean> {
  if (!flagSupport.has(cliPath)) {
    flagSupport.set(
      cliPath,
      runCommand(cliPath, ['server', 'start-dev', '--help']).then((result) => result.stdout + result.stderr),
    );
  }
  return (await flagSupport.get(cliPath)!).includes(flag);
}

/** Polls until the frontend answers and the namespace exists, each attempt on a fresh connection. */
async function waitUntilServing(
  address: string,
  namespace: string,
  timeoutMs: number,
  serverGone: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (serverGone()) return; // the caller reports the exit
    // Dial TCP first: a gRPC attempt at a closed port leaves a deadline timer running after close().
    const { host, port } = splitAddress(address);
    if (!(await isPortOpen(host, port, 500))) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    // A fresh connection per attempt: a channel that failed early would otherwise wait out gRPC's reconnect backoff.
    const connection = Connection.lazy({ address, connectTimeout: 1_000 });
    try {
      await connection.ensureConnected();
      await connection.withDeadline(Date.now() + 2_000, () => connection.workflowService.describeNamespace({ namespace }));
      return;
    } catch (err) {
      lastError = err;
    } finally {
      await connection.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error((lastError as Error | undefined)?.message.split('\n')[0] ?? 'nothing answered');
}

async function explainFailure(
  code: number | null,
  log: string[],
  address: string,
  options: DevServerOptions,
): Promise<Error> {
  const conflict = log.map((line) => PORT_IN_USE.exec(line)).find(Boolean);
  if (conflict) return portTaken(address, Number(conflict[2]), conflict[1]!.toLowerCase(), options);
  return new DevServerError(
    `The Temporal dev server exited with code ${code ?? 'unknown'} before it was ready${lastLines(log)}.`,
    log,
  );
}

function lastLines(log: string[]): string {
  const tail = log.filter((line) => line.trim()).slice(-5);
  return tail.length ? `; its last output: ${tail.join(' | ')}` : '';
}

async function portTaken(
  address: string,
  port: number,
  role: string,
  { config }: Pick<DevServerOptions, 'config'>,
): Promise<PortInUseError> {
  const host = hostForClient(config.devServer.ip);
  if (role === 'frontend' && (await isTemporalReachable(address, {}, 1_000))) {
    return new PortInUseError(
      `A Temporal server already answers at ${address}; point connection.address at it to use it, or set devServer.port in temporal.yaml to a free port.`,
      port,
    );
  }
  const key = role === 'ui' ? 'devServer.uiPort' : role === 'frontend' ? 'devServer.port' : null;
  return new PortInUseError(
    `Port ${port} on ${host} is already in use by another program, so the Temporal dev server cannot start; ` +
      (key ? `stop that program or set ${key} in temporal.yaml to a free port.` : 'stop that program and try again.'),
    port,
  );
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
