import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { FlowClient } from '../../src/client';
import { eventually, flowTestConfig } from '../helpers/flows';
import { exited, processEnv, spawnTs } from '../helpers/processes';

const config = flowTestConfig();
const ledger = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-ledger-')), 'ledger.jsonl');
let client: FlowClient;
let worker: ChildProcess | undefined;

const startWorker = () => spawnTs('test/fixtures/worker-process.ts', processEnv(config, { TASKFLOW_TEST_LEDGER: ledger }), 'worker ready');

beforeAll(async () => {
  client = await FlowClient.connect(config);
});
afterAll(async () => {
  worker?.kill('SIGKILL');
  await client?.close();
});

test('SIGKILL of the worker mid-task loses nothing: a new worker finishes every flow, each task completing once', async () => {
  worker = await startWorker();
  const flows = await Promise.all([
    ...Array.from({ length: 4 }, (_, i) => client.start('dataExport', { tables: [`t${i}a`, `t${i}b`], rowsPerTable: 6000, msPerChunk: 400 })),
    ...Array.from({ length: 3 }, (_, i) => client.start('thumbnailBatch', { images: [`k${i}.jpg`, `l${i}.jpg`] })),
    client.start('greeting', { name: 'Kill' }),
  ]);
  // Kill while the exports are mid-task: each has heartbeated at least once.
  await eventually(
    () => Promise.all(flows.filter((f) => f.flowType === 'dataExport').map((f) => client.snapshot(f.flowId))),
    (snapshots) => snapshots.every((s) => s.flow.tasks.some((t) => t.progressSummary !== null)),
  );
  worker.kill('SIGKILL');
  await exited(worker);

  worker = await startWorker();
  const finished = await eventually(
    () => Promise.all(flows.map((f) => client.snapshot(f.flowId))),
    (snapshots) => snapshots.every((s) => s.flow.status === 'succeeded'),
    90_000,
  );
  for (const { flow } of finished) {
    expect(flow.tasks.every((t) => t.status === 'succeeded')).toBe(true);
    expect(flow.taskSummary.active).toBe(0);
  }
  const completions = fs.readFileSync(ledger, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { flowId: string; taskId: string });
  const perTask = new Map<string, number>();
  for (const c of completions) perTask.set(`${c.flowId}/${c.taskId}`, (perTask.get(`${c.flowId}/${c.taskId}`) ?? 0) + 1);
  const expectedTasks = finished.reduce((n, s) => n + s.flow.tasks.length, 0);
  expect(perTask.size).toBe(expectedTasks);
  expect([...perTask.values()].every((n) => n === 1)).toBe(true);

  worker.kill('SIGTERM');
  await exited(worker);
}, 120_000);
