import { FlowClient } from '../../src/client';
import { flowTestEnv, type FlowTestEnv } from '../helpers/flows';
import { concurrentWriters } from './scenarios/concurrent-writers';

let env: FlowTestEnv;
beforeAll(async () => {
  env = await flowTestEnv();
  await env.startWorker();
});
afterAll(() => env?.teardown());

test('writers in separate processes racing revision-checked writes: no lost update, no revision skipped or repeated', async () => {
  const metrics = await concurrentWriters(env.client as FlowClient, env.config, { writers: 4, writes: 15 });
  expect(metrics.notes).toEqual([]);
  expect(metrics).toMatchObject({ writes: 60, lost: 0, duplicated: 0 });
  expect(metrics.rejected).toBeGreaterThan(0); // the writers really raced
}, 120_000);
