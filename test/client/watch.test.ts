import { randomUUID } from 'node:crypto';
import type { FlowSnapshot } from '../../src/client';
import { flowTestEnv, type FlowTestEnv } from '../helpers/flows';

let env: FlowTestEnv;
beforeAll(async () => {
  env = await flowTestEnv();
  await env.startWorker();
});
afterAll(() => env?.teardown());

test('watch follows a flow through its changes until it ends; each snapshot equals a full read at its revision', async () => {
  const documentId = `watch-${randomUUID().slice(0, 8)}`;
  const started = await env.client.start('documentApproval', { documentId, title: 'Watched' });
  const seen: FlowSnapshot[] = [];
  let resumed = false;
  for await (const snapshot of env.client.watch(documentId, { intervalMs: 100 })) {
    seen.push(snapshot);
    if (snapshot.flow.status === 'waiting' && !resumed) {
      // The record caught up by deltas is the record read whole.
      expect(snapshot.flow).toEqual((await env.client.snapshot(started.flowId)).flow);
      resumed = true;
      await env.client.resume(started.flowId, { approved: true, approver: 'Grace' });
    }
  }
  const last = seen[seen.length - 1]!;
  expect(last.flow.status).toBe('succeeded');
  expect(last.flow.tasks).toHaveLength(last.flow.taskSummary.total);
  expect(last.flow).toEqual((await env.client.snapshot(started.flowId)).flow);
  const revisions = seen.map((s) => s.flow.revision);
  expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
  expect(seen.some((s) => s.flow.status === 'waiting')).toBe(true);
  expect(resumed).toBe(true);
}, 120_000);
