import { randomUUID } from 'node:crypto';
import type { FlowRecord } from '../../src/model/records';
import { cliHarness, eventually, type CliHarness } from './helpers';

// Each spawned CLI is a cold Node start; on a busy machine a test with a dozen of them takes a while.
jest.setTimeout(180_000);

let h: CliHarness;

beforeAll(async () => {
  h = await cliHarness();
}, 90_000);
afterAll(() => h?.teardown());

const runningTasks = (flowId: string, n = 1) =>
  eventually(() => h.env.client.snapshot(flowId), (s) => s.flow.tasks.filter((t) => t.status === 'running').length === n);

test('cancel of a running and of a waiting flow: the sentence of spec §5, exit 0, state kept', async () => {
  const { client } = h.env;
  const running = await client.start('dataExport', { tables: [`cancel-${randomUUID().slice(0, 6)}`], rowsPerTable: 10_000_000, msPerChunk: 100 });
  const waiting = await client.start('documentApproval', { documentId: `cli-cancel-${randomUUID().slice(0, 8)}`, title: 'Draft' });
  await runningTasks(running.flowId);
  const { flow: before } = await eventually(() => client.snapshot(waiting.flowId), (s) => s.flow.status === 'waiting');

  const [text, json] = await Promise.all([
    h.cli(['flow', 'cancel', running.flowId, '--reason', 'wrong table']),
    h.cli(['tasks', 'flow', 'cancel', waiting.lookupKey!, '--json']),
  ]);
  expect(text).toMatchObject({ code: 0, stderr: '' });
  expect(text.stdout).toBe(`Cancelled ${running.flowId} (managed) with status cancelled.\n`);
  expect(json.code).toBe(0);
  const answer = json.json<{ ok: boolean; applied: boolean; flow: FlowRecord; message: string; stillActive: string[] }>();
  expect(answer).toMatchObject({ ok: true, applied: true, message: `Cancelled ${waiting.flowId} (managed) with status cancelled.`, stillActive: [] });
  expect(answer.flow).toMatchObject({ flowId: waiting.flowId, status: 'cancelled', state: before.state });

  const shown = await h.cli(['flow', 'show', running.flowId, '--json']);
  expect(shown.json()).toMatchObject({ status: 'cancelled', cancelReason: 'wrong table', tasks: [{ status: 'cancelled' }] });
  expect((await client.client.workflow.getHandle(running.flowId).describe()).status.name).toBe('CANCELLED');

  // A terminal flow: the sentence, exit 1, nothing changed.
  const [again, done, doneJson] = await Promise.all([
    h.cli(['flow', 'cancel', running.flowId]),
    client.start('greeting', { name: 'Done' }).then(async (f) => {
      await eventually(() => client.snapshot(f.flowId), (s) => s.flow.status === 'succeeded');
      return h.cli(['flow', 'cancel', f.flowId]);
    }),
    h.cli(['flow', 'cancel', waiting.flowId, '--json']),
  ]);
  expect(again).toMatchObject({ code: 1, stdout: '', stderr: 'Flow is already cancelled.\n' });
  expect(done).toMatchObject({ code: 1, stderr: 'Flow is already succeeded.\n' });
  expect(doneJson.code).toBe(1);
  expect(doneJson.json()).toEqual({ ok: false, error: expect.objectContaining({ type: 'flow_terminal', message: 'Flow is already cancelled.', status: 'cancelled' }) });
  expect((await client.snapshot(running.flowId)).flow.revision).toBe(shown.json().revision);
});

test('a task that ignores the cancel: exit 1 naming it, the intent stays, and the flow ends cancelled when it stops', async () => {
  const { client } = h.env;
  const [stuck, stuckJson] = await Promise.all([
    client.start('dataExport', { tables: ['stubborn-a'], rowsPerTable: 10 }),
    client.start('dataExport', { tables: ['stubborn-b'], rowsPerTable: 10 }),
  ]);
  await Promise.all([runningTasks(stuck.flowId), runningTasks(stuckJson.flowId)]);

  const [text, json] = await Promise.all([
    h.cli(['flow', 'cancel', stuck.flowId, '--reason', 'stop']),
    h.cli(['flow', 'cancel', stuckJson.flowId, '--json']),
  ]);
  expect(text.code).toBe(1);
  expect(text.stdout).toBe('');
  const lines = text.stderr.trimEnd().split('\n');
  expect(lines[0]).toBe('One or more child tasks are still active.');
  expect(lines[1]).toBe('Still active: exportRows-1 (running, export stubborn-a).');
  expect(json.code).toBe(1);
  expect(json.json()).toMatchObject({ ok: false, error: { type: 'tasks_still_active', message: 'One or more child tasks are still active.', stillActive: ['exportRows-1'] } });

  const open = await h.cli(['flow', 'show', stuck.flowId, '--json']);
  expect(open.json()).toMatchObject({ status: 'running', cancelReason: 'stop', cancelRequestedAt: expect.any(String) });
  const list = await eventually(
    () => h.cli(['flow', 'list', '--type', 'dataExport', '--status', 'running', '--limit', '500']),
    (r) => r.stdout.split('\n').some((l) => l.startsWith(stuck.flowId) && l.includes('running*')),
  );
  expect(list.stdout).toContain('* cancel requested');

  h.releaseStubborn();
  await eventually(() => client.snapshot(stuck.flowId), (s) => s.flow.status === 'cancelled');
  await eventually(() => client.snapshot(stuckJson.flowId), (s) => s.flow.status === 'cancelled');
});

test('--no-wait records the intent and returns at once; the flow then ends cancelled', async () => {
  const { client } = h.env;
  const flow = await client.start('dataExport', { tables: [`nowait-${randomUUID().slice(0, 6)}`], rowsPerTable: 10_000_000, msPerChunk: 100 });
  await runningTasks(flow.flowId);
  const run = await h.cli(['flow', 'cancel', flow.flowId, '--no-wait', '--json']);
  expect(run.code).toBe(0);
  const answer = run.json();
  expect(answer).toMatchObject({ ok: true, flow: { flowId: flow.flowId, cancelRequestedAt: expect.any(String) } });
  expect(answer.message).toBe(`Cancelled ${flow.flowId} (managed) with status ${answer.flow.status}.`);
  await eventually(() => client.snapshot(flow.flowId), (s) => s.flow.status === 'cancelled');
});

test('a mirrored flow without a cancel hook: its tasks are named (exit 1) until --force records them lost', async () => {
  const flowId = `cli-mcancel-${randomUUID().slice(0, 8)}`;
  const created = await h.cli(['flow', 'report', flowId, '--create', '--task', 'upload', '--status', 'running', '--json']);
  expect(created.code).toBe(0);

  const plain = await h.cli(['flow', 'cancel', flowId, '--reason', 'no longer needed']);
  expect(plain.code).toBe(1);
  expect(plain.stderr.split('\n').slice(0, 2)).toEqual(['One or more child tasks are still active.', 'Still active: upload (running).']);

  const forced = await h.cli(['flow', 'cancel', flowId, '--force', '--json']);
  expect(forced.code).toBe(0);
  const answer = forced.json();
  expect(answer).toMatchObject({
    ok: true,
    message: `Cancelled ${flowId} (mirrored) with status cancelled.`,
    stillActive: [],
    abandoned: ['upload'],
    flow: { status: 'cancelled', tasks: [{ taskId: 'upload', status: 'lost', terminalSummary: 'abandoned by forced cancel; the external system was not told' }] },
  });
});
