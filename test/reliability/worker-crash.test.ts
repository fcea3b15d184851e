import { FlowClient } from '../../src/client';
import { flowTestConfig } from '../helpers/flows';
import { workerCrash } from './scenarios/worker-crash';

test('SIGKILLing the worker twice mid-run: every flow ends correct, no task over its retry policy, none stuck', async () => {
  const config = flowTestConfig();
  const client = await FlowClient.connect(config);
  try {
    const metrics = await workerCrash(client, config, { flows: 12, kills: 2 });
    expect(metrics.notes).toEqual([]);
    expect(metrics).toMatchObject({ faults: 2, flows: 12, lost: 0, stuck: 0 });
  } finally {
    await client.close();
  }
}, 180_000);
