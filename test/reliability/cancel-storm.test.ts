import { flowTestEnv, type FlowTestEnv } from '../helpers/flows';
import { cancelStorm } from './scenarios/cancel-storm';
import { percentile } from './scenarios/metrics';

let env: FlowTestEnv;
beforeAll(async () => {
  env = await flowTestEnv();
  await env.startWorker();
});
afterAll(() => env?.teardown());

test('cancelling many heartbeating flows at once ends every one cancelled, each task cancelled, promptly', async () => {
  const metrics = await cancelStorm(env.client, { flows: 12, tasksPerFlow: 2 });
  expect(metrics.notes).toEqual([]);
  expect(metrics).toMatchObject({ flows: 12, lost: 0, stuck: 0 });
  expect(percentile(metrics.recoveryMs, 99)).toBeLessThan(8_000);
}, 120_000);
