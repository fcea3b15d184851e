import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { FlowClient } from '../../../src/client';
import { parseConfig, type TaskFlowConfig } from '../../../src/config';
import type { FlowRecord } from '../../../src/model/records';
import { connectToTemporal, registerSearchAttributes, startDevServer, type DevServerHandle } from '../../../src/server';
import { freePorts } from '../../global-setup';
import { eventually } from '../../helpers/server';
import { exited, processEnv, spawnTs } from '../../helpers/processes';
import { emptyMetrics, type ScenarioMetrics } from './metrics';

const EXPORT = { tables: ['orders', 'users'], rowsPerTable: 12_000, msPerChunk: 300 };
const APPROVAL = (i: number) => ({ documentId: `crash-doc-${i}`, title: `Doc ${i}` });

/**
 * Server crash: flows mid-way on a dev server with a database file; the server is SIGKILLed and
 * restarted on the same file. Every flow must resume and complete with the revision an undisturbed
 * run of the same flow reaches (no revision lost or repeated), and search attributes must answer.
 */
export async function serverCrash(cliPath: string, size: { flows: number }): Promise<ScenarioMetrics> {
  const metrics = emptyMetrics('server crash (SIGKILL, same db file)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-server-crash-'));
  const [port, uiPort] = await freePorts(2);
  const config: TaskFlowConfig = parseConfig('');
  config.devServer = { ...config.devServer, port: port!, uiPort: uiPort!, headless: true, dbFile: path.join(dir, 'flows.db'), logLevel: 'error' };
  config.connection.address = `127.0.0.1:${port}`;
  config.taskQueue = `crash-${randomUUID()}`;

  const serve = async () => {
    const handle = await startDevServer({ cliPath, config, projectRoot: dir });
    const connection = await connectToTemporal(config);
    try {
      await registerSearchAttributes(connection, config.connection.namespace);
    } finally {
      await connection.close();
    }
    return handle;
  };
  let server: DevServerHandle = await serve();
  let worker: ChildProcess = await spawnTs('test/fixtures/worker-process.ts', processEnv(config), 'worker ready');
  const client = await FlowClient.connect(config);
  try {
    const finished = (f: FlowRecord) => client.snapshot(f.flowId).then((s) => s.flow);
    // Undisturbed runs give the revisions every flow of the same kind must end with.
    const referenceExport = await client.start('dataExport', EXPORT);
    const referenceApproval = await client.start('documentApproval', APPROVAL(-1));
    await eventually(() => finished(referenceApproval), (f) => f.status === 'waiting');
    await client.resume(referenceApproval.flowId, { approved: true, approver: 'Ref' });
    const expectedRevision = {
      dataExport: (await eventually(() => finished(referenceExport), (f) => f.status === 'succeeded', 60_000)).revision,
      documentApproval: (await eventually(() => finished(referenceApproval), (f) => f.status === 'succeeded')).revision,
    };

    const flows = await Promise.all(
      Array.from({ length: size.flows }, (_, i) => (i % 2 ? client.start('documentApproval', APPROVAL(i)) : client.start('dataExport', EXPORT))),
    );
    metrics.flows = flows.length;
    await eventually(
      () => Promise.all(flows.map(finished)),
      (all) => all.every((f) => f.status === 'waiting' || f.endedAt !== null || f.tasks.some((t) => t.progressSummary !== null)),
      60_000,
    );

    server.kill();
    await server.stop();
    metrics.faults++;
    server = await serve();
    const restartedAt = Date.now();
    if (worker.exitCode !== null) worker = await spawnTs('test/fixtures/worker-process.ts', processEnv(config), 'worker ready');

    for (const [i, flow] of flows.entries()) {
      if (i % 2) await eventually(() => finished(flow), (f) => f.status === 'waiting', 60_000).then(() => client.resume(flow.flowId, { approved: true, approver: `A${i}` }));
    }
    const endedAt = new Map<string, number>();
    const ended = await eventually(
      async () => {
        const all = await Promise.all(flows.map(finished));
        for (const f of all) if (f.endedAt && !endedAt.has(f.flowId)) endedAt.set(f.flowId, Date.now());
        return all;
      },
      (all) => all.every((f) => f.endedAt !== null),
      120_000,
    );
    metrics.recoveryMs = flows.map((f) => (endedAt.get(f.flowId) ?? Date.now()) - restartedAt);
    for (const flow of ended) {
      const expected = expectedRevision[flow.flowType as keyof typeof expectedRevision];
      if (flow.status !== 'succeeded') {
        metrics.lost++;
        metrics.notes.push(`${flow.flowId} ended ${flow.status}: ${flow.error}`);
      } else if (flow.revision !== expected) {
        metrics.duplicated++;
        metrics.notes.push(`${flow.flowId} ended at revision ${flow.revision}; an undisturbed run ends at ${expected}`);
      }
      if (flow.tasks.some((t) => t.status === 'queued' || t.status === 'running')) metrics.stuck++;
    }
    const listed = await eventually(
      () => client.list({ statuses: ['succeeded'] }, 1000),
      (l) => flows.every((f) => l.flows.some((r) => r.flowId === f.flowId)),
      30_000,
    ).catch(() => null);
    if (!listed) metrics.notes.push('search attributes did not list every flow as succeeded after the restart');
    return metrics;
  } finally {
    await client.close();
    worker.kill('SIGKILL');
    await exited(worker);
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
