import { FlowClient } from '../../src/client';
import { flowTestConfig } from '../helpers/flows';
import { manyWorkers } from './scenarios/many-workers';

test('two workers share one task queue; SIGKILLing one mid-run loses, strands and skips nothing', async () => {
  const config = flowTestConfig();
  const client = await FlowClient.connect(config);
  try {
    const metrics = await manyWorkers(client, config, {
      flows: 20,
      workers: 2,
      spreadMs: 6_000,
      killEveryMs: 4_000,
      maxKills: 1,
      replace: false,
      deadlineMs: 90_000,
    });
    expect(metrics.notes).toEqual([]);
    expect(metrics).toMatchObject({ faults: 1, flows: 20, lost: 0, stuck: 0 });
    // Tasks running on the killed worker (most runs have some; the kill's moment is not chosen) ran again on the other one, in time.
    expect(metrics.recoveryMs.every((ms) => ms < 30_000)).toBe(true);
  } finally {
    await client.close();
  }
}, 180_000);
