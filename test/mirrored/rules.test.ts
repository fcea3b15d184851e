import { FlowError, InvalidFlowInputError, RevisionConflictError } from '../../src/client';
import { MESSAGES } from '../../src/model/messages';
import { eventually, flowTestEnv, type FlowTestEnv } from '../helpers/flows';
import { executionStatus, newFlowId, recordOf } from './support';

let env: FlowTestEnv;
beforeAll(async () => {
  env = await flowTestEnv();
  await env.startWorker();
});
afterAll(() => env?.teardown());

const T0 = '2026-05-01T12:00:00.000Z';
const T1 = '2026-05-01T12:01:00.000Z';

/** An open flow (auto-complete off, so a terminal task does not end it) with one running task. */
async function openFlow(): Promise<string> {
  const flowId = newFlowId();
  await env.client.report(flowId, { taskId: 'build', status: 'running', summary: 'compiling', occurredAt: T1, eventId: 'e1' }, { create: { autoComplete: false } });
  return flowId;
}

describe('reports the rules turn into no-ops change nothing and say which rule held', () => {
  test('a repeated event id, whatever its payload', async () => {
    const flowId = await openFlow();
    const answer = await env.client.report(flowId, { taskId: 'build', status: 'failed', error: 'boom', eventId: 'e1' });
    expect(answer).toMatchObject({ applied: false, reason: 'duplicate_event', flow: { revision: 1, status: 'running' } });
    expect((await recordOf(env, flowId)).tasks[0]).toMatchObject({ status: 'running', error: null });
  });

  test('a report older than the task last event (out of order)', async () => {
    const flowId = await openFlow();
    const answer = await env.client.report(flowId, { taskId: 'build', status: 'succeeded', occurredAt: T0 });
    expect(answer).toMatchObject({ applied: false, reason: 'stale', flow: { revision: 1 } });
    expect(answer.flow.tasks).toEqual([expect.objectContaining({ taskId: 'build', status: 'running', lastEventAt: T1 })]);
  });

  test('a terminal task told to go back to active', async () => {
    const flowId = await openFlow();
    expect(await env.client.report(flowId, { taskId: 'build', status: 'succeeded' })).toMatchObject({ applied: true, flow: { revision: 2, status: 'waiting' } });
    const back = await env.client.report(flowId, { taskId: 'build', status: 'running', summary: 'retrying' });
    expect(back).toMatchObject({ applied: false, reason: 'terminal_task', flow: { revision: 2, status: 'waiting' } });
    const other = await env.client.report(flowId, { taskId: 'build', status: 'failed' });
    expect(other).toMatchObject({ applied: false, reason: 'terminal_task', flow: { revision: 2 } });
  });

  test('a late success for a cancelled task', async () => {
    const flowId = await openFlow();
    await env.client.report(flowId, { taskId: 'build', status: 'cancelled' });
    const late = await env.client.report(flowId, { taskId: 'build', status: 'succeeded', summary: 'finished after all' });
    expect(late).toMatchObject({ applied: false, reason: 'cancelled_task', flow: { revision: 2, tasks: [expect.objectContaining({ status: 'cancelled', terminalSummary: null })] } });
  });

  test('an identical re-sync: no revision, lastEventAt unchanged', async () => {
    const flowId = await openFlow();
    const again = await env.client.report(flowId, { taskId: 'build', status: 'running', summary: 'compiling' });
    expect(again).toMatchObject({ applied: false, reason: 'identical', flow: { revision: 1, tasks: [expect.objectContaining({ lastEventAt: T1 })] } });
  });
});

test('a retried write with the same request id is applied once and answers as the first time', async () => {
  const flowId = await openFlow();
  const first = await env.client.report(flowId, { taskId: 'build', status: 'running', summary: 'linking' }, { requestId: 'req-7' });
  const retried = await env.client.report(flowId, { taskId: 'build', status: 'failed' }, { requestId: 'req-7' });
  expect(first).toMatchObject({ applied: true, flow: { revision: 2 } });
  expect(retried).toEqual(first);
  expect((await recordOf(env, flowId)).tasks[0]).toMatchObject({ status: 'running', progressSummary: 'linking' });
});

test('occurredAt in another offset, or in local time, is read as the instant it names', async () => {
  const flowId = await openFlow();
  const earlier = await env.client.report(flowId, { taskId: 'build', status: 'succeeded', occurredAt: '2026-05-01T13:59:00+02:00' });
  expect(earlier).toMatchObject({ applied: false, reason: 'stale' });
  const local = new Date(Date.parse(T1) + 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const localText = `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}T${pad(local.getHours())}:${pad(local.getMinutes())}:00`;
  const later = await env.client.report(flowId, { taskId: 'build', status: 'succeeded', occurredAt: localText });
  expect(later).toMatchObject({ applied: true, flow: { tasks: [expect.objectContaining({ endedAt: local.toISOString() })] } });
});

test('a stale expectedRevision is rejected with the current revision, and nothing changes', async () => {
  const flowId = await openFlow();
  await env.client.report(flowId, { taskId: 'build', status: 'running', summary: 'linking' }, { expectedRevision: 1 });
  const conflict = await env.client.report(flowId, { taskId: 'build', status: 'failed' }, { expectedRevision: 1 }).catch((err: unknown) => err);
  expect(conflict).toBeInstanceOf(RevisionConflictError);
  expect(conflict).toMatchObject({ type: 'revision_conflict', currentRevision: 2, details: { currentRevision: 2, expectedRevision: 1 } });
  const record = await recordOf(env, flowId);
  expect(record).toMatchObject({ revision: 2, tasks: [expect.objectContaining({ status: 'running', progressSummary: 'linking' })] });
  await expect(env.client.finish(flowId, { expectedRevision: 0 })).rejects.toBeInstanceOf(RevisionConflictError);
});

test('two producers creating the same flow at once: one flow, both reports applied', async () => {
  const flowId = newFlowId();
  const create = { lookupKey: `pr-${flowId}`, autoComplete: false };
  const [a, b] = await Promise.all([
    env.client.report(flowId, { taskId: 'lint', status: 'running', kind: 'ci-job' }, { create }),
    env.client.report(flowId, { taskId: 'test', status: 'running', kind: 'ci-job' }, { create }),
  ]);
  expect(a.applied && b.applied).toBe(true);
  expect(a.flow.runId).toBe(b.flow.runId);
  const record = await recordOf(env, flowId);
  expect(record.revision).toBe(2);
  expect(record.tasks.map((t) => t.taskId).sort()).toEqual(['lint', 'test']);
  const executions = await eventually(() => env.client.client.workflow.count(`WorkflowId = '${flowId}'`), (c) => c.count >= 1);
  expect(executions.count).toBe(1);
  // The lookup key finds it too.
  expect((await env.client.report(`pr-${flowId}`, { taskId: 'lint', status: 'succeeded' })).flow).toMatchObject({ flowId, revision: 3 });
});

test('a flow id whose flow ended is never reused, also with --create', async () => {
  const flowId = newFlowId();
  await env.client.report(flowId, { taskId: 'job', status: 'succeeded' }, { create: {} });
  await eventually(() => executionStatus(env, flowId), (s) => s === 'COMPLETED');
  const again = await env.client.report(flowId, { taskId: 'job2', status: 'running' }, { create: {} }).catch((err: unknown) => err);
  expect(again).toMatchObject({ type: 'flow_terminal', message: 'Flow is already succeeded.' });
  await expect(env.client.report(flowId, { taskId: 'job', status: 'running' })).rejects.toMatchObject({ type: 'flow_terminal' });
});

test('mode before state: a report to a managed flow is not_mirrored, even once it ended', async () => {
  const managed = await env.client.start('greeting', { name: 'Grace' });
  await eventually(() => executionStatus(env, managed.flowId), (s) => s === 'COMPLETED');
  for (const create of [undefined, {}]) {
    const refused = await env.client.report(managed.flowId, { taskId: 'x', status: 'running' }, { create }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(FlowError);
    expect(refused).toMatchObject({ type: 'not_mirrored' });
  }
  await expect(env.client.finish(managed.flowId)).rejects.toMatchObject({ type: 'not_mirrored' });
  await expect(env.client.fail(managed.flowId, { error: 'x' })).rejects.toMatchObject({ type: 'not_mirrored' });
});

test('a report that fails its schema is invalid_input before anything is sent', async () => {
  const flowId = newFlowId();
  const bad = await env.client.report(flowId, { taskId: 'job', status: 'running', lease: 'ten minutes' }, { create: {} }).catch((err: unknown) => err);
  expect(bad).toBeInstanceOf(InvalidFlowInputError);
  expect((bad as Error).message).toMatch(/^Report is invalid: lease: /);
  await expect(env.client.client.workflow.getHandle(flowId).describe()).rejects.toMatchObject({ name: 'WorkflowNotFoundError' });
  await expect(env.client.report('nothing-like-this-flow', { taskId: 'job', status: 'running' })).rejects.toMatchObject({ type: 'not_found' });
});

test('the signal is the same report, fire-and-forget; a bad one is ignored', async () => {
  const flowId = await openFlow();
  const handle = env.client.client.workflow.getHandle(flowId);
  await handle.signal(MESSAGES.reportSignal, { taskId: 'build', status: 'bogus' });
  await handle.signal(MESSAGES.reportSignal, { taskId: 'build', status: 'succeeded', summary: 'via signal' });
  const record = await eventually(() => recordOf(env, flowId), (r) => r.revision === 2);
  expect(record.tasks[0]).toMatchObject({ status: 'succeeded', terminalSummary: 'via signal' });
});

test('patchState and describeFlow are revisioned writes too; their answers carry no record', async () => {
  const flowId = await openFlow();
  const handle = env.client.client.workflow.getHandle(flowId);
  const patched = await handle.executeUpdate<Record<string, unknown>, [object]>(MESSAGES.patchState, { args: [{ patch: { pr: 42 } }] });
  expect(patched).toEqual({ applied: true, revision: 2, status: 'running' });
  expect(await recordOf(env, flowId)).toMatchObject({ revision: 2, state: { pr: 42 } });
  const same = await handle.executeUpdate<{ applied: boolean; reason: string }, [object]>(MESSAGES.patchState, { args: [{ patch: { pr: 42 } }] });
  expect(same).toMatchObject({ applied: false, reason: 'identical', revision: 2 });
  const described = await handle.executeUpdate<Record<string, unknown>, [object]>('describeFlow', {
    args: [{ goal: 'Ship PR 42', currentStep: 'integration tests', expectedRevision: 2 }],
  });
  expect(described).toMatchObject({ applied: true, revision: 3 });
  expect(await recordOf(env, flowId)).toMatchObject({ revision: 3, goal: 'Ship PR 42', currentStep: 'integration tests' });
});
