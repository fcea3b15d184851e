import { Context, sleep } from '@temporalio/activity';
import { TasksStillActiveError } from '../../src/client';
import { progress } from '../../src/task';
import { autoHeartbeatInterval, loadActivities } from '../../src/worker';
import { eventually, flowTestEnv, type FlowTestEnv } from '../helpers/flows';

/** An export that never calls progress(): it only sleeps, in the activity's cancellable sleep. */
async function quietExport(table: string, rows: number): Promise<{ table: string; rows: number }> {
  await sleep(30_000);
  return { table, rows };
}

/** Reports progress once, then works quietly for a while. */
async function onceReportingExport(table: string, rows: number): Promise<{ table: string; rows: number }> {
  progress('half of the rows', { done: rows / 2 });
  await Context.current().sleep(6_000);
  return { table, rows };
}

const envs: FlowTestEnv[] = [];
async function envWith(overrides: Parameters<typeof flowTestEnv>[0], activities: Record<string, (...args: any[]) => unknown>) {
  const env = await flowTestEnv({ ...overrides, worker: { shutdownGraceTime: '1s', ...overrides?.worker } });
  envs.push(env);
  await env.startWorker({ ...loadActivities(), ...activities });
  return env;
}
afterAll(async () => {
  await Promise.all(envs.map((env) => env.teardown()));
});

const running = (env: FlowTestEnv, flowId: string) =>
  eventually(() => env.client.snapshot(flowId), (s) => s.flow.tasks.some((t) => t.status === 'running'), 30_000);

test('a task that never calls progress() hears the cancel: it ends cancelled within 2 s of the request', async () => {
  const env = await envWith({ flowDefaults: { cancelGracePeriod: '10s' } }, { exportRows: quietExport });
  const { flowId } = await env.client.start('dataExport', { tables: ['quiet'], rowsPerTable: 10 });
  await running(env, flowId);

  const began = Date.now();
  const { flow } = await env.client.cancel(flowId, { reason: 'not needed', wait: true });
  expect(Date.now() - began).toBeLessThan(5_000);
  expect(flow.status).toBe('cancelled');
  const [task] = flow.tasks;
  expect(task!.status).toBe('cancelled');
  expect(Date.parse(task!.endedAt!) - Date.parse(flow.cancelRequestedAt!)).toBeLessThan(2_000);
});

test('with worker.autoHeartbeat false the same task never hears the cancel (what the interceptor adds)', async () => {
  const env = await envWith({ worker: { autoHeartbeat: false }, flowDefaults: { cancelGracePeriod: '2s' } }, { exportRows: quietExport });
  const { flowId } = await env.client.start('dataExport', { tables: ['deaf'], rowsPerTable: 10 });
  await running(env, flowId);

  const refused = await env.client.cancel(flowId, { wait: true }).catch((err) => err);
  expect(refused).toBeInstanceOf(TasksStillActiveError);
  expect(refused.details.stillActive).toEqual(['exportRows-1']);
});

test("background heartbeats re-send the task's last progress instead of wiping it", async () => {
  const env = await envWith({}, { exportRows: onceReportingExport });
  const { flowId } = await env.client.start('dataExport', { tables: ['half'], rowsPerTable: 100 });
  const first = await eventually(
    () => env.client.snapshot(flowId),
    (s) => s.flow.tasks[0]?.progressSummary === 'half of the rows' && s.flow.tasks[0].lastEventAt !== null,
    30_000,
  );
  const firstBeat = Date.parse(first.flow.tasks[0]!.lastEventAt!);
  // The task is silent now; the server keeps hearing from it, and what it hears is the same progress.
  const later = await eventually(
    () => env.client.snapshot(flowId),
    (s) => s.flow.tasks[0]!.status !== 'running' || Date.parse(s.flow.tasks[0]!.lastEventAt!) - firstBeat >= 2_000,
    30_000,
  );
  expect(later.flow.tasks[0]).toMatchObject({ status: 'running', progressSummary: 'half of the rows' });
});

test('the background heartbeat interval: a second, or a third of a short heartbeat timeout', () => {
  expect(autoHeartbeatInterval(undefined)).toBe(1_000);
  expect(autoHeartbeatInterval(5_000)).toBe(1_000);
  expect(autoHeartbeatInterval(1_500)).toBe(500);
  expect(autoHeartbeatInterval(60)).toBe(50);
});
