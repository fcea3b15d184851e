import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Connection } from '@temporalio/client';
import { FlowClient } from '../../src/client';
import type { FlowRecord } from '../../src/model/records';
import { FLOW_SEARCH_ATTRIBUTES, SA_SYNC_MODE } from '../../src/model/search-attributes';
import { registerSearchAttributes } from '../../src/server';
import { ensureBuilt } from '../cli/helpers';
import { testConfig, testConnection } from '../helpers/server';
import { bareDir, cluster, startWorker, taskflow, until, userEnv, type WorkerProcess } from './support';

/**
 * TaskFlow on a self-hosted Temporal cluster (deploy/cluster: four service processes on PostgreSQL),
 * as a user runs it: `taskflow worker` and the CLI with only TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE
 * set, from a directory with no temporal.yaml. Then the faults a cluster has: its history service
 * SIGKILLed mid-flow, the whole cluster SIGKILLed mid-flow, and one of two workers SIGKILLed; every
 * flow must finish afterwards, as it would have undisturbed.
 */

const env = userEnv();
const cwd = bareDir();
const cli = (...args: string[]) => taskflow(args, env, cwd);
const workers: WorkerProcess[] = [];
let client: FlowClient;
let connection: Connection;

beforeAll(async () => {
  await ensureBuilt();
  workers.push(await startWorker(env, cwd));
  client = await FlowClient.connect(testConfig({ taskQueue: 'taskflow' }));
  connection = await testConnection();
}, 300_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await client?.close();
  await connection?.close();
});

/** The flow's record as `flow show --json` prints it. */
async function show(flowId: string): Promise<FlowRecord> {
  const run = await cli('flow', 'show', flowId, '--json');
  if (run.code !== 0) throw new Error(`flow show ${flowId}: ${run.stdout}${run.stderr}`);
  return run.json<FlowRecord>();
}

const snapshot = (flowId: string) => client.snapshot(flowId).then((s) => s.flow);

/** Flows part-way: long exports heartbeating progress, and approvals waiting for a person. */
async function flowsMidway(tag: string, exports: number, approvals: number): Promise<FlowRecord[]> {
  const flows = await Promise.all([
    ...Array.from({ length: exports }, (_, i) =>
      client.start('dataExport', { tables: [`${tag}-orders-${i}`, `${tag}-users-${i}`], rowsPerTable: 30_000, msPerChunk: 500 }),
    ),
    ...Array.from({ length: approvals }, (_, i) => client.start('documentApproval', { documentId: `${tag}-doc-${i}-${randomUUID().slice(0, 6)}`, title: `Doc ${i}` })),
  ]);
  await until(
    () => Promise.all(flows.map((f) => snapshot(f.flowId))),
    (all) => all.every((f) => (f.flowType === 'documentApproval' ? f.status === 'waiting' : f.tasks.some((t) => t.progressSummary !== null))),
    180_000,
    `${tag}: every flow part-way`,
  );
  return flows;
}

/** Resumes the approvals once they wait again, then waits until every flow ended; all must succeed. */
async function everyFlowFinishes(tag: string, flows: FlowRecord[], timeoutMs = 420_000): Promise<void> {
  for (const flow of flows.filter((f) => f.flowType === 'documentApproval')) {
    await until(() => snapshot(flow.flowId), (f) => f.status === 'waiting', timeoutMs, `${tag}: ${flow.flowId} waiting again`);
    await until(
      () => client.resume(flow.flowId, { approved: true, approver: 'Grace' }, { requestId: `${flow.flowId}-approve` }),
      (r) => r.applied,
      120_000,
      `${tag}: resume ${flow.flowId}`,
    );
  }
  const ended = await until(
    () => Promise.all(flows.map((f) => snapshot(f.flowId))),
    (all) => all.every((f) => f.endedAt !== null),
    timeoutMs,
    `${tag}: every flow ended`,
  );
  expect(ended.map((f) => ({ flowId: f.flowId, status: f.status, error: f.error }))).toEqual(flows.map((f) => ({ flowId: f.flowId, status: 'succeeded', error: null })));
  for (const flow of ended) {
    expect({ flowId: flow.flowId, stillActive: flow.tasks.filter((t) => t.status === 'queued' || t.status === 'running').map((t) => t.taskId) }).toEqual({ flowId: flow.flowId, stillActive: [] });
    if (flow.flowType === 'dataExport') expect(flow.result).toEqual({ tables: 2, rows: 60_000 });
  }
}

/** A worker SIGKILLed with the cluster may have exited; a user would start it again. */
async function workersAlive(): Promise<void> {
  for (const [i, worker] of workers.entries()) {
    if (!worker.alive()) {
      process.stderr.write(`[cluster test] worker ${i} exited while the cluster was down; starting it again. Its output: ${worker.output().slice(-500)}\n`);
      workers[i] = await startWorker(env, cwd);
    }
  }
}

test('taskflow worker with only TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE registers the search attributes it needs', async () => {
  expect(Object.keys(env).filter((name) => name.startsWith('TEMPORAL_') || name.startsWith('TASKFLOW_')).sort()).toEqual(['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE']);
  expect(workers[0]!.output()).toContain(`Worker running on task queue taskflow (namespace default at ${env.TEMPORAL_ADDRESS})`);
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
  for (const { name } of FLOW_SEARCH_ATTRIBUTES) expect(Object.keys(customAttributes ?? {})).toContain(name);
});

test("a shared namespace: the worker runs beside other Int attributes while they leave room, else says what to free", async () => {
  const intNeeded = FLOW_SEARCH_ATTRIBUTES.filter(({ type }) => type === 'INT').length;
  const namespaceWith = async (others: number) => {
    const namespace = `shared-${others}-${randomUUID().slice(0, 6)}`;
    await promisify(execFile)(process.env.TEMPORAL_CLI!, ['operator', 'namespace', 'create', '--namespace', namespace, '--address', env.TEMPORAL_ADDRESS!]);
    const names = Array.from({ length: others }, (_, i) => `OtherAppInt${i}`);
    await until(
      () => registerSearchAttributes(connection, namespace, names.map((name) => ({ name, type: 'INT' as const }))),
      () => true,
      60_000,
      `${namespace} ready`,
    );
    return { namespace, names };
  };
  // SQL visibility allows 3 Int attributes per namespace.
  const roomy = await namespaceWith(3 - intNeeded);
  const worker = await startWorker(userEnv({ TEMPORAL_NAMESPACE: roomy.namespace }), cwd);
  await worker.kill();

  const full = await namespaceWith(4 - intNeeded);
  const refused = await taskflow(['worker'], userEnv({ TEMPORAL_NAMESPACE: full.namespace }), cwd);
  expect(refused.code).toBe(1);
  expect(refused.stderr.trim()).toMatch(
    new RegExp(`^Namespace ${full.namespace} has no room for TaskFlow's Int search attributes? .*\\(the server allows 3 of type Int per namespace and ${full.names.join(', ')} holds? (one|\\d)\\); remove .* or give TaskFlow a namespace of its own \\(TEMPORAL_NAMESPACE\\)\\.$`),
  );
});

test('managed flows: start, resume and cancel through the CLI', async () => {
  const greeting = await cli('flow', 'start', 'greeting', '--input', '{"name":"Cluster"}', '--json');
  expect(greeting.code).toBe(0);
  const greetingId = greeting.json().flow.flowId as string;

  const approval = await cli('flow', 'start', 'documentApproval', '--input', `{"documentId":"cl-doc-${randomUUID().slice(0, 6)}","title":"Cluster notes"}`, '--json');
  expect(approval.code).toBe(0);
  const approvalId = approval.json().flow.flowId as string;
  await until(() => show(approvalId), (f) => f.status === 'waiting', 120_000, 'approval waiting');
  const resumed = await cli('flow', 'resume', approvalId, '--data', '{"approved":true,"approver":"Grace"}', '--json');
  expect(resumed.code).toBe(0);

  const exported = await cli('flow', 'start', 'dataExport', '--input', '{"tables":["big"],"rowsPerTable":200000,"msPerChunk":500}', '--json');
  const exportId = exported.json().flow.flowId as string;
  await until(() => show(exportId), (f) => f.tasks.some((t) => t.status === 'running'), 120_000, 'export running');
  const cancelled = await cli('flow', 'cancel', exportId, '--reason', 'cluster smoke', '--json');
  expect(cancelled.code).toBe(0);

  expect(await until(() => show(greetingId), (f) => f.endedAt !== null, 120_000, 'greeting ended')).toMatchObject({ status: 'succeeded' });
  expect(await until(() => show(approvalId), (f) => f.endedAt !== null, 120_000, 'approval ended')).toMatchObject({ status: 'succeeded', state: { approver: 'Grace' } });
  expect(await until(() => show(exportId), (f) => f.endedAt !== null, 120_000, 'export ended')).toMatchObject({ status: 'cancelled' });
});

test('mirrored flows: report (creating the flow) and finish through the CLI', async () => {
  const flowId = `cl-job-${randomUUID().slice(0, 8)}`;
  const created = await cli('flow', 'report', flowId, '--create', '--task', 'build', '--status', 'running', '--goal', 'Nightly build', '--no-auto-complete', '--json');
  expect(created.code).toBe(0);
  expect(created.json().flow).toMatchObject({ flowId, syncMode: 'mirrored', status: 'running' });
  const done = await cli('flow', 'report', flowId, '--task', 'build', '--status', 'succeeded', '--summary', 'artefacts uploaded', '--event-id', 'ev-2', '--json');
  expect(done.json().flow).toMatchObject({ status: 'waiting' });
  const again = await cli('flow', 'report', flowId, '--task', 'build', '--status', 'succeeded', '--summary', 'artefacts uploaded', '--event-id', 'ev-2', '--json');
  expect(again.json()).toMatchObject({ applied: false });
  const finished = await cli('flow', 'finish', flowId, '--json');
  expect(finished.code).toBe(0);
  expect(finished.json().flow).toMatchObject({ status: 'succeeded' });
  expect(finished.json().flow.endedAt).not.toBeNull();
});

test('list filters, the pressure line and prefix lookup answer from SQL visibility', async () => {
  const tag = randomUUID().slice(0, 8);
  const started = await cli('flow', 'start', 'greeting', '--input', '{"name":"Lookup"}', '--id', `greeting-prefix-${tag}-0001`, '--lookup-key', `lk-${tag}`, '--json');
  expect(started.code).toBe(0);
  const flowId = `greeting-prefix-${tag}-0001`;
  await until(() => show(flowId), (f) => f.status === 'succeeded', 120_000, 'greeting succeeded');

  const ids = (run: { json(): { flows: FlowRecord[] } }) => run.json().flows.map((f) => f.flowId);
  const byKey = await until(() => cli('flow', 'list', '--lookup-key', `lk-${tag}`, '--json'), (r) => r.code === 0 && ids(r).length === 1, 60_000, 'list by lookup key');
  expect(byKey.json().flows[0]).toMatchObject({ flowId, status: 'succeeded', syncMode: 'managed', lookupKey: `lk-${tag}` });
  const filtered = await until(
    () => cli('flow', 'list', '--status', 'succeeded', '--type', 'greeting', '--mode', 'managed', '--since', '1h', '--limit', '1000', '--json'),
    (r) => r.code === 0 && ids(r).includes(flowId),
    60_000,
    'list by status, type and mode',
  );
  expect(filtered.json().flows.every((f: FlowRecord) => f.status === 'succeeded' && f.flowType === 'greeting' && f.syncMode === 'managed')).toBe(true);
  const mirrored = await cli('flow', 'list', '--mode', 'mirrored', '--json');
  expect(ids(mirrored)).not.toContain(flowId);
  expect(mirrored.json().flows.every((f: FlowRecord) => f.syncMode === 'mirrored')).toBe(true);

  const text = await cli('flow', 'list', '--limit', '5');
  expect(text.code).toBe(0);
  expect(text.stdout.split('\n')[0]).toMatch(/^\d+ active · \d+ waiting · \d+ blocked · \d+ issues · \d+ cancel-requested · \d+ total$/);

  const byPrefix = await cli('flow', 'show', `greeting-prefix-${tag}`, '--json');
  expect(byPrefix.code).toBe(0);
  expect(byPrefix.json()).toMatchObject({ flowId, status: 'succeeded' });
});

test('a managed flow continues as new on the cluster and keeps its id and every task', async () => {
  const flowId = `catalogReindex-cl-${randomUUID().slice(0, 8)}`;
  const items = 300;
  // TaskFlow's start options (here: continue-as-new early) travel in the start memo, beside the input.
  await client.start('catalogReindex', { catalog: 'cluster', items, pageSize: 50 }, { flowId, continueAsNewAfterEvents: 300 });
  const flow = await until(() => show(flowId), (f) => f.status === 'succeeded', 300_000, 'reindex succeeded');
  expect(flow.result).toEqual({ reindexed: items });
  expect(flow.tasks).toHaveLength(items);
  const runs = [];
  for await (const info of client.client.workflow.list({ query: `WorkflowId = '${flowId}'` })) runs.push(info.status.name);
  expect(runs.length).toBeGreaterThan(1);
  expect(runs.filter((s) => s === 'CONTINUED_AS_NEW')).toHaveLength(runs.length - 1);
});

test('history service SIGKILLed mid-flow: reads say the server answered UNAVAILABLE; every flow finishes once it is back', async () => {
  const flows = await flowsMidway('history', 3, 2);
  const retryId = `greeting-retry-${randomUUID().slice(0, 8)}`;
  await cluster('kill', 'history');
  try {
    // The frontend still answers; what it says is UNAVAILABLE, within the read timeout.
    const failed = await until(
      async () => {
        const began = Date.now();
        const run = await cli('flow', 'show', flows[0]!.flowId, '--json');
        return { run, tookMs: Date.now() - began };
      },
      ({ run }) => run.code === 1,
      120_000,
      'a read fails while history is down',
    );
    const error = failed.run.json().error;
    expect(error).toMatchObject({ type: 'server_unavailable', address: env.TEMPORAL_ADDRESS, status: 'UNAVAILABLE' });
    expect(error.message).toMatch(new RegExp(`^The Temporal server at ${env.TEMPORAL_ADDRESS} answered UNAVAILABLE: .+; it runs but cannot serve this now`));
    expect(error.message).not.toContain('npm start');
    // 10 s timeout, plus a CLI start-up on a busy machine; the SDK's own retries took 24-44 s.
    expect(failed.tookMs).toBeLessThan(25_000);
    // Listing reads SQL visibility, which needs no history service.
    const listed = await cli('flow', 'list', '--json');
    expect(listed.code).toBe(0);
    // A start is sent before it fails: it may have been applied, and the same --id is the safe retry.
    const start = await cli('flow', 'start', 'greeting', '--input', '{"name":"Retry"}', '--id', retryId, '--json');
    expect(start.code).toBe(1);
    expect(start.json().error).toMatchObject({ type: 'server_unavailable', status: 'UNAVAILABLE', mayHaveBeenApplied: true, flowId: retryId });
    expect(start.json().error.message).toMatch(
      new RegExp(`after the write was sent, so it may or may not have been applied; running the same start with --id ${retryId} is safe: if the first one started, it answers flow_exists\\.$`),
    );
  } finally {
    await cluster('start', 'history');
  }
  const retried = await until(
    () => cli('flow', 'start', 'greeting', '--input', '{"name":"Retry"}', '--id', retryId, '--json'),
    (r) => r.code === 0 || r.json().error?.type === 'flow_exists',
    180_000,
    'the start retried with the same --id',
  );
  expect(retried.code === 0 || retried.json().error.type === 'flow_exists').toBe(true);
  await everyFlowFinishes('history', [...flows, await snapshot(retryId)]);
});

test('the whole cluster SIGKILLed mid-flow: nothing answers meanwhile; every flow finishes once it is back', async () => {
  const flows = await flowsMidway('all', 3, 2);
  await cluster('kill');
  try {
    const down = await cli('flow', 'list');
    expect(down.code).toBe(1);
    expect(down.stderr.trim()).toBe(
      `Nothing answers at ${env.TEMPORAL_ADDRESS} (connection refused); check that the Temporal frontend runs there and that TEMPORAL_ADDRESS names it.`,
    );
  } finally {
    await cluster('start');
  }
  await workersAlive();
  await everyFlowFinishes('whole cluster', flows);
});

test('two workers, one SIGKILLed mid-flow: every flow finishes on the other', async () => {
  await workersAlive();
  workers.push(await startWorker(env, cwd));
  const flows = await flowsMidway('worker', 4, 2);
  await workers[0]!.kill();
  expect(workers[1]!.alive()).toBe(true);
  await everyFlowFinishes('one worker killed', flows);
  expect(workers[1]!.alive()).toBe(true);
});
