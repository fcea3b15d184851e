import type { ChildProcess } from 'node:child_process';
import { FlowClient } from '../../src/client';
import { eventually, flowTestConfig } from '../helpers/flows';
import { exited, processEnv, spawnTs } from '../helpers/processes';
import { ledgerFiles, readLines } from '../reliability/scenarios/worker-ledger';

const workers: ChildProcess[] = [];
let client: FlowClient | undefined;
afterAll(async () => {
  await client?.close();
  for (const worker of workers) worker.kill('SIGKILL');
  await Promise.all(workers.map(exited));
});

test('killing the worker that runs a task which never heartbeats itself: another worker retries it within 10 s', async () => {
  const config = flowTestConfig();
  const files = ledgerFiles();
  // Every task first waits 8 s without heartbeating itself: longer than the 5 s heartbeat timeout,
  // so it survives only because the worker heartbeats it, and dies with its worker.
  const env = processEnv(config, { TASKFLOW_TEST_STARTS: files.starts, TASKFLOW_TEST_LEDGER: files.ledger, TASKFLOW_TEST_TASK_DELAY_MS: '8000' });
  workers.push(...(await Promise.all([0, 1].map(() => spawnTs('test/fixtures/worker-process.ts', env, 'worker ready')))));
  client = await FlowClient.connect(config);

  const { flowId } = await client.start('greeting', { name: 'Lin' });
  const [first] = await eventually(async () => readLines(files.starts), (lines) => lines.length > 0, 30_000);
  const victim = workers.find((w) => w.pid === first!.pid)!;
  victim.kill('SIGKILL');
  const killedAt = Date.now();
  await exited(victim);

  const retried = await eventually(async () => readLines(files.starts).filter((l) => l.attempt === 2), (lines) => lines.length > 0, 30_000);
  expect(retried[0]!.pid).not.toBe(first!.pid);
  expect(retried[0]!.at! - killedAt).toBeLessThan(10_000);

  const { flow } = await eventually(() => client!.snapshot(flowId), (s) => s.flow.endedAt !== null, 30_000);
  expect(flow).toMatchObject({ status: 'succeeded', result: 'Hello, Lin!' });
  expect(flow.tasks).toMatchObject([{ status: 'succeeded' }]);
  expect(readLines(files.ledger)).toMatchObject([{ flowId, attempt: 2, pid: retried[0]!.pid }]);
}, 120_000);
