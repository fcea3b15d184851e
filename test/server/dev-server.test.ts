import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { parseConfig } from '../../src/config';
import { FLOW_SEARCH_ATTRIBUTES, SA_REVISION, SA_SYNC_MODE } from '../../src/model/search-attributes';
import {
  PortInUseError,
  registerSearchAttributes,
  SearchAttributeError,
  startDevServer,
  type DevServerHandle,
} from '../../src/server';
import { freePorts } from '../global-setup';
import { eventually, testConnection, testNamespace } from '../helpers/server';

const cliPath = () => {
  const cli = process.env.TEMPORAL_CLI;
  if (!cli) throw new Error('TEMPORAL_CLI is not set; global setup provides it.');
  return cli;
};

/** A dev server config on fresh free ports; `dbFile` null keeps it in memory. */
async function devServerConfig(dbFile: string | null, headless = true) {
  const [port, uiPort] = await freePorts(2);
  const base = parseConfig('');
  return {
    connection: { namespace: 'default' },
    devServer: { ...base.devServer, port: port!, uiPort: uiPort!, headless, dbFile },
  };
}

/** Command lines of running `temporal server start-dev` processes on `port`. */
function serverProcessesOn(port: number): string[] {
  const { stdout } = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return stdout.split('\n').filter((line) => line.includes('start-dev') && line.includes(`--port ${port} `));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('registerSearchAttributes', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await testConnection();
  });
  afterAll(() => connection.close());

  it('is idempotent: a second run against the same namespace adds nothing and succeeds', async () => {
    await registerSearchAttributes(connection, testNamespace());
    const again = await registerSearchAttributes(connection, testNamespace());

    expect(again.added).toEqual([]);
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: testNamespace() });
    const wire = { KEYWORD: 2, INT: 3, BOOL: 5, DATETIME: 6 };
    for (const { name, type } of FLOW_SEARCH_ATTRIBUTES) {
      expect({ name, type: customAttributes?.[name] }).toEqual({ name, type: wire[type] });
    }
  });

  it('names an attribute that exists with another type, and changes nothing', async () => {
    const name = 'TaskFlowTestClash';
    await registerSearchAttributes(connection, testNamespace(), [{ name, type: 'KEYWORD' }]);

    const clash = registerSearchAttributes(connection, testNamespace(), [{ name, type: 'INT' }]);

    await expect(clash).rejects.toThrow(SearchAttributeError);
    await expect(clash).rejects.toThrow(
      `The search attribute ${name} is already registered as KEYWORD, but TaskFlow needs INT; ` +
        `remove it (temporal operator search-attribute remove --name ${name}) or use another namespace.`,
    );
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: testNamespace() });
    expect(customAttributes?.[name]).toBe(2);
  });

  it('says when the namespace does not exist', async () => {
    await expect(registerSearchAttributes(connection, 'no-such-namespace')).rejects.toThrow(
      'Namespace no-such-namespace does not exist on the Temporal server; create it (temporal operator namespace create -n no-such-namespace) or set connection.namespace in temporal.yaml.',
    );
  });
});

describe('startDevServer', () => {
  const started: DevServerHandle[] = [];
  afterAll(async () => {
    await Promise.all(started.map((server) => server.stop()));
  });

  it('keeps a workflow and its search attributes in the database file across a stop and a start', async () => {
    const projectRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-devserver-'));
    const dbFile = 'state/flows.db';
    const workflowId = `persisted-${randomUUID()}`;

    const first = await startDevServer({ cliPath: cliPath(), config: await devServerConfig(dbFile), projectRoot });
    started.push(first);
    expect(fs.existsSync(path.join(projectRoot, dbFile))).toBe(true);
    let connection = await Connection.connect({ address: first.address });
    try {
      expect((await registerSearchAttributes(connection, 'default')).added).toHaveLength(FLOW_SEARCH_ATTRIBUTES.length);
      // No worker is needed: the execution and its attributes exist as soon as it is started.
      await new Client({ connection }).workflow.start('persistedFlow', {
        workflowId,
        taskQueue: `persist-${randomUUID()}`,
        typedSearchAttributes: [
          { key: SA_SYNC_MODE, value: 'managed' },
          { key: SA_REVISION, value: 3 },
        ],
      });
    } finally {
      await connection.close();
    }
    await first.stop();
    expect(isRunning(first.pid)).toBe(false);

    const second = await startDevServer({ cliPath: cliPath(), config: await devServerConfig(dbFile), projectRoot });
    started.push(second);
    expect(second.address).not.toBe(first.address);
    connection = await Connection.connect({ address: second.address });
    try {
      expect((await registerSearchAttributes(connection, 'default')).added).toEqual([]);
      const client = new Client({ connection });
      const description = await client.workflow.getHandle(workflowId).describe();
      expect(description.status.name).toBe('RUNNING');
      expect(description.typedSearchAttributes.get(SA_SYNC_MODE)).toBe('managed');
      expect(description.typedSearchAttributes.get(SA_REVISION)).toBe(3);

      const listed = await eventually(
        async () => {
          const ids: string[] = [];
          for await (const info of client.workflow.list({ query: `TaskFlowSyncMode = 'managed' AND TaskFlowRevision = 3` })) {
            ids.push(info.workflowId);
          }
          return ids;
        },
        (ids) => ids.includes(workflowId),
      );
      expect(listed).toEqual([workflowId]);
    } finally {
      await connection.close();
    }
    await second.stop();
    expect(isRunning(second.pid)).toBe(false);
  });

  it('reports a port held by a plain TCP listener quickly, naming the port and the key to change', async () => {
    const sockets = new Set<net.Socket>();
    const squatter = net.createServer((socket) => {
      sockets.add(socket);
      socket.resume();
    });
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as net.AddressInfo).port;
    try {
      const config = await devServerConfig(null);
      config.devServer.port = port;
      const began = Date.now();

      const attempt = startDevServer({ cliPath: cliPath(), config, projectRoot: os.tmpdir() });

      await expect(attempt).rejects.toThrow(PortInUseError);
      await expect(attempt).rejects.toThrow(
        `Port ${port} on 127.0.0.1 is already in use by another program, so the Temporal dev server cannot start; ` +
          'stop that program or set devServer.port in temporal.yaml to a free port.',
      );
      expect(Date.now() - began).toBeLessThan(5_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('gives up at the deadline with a clear error, and stops the server it spawned', async () => {
    const config = await devServerConfig(null);

    const attempt = startDevServer({ cliPath: cliPath(), config, projectRoot: os.tmpdir(), startTimeoutMs: 1 });

    await expect(attempt).rejects.toMatchObject({ type: 'dev_server_failed' });
    await expect(attempt).rejects.toThrow(
      new RegExp(`^The Temporal dev server at 127\\.0\\.0\\.1:${config.devServer.port} did not become ready within 0\\.001s \\(.+\\).*; it was stopped\\.$`),
    );
    expect(serverProcessesOn(config.devServer.port)).toEqual([]);
  });

  it('reports a Web UI port that is taken, naming devServer.uiPort, and leaves no process behind', async () => {
    const squatter = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const uiPort = (squatter.address() as net.AddressInfo).port;
    try {
      const config = await devServerConfig(null, false);
      config.devServer.uiPort = uiPort;

      const attempt = startDevServer({ cliPath: cliPath(), config, projectRoot: os.tmpdir() });

      await expect(attempt).rejects.toMatchObject({ type: 'port_in_use', port: uiPort });
      await expect(attempt).rejects.toThrow(`set devServer.uiPort in temporal.yaml to a free port.`);
      // Nothing answers on the gRPC port the failed server would have used.
      const probe = await fetch(`http://127.0.0.1:${config.devServer.port}`).then(
        () => 'answered',
        () => 'refused',
      );
      expect(probe).toBe('refused');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
