import * as net from 'node:net';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { ensureTemporalCli, registerSearchAttributes, startDevServer, type DevServerHandle } from '../src/server';

declare global {
  // Read back by global-teardown (same process).
  var __TASKFLOW_TEST_SERVER__: DevServerHandle | undefined;
}

const NAMESPACE = 'default';

/**
 * One Temporal dev server for the whole run: in memory, on free ports, headless unless
 * TASKFLOW_TEST_UI=1. Tests find it through TASKFLOW_TEST_ADDRESS / _NAMESPACE / _UI_URL; when
 * TASKFLOW_TEST_ADDRESS is already set, that server is used and nothing is started.
 */
export default async function globalSetup(): Promise<void> {
  const projectRoot = path.resolve(__dirname, '..');
  const config = loadConfig({ cwd: projectRoot, env: {} });
  const cli = await ensureTemporalCli({
    config,
    projectRoot,
    onProgress: (line) => process.stderr.write(`[test server] ${line}\n`),
  });
  // Tests that start servers of their own (dev-server.test.ts) use the same binary.
  process.env.TEMPORAL_CLI = cli.path;
  if (process.env.TASKFLOW_TEST_ADDRESS) {
    process.env.TASKFLOW_TEST_NAMESPACE ||= NAMESPACE;
    process.env.TASKFLOW_TEST_UI_URL ??= '';
    return;
  }

  const withUi = process.env.TASKFLOW_TEST_UI === '1';
  const [port, uiPort] = await freePorts(2);
  const server = await startDevServer({
    cliPath: cli.path,
    projectRoot,
    config: {
      connection: { namespace: NAMESPACE },
      devServer: { ...config.devServer, ip: '127.0.0.1', port: port!, uiPort: uiPort!, headless: !withUi, dbFile: null },
    },
  });
  globalThis.__TASKFLOW_TEST_SERVER__ = server;

  const connection = await Connection.connect({ address: server.address });
  try {
    await registerSearchAttributes(connection, NAMESPACE);
  } finally {
    await connection.close();
  }

  // Set here, inherited by the test workers jest forks after global setup.
  process.env.TASKFLOW_TEST_ADDRESS = server.address;
  process.env.TASKFLOW_TEST_NAMESPACE = NAMESPACE;
  process.env.TASKFLOW_TEST_UI_URL = server.uiUrl ?? '';
  if (withUi) process.stderr.write(`\n[test server] Web UI: ${server.uiUrl}\n`);
}

/** Ports the OS says are free now, held together so they differ. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
