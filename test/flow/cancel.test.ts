import { FlowTerminalError, TasksStillActiveError } from '../../src/client';
import { loadActivities } from '../../src/worker';
import { flowTestEnv, eventually, type FlowTestEnv } from '../helpers/flows';

let env: FlowTestEnv;
let releaseStubborn: () => void = () => undefined;

/** An export that never heartbeats, so it never hears of a cancellation; it ends when the test says so. */
async function stubbornExport(table: string, rows: number): Promise<{ table: string; rows: number }> {
  await new Promise<void>((resolve) => {
    releaseStubborn = resolve;
  });
  return { table, rows };
}

beforeAll(async () => {
  env = await flowTestEnv({ flowDefaults: { cancelGracePeriod: '3s' } });
  await env.startWorker();
});
afterAll(async () => {
  releaseStubborn();
  await env?.teardown();
});

async function running(flowId: string, tasks: number) {
  return eventually(
    () => env.client.snapshot(flowId),
    (s) => s.flow.tasks.filter((t) => t.status === 'running').length === tasks,
  );
}

test('cancel of a flow with two heartbeating tasks records both cancelled and ends the execution Canceled', async () => {
  const started = await env.client.start('dataExport', { tables: ['orders', 'users'], rowsPerTable: 1_000_000, msPerChunk: 100 });
  const before = await running(started.flowId, 2);
  expect(before.flow.tasks.every((t) => t.progressSummary?.includes('rows of'))).toBe(true);

  const began = Date.now();
  const cancelled = await env.client.cancel(started.flowId, { reason: 'wrong tables', wait: true });
  expect(Date.now() - began).toBeLessThan(5_000);
  expect(cancelled.flow).toMatchObject({ status: 'cancelled', cancelReason: 'wrong tables' });
  expect(cancelled.flow.cancelRequestedAt).not.toBeNull();
  expect(cancelled.flow.tasks.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);

  const description = await env.client.client.workflow.getHandle(started.flowId).describe();
  expect(description.status.name).toBe('CANCELLED');

  const again = await env.client.cancel(started.flowId, { wait: true }).catch((e) => e);
  expect(again).toBeInstanceOf(FlowTerminalError);
  expect(again.message).toBe('Flow is already cancelled.');
});

test('cancel of a waiting flow ends it cancelled and keeps its state', async () => {
  const started = await env.client.start('documentApproval', { documentId: 'doc-cancel', title: 'Draft' });
  const { flow } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status === 'waiting');
  const { flow: after } = await env.client.cancel(started.flowId, { wait: true });
  expect(after).toMatchObject({ status: 'cancelled', state: flow.state, wait: null });
});

test('a task that ignores cancellation keeps the flow open with the intent; the flow ends cancelled when it stops', async () => {
  await env.stopWorker();
  await env.startWorker({ ...loadActivities(), exportRows: stubbornExport });
  const started = await env.client.start('dataExport', { tables: ['audit'], rowsPerTable: 10, msPerChunk: 0 });
  await running(started.flowId, 1);

  const stuck = await env.client.cancel(started.flowId, { reason: 'stop', wait: true }).catch((e) => e);
  expect(stuck).toBeInstanceOf(TasksStillActiveError);
  expect(stuck.message).toBe('One or more child tasks are still active.');
  expect(stuck.details.stillActive).toEqual(['exportRows-1']);
  const { flow: open } = await env.client.snapshot(started.flowId);
  expect(open.status).toBe('running');
  expect(open.cancelRequestedAt).not.toBeNull();

  releaseStubborn();
  const { flow: ended } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status === 'cancelled');
  // The task really finished its work; its record says so.
  expect(ended.tasks[0]).toMatchObject({ status: 'succeeded' });
  await env.stopWorker();
  await env.startWorker();
});

test('a cancel from outside TaskFlow (plain Temporal cancellation) is recorded as the intent too', async () => {
  const started = await env.client.start('dataExport', { tables: ['events'], rowsPerTable: 1_000_000, msPerChunk: 100 });
  await running(started.flowId, 1);
  await env.client.client.workflow.getHandle(started.flowId).cancel();
  const { flow } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status === 'cancelled');
  expect(flow.cancelReason).toBe('cancelled through Temporal');
  expect(flow.tasks[0]!.status).toBe('cancelled');
});

test('a terminated flow is reported lost, with its active tasks lost', async () => {
  const started = await env.client.start('dataExport', { tables: ['logs'], rowsPerTable: 1_000_000, msPerChunk: 100 });
  await running(started.flowId, 1);
  await env.client.client.workflow.getHandle(started.flowId).terminate('operator pulled the plug');
  const { flow } = await env.client.snapshot(started.flowId);
  expect(flow.status).toBe('lost');
  expect(flow.tasks[0]!.status).toBe('lost');
  const listed = await eventually(() => env.client.list({ statuses: ['lost'] }), (l) => l.flows.some((f) => f.flowId === started.flowId));
  expect(listed.flows.find((f) => f.flowId === started.flowId)!.status).toBe('lost');
});
