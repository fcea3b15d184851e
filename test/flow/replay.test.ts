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

interface Example {
  name: string;
  type: string;
  input: unknown;
  /** How the flow starts, when not by `client.start(type, input)`, under `flowId`. */
  start?: (env: FlowTestEnv, flowId: string) => Promise<void>;
  drive?: (env: FlowTestEnv, flowId: string) => Promise<void>;
  /** Also record the first run's history (for a flow that continues as new): `<name>-first-run`. */
  firstRun?: boolean;
}

const examples: Example[] = [
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
  {
    // A mirrored flow: created by a report, tasks reported through update and signal, then finished.
    name: 'mirrored',
    type: 'mirrored',
    input: null,
    start: async (env, flowId) => {
      await env.client.report(flowId, { taskId: 'build', status: 'running', kind: 'ci' }, { create: { autoComplete: false, goal: 'Replay' } });
      await env.client.report(flowId, { taskId: 'build', status: 'succeeded', summary: 'built' });
      await env.client.report(flowId, { taskId: 'test', status: 'failed', summary: 'one flaky test' });
      await env.client.finish(flowId, { result: { built: true } });
    },
  },
  {
    // A managed flow across continue-as-new: the first run ends ContinuedAsNew, the last one carries on.
    name: 'catalog-reindex-continued',
    type: 'catalogReindex',
    input: { catalog: 'replay', items: 60, pageSize: 20 },
    start: async (env, flowId) => {
      await env.client.start('catalogReindex', { catalog: 'replay', items: 60, pageSize: 20 }, { flowId, continueAsNewAfterEvents: 20 });
    },
    firstRun: true,
  },
];

/**
 * Each example runs under a fixed flow id, and replays under the same one: flow code may use its
 * id (a cancelled flow names its cancel child after it), and replay must see what the run saw.
 */
function flowIdOf(fixture: string): string {
  return `replay-${fixture.replace(/\.history\.bin$/, '').replace(/-first-run$/, '')}`;
}

async function recordHistories(): Promise<void> {
  const env = await flowTestEnv();
  await env.startWorker();
  try {
    const save = async (name: string, handle: { fetchHistory(): Promise<unknown> }) => {
      const history = temporal.api.history.v1.History.fromObject((await handle.fetchHistory()) as object);
      fs.writeFileSync(path.join(dir, `${name}.history.bin`), temporal.api.history.v1.History.encode(history).finish());
    };
    for (const example of examples) {
      const flowId = flowIdOf(example.name);
      if (example.start) await example.start(env, flowId);
      else await env.client.start(example.type, example.input, { flowId });
      await example.drive?.(env, flowId);
      const handle = env.client.client.workflow.getHandle(flowId);
      const last = await eventually(() => handle.describe(), (d) => d.status.name !== 'RUNNING', 60_000);
      await save(example.name, handle);
      if (example.firstRun) {
        const firstRunId = last.raw.workflowExecutionInfo?.firstRunId;
        expect(firstRunId && firstRunId !== last.runId).toBeTruthy();
        await save(`${example.name}-first-run`, env.client.client.workflow.getHandle(flowId, firstRunId!));
      }
    }
  } finally {
    await env.teardown();
  }
}

test('recorded histories of every example flow replay without non-determinism', async () => {
  fs.mkdirSync(dir, { recursive: true });
  if (process.env.UPDATE_HISTORIES === '1' || fs.readdirSync(dir).length === 0) await recordHistories();
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.history.bin'));
  // Until the fixtures are re-recorded (UPDATE_HISTORIES=1), an example without its file is named here.
  const expected = examples.flatMap((e) => [e.name, ...(e.firstRun ? [`${e.name}-first-run`] : [])]);
  expect(expected.filter((name) => !files.includes(`${name}.history.bin`))).toEqual([]);

  const workflowBundle = await bundleFlows();
  const histories = files.map((f) => ({ workflowId: flowIdOf(f), history: temporal.api.history.v1.History.decode(fs.readFileSync(path.join(dir, f))) }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
}, 120_000);
