import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { bundleFlows } from '../../src/worker';
import { flowTestEnv, eventually, type FlowTestEnv } from '../helpers/flows';

/**
 * Determinism guard: histories recorded from the example flows (binary protobuf, committed
 * under test/fixtures/histories) must replay on today's code. Re-record with UPDATE_HISTORIES=1.
 */
const dir = path.join(__dirname, '..', 'fixtures', 'histories');

const examples: Array<{ name: string; type: string; input: unknown; drive?: (env: FlowTestEnv, flowId: string) => Promise<void> }> = [
  { name: 'greeting', type: 'greeting', input: { name: 'Ada' } },
  {
    name: 'document-approval',
    type: 'documentApproval',
    input: { documentId: 'replay-doc', title: 'Replay' },
    drive: async (env, flowId) => {
      await eventually(() => env.client.snapshot(flowId), (s) => s.flow.status === 'waiting');
      await env.client.patchState(flowId, { words: 3 });
      await env.client.resume(flowId, { approved: true, approver: 'Linus' });
    },
  },
  { name: 'thumbnail-batch', type: 'thumbnailBatch', input: { images: ['a.png', 'b.png', 'c.png'] } },
  { name: 'data-export', type: 'dataExport', input: { tables: ['a', 'b'], rowsPerTable: 2000, msPerChunk: 10 } },
  {
    name: 'data-export-cancelled',
    type: 'dataExport',
    input: { tables: ['a'], rowsPerTable: 1_000_000, msPerChunk: 50 },
    drive: async (env, flowId) => {
      await eventually(() => env.client.snapshot(flowId), (s) => s.flow.tasks.some((t) => t.status === 'running'));
      await env.client.cancel(flowId, { reason: 'replay fixture', wait: true });
    },
  },
];

async function recordHistories(): Promise<void> {
  const env = await flowTestEnv();
  await env.startWorker();
  try {
    for (const example of examples) {
      const started = await env.client.start(example.type, example.input);
      await example.drive?.(env, started.flowId);
      const handle = env.client.client.workflow.getHandle(started.flowId);
      await eventually(() => handle.describe(), (d) => d.status.name !== 'RUNNING', 30_000);
      const history = temporal.api.history.v1.History.fromObject(await handle.fetchHistory());
      fs.writeFileSync(path.join(dir, `${example.name}.history.bin`), temporal.api.history.v1.History.encode(history).finish());
    }
  } finally {
    await env.teardown();
  }
}

test('recorded histories of every example flow replay without non-determinism', async () => {
  fs.mkdirSync(dir, { recursive: true });
  if (process.env.UPDATE_HISTORIES === '1' || fs.readdirSync(dir).length === 0) await recordHistories();
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.history.bin'));
  expect(files.length).toBeGreaterThanOrEqual(examples.length);

  const workflowBundle = await bundleFlows();
  const histories = files.map((f) => ({ workflowId: f, history: temporal.api.history.v1.History.decode(fs.readFileSync(path.join(dir, f))) }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
}, 120_000);
