import type { FlowStatus, TaskStatus } from '../../src/model/records';
import type { TaskReportInput } from '../../src/model/transitions';
import { TasksStillActiveError } from '../../src/client';
import { eventually, flowTestEnv, type FlowTestEnv } from '../helpers/flows';
import { executionStatus, newFlowId, recordOf } from './support';

let env: FlowTestEnv;
beforeAll(async () => {
  env = await flowTestEnv();
  await env.startWorker();
});
afterAll(() => env?.teardown());

type Final = { status: TaskStatus; blocked?: boolean };
const reportOf = (taskId: string, { status, blocked }: Final): TaskReportInput => ({ taskId, status, ...(blocked ? { terminalOutcome: 'blocked', summary: 'needs review' } : {}) });
/** Temporal's execution status follows the flow (spec §9). */
const EXECUTION: Partial<Record<FlowStatus, string>> = { succeeded: 'COMPLETED', blocked: 'COMPLETED', lost: 'COMPLETED', cancelled: 'COMPLETED', failed: 'FAILED' };

describe('one task: the flow status is the task status (spec §2)', () => {
  test.each<[Final, FlowStatus]>([
    [{ status: 'queued' }, 'queued'],
    [{ status: 'running' }, 'running'],
  ])('%j → %s, still open', async (final, expected) => {
    const flowId = newFlowId();
    const written = await env.client.report(flowId, reportOf('job', final), { create: {} });
    expect(written).toMatchObject({ applied: true, flow: { status: expected, revision: 1, endedAt: null, goal: 'job' } });
    expect(await executionStatus(env, flowId)).toBe('RUNNING');
  });

  test.each<[Final, FlowStatus]>([
    [{ status: 'succeeded' }, 'succeeded'],
    [{ status: 'succeeded', blocked: true }, 'blocked'],
    [{ status: 'cancelled' }, 'cancelled'],
    [{ status: 'lost' }, 'lost'],
    [{ status: 'failed' }, 'failed'],
    [{ status: 'timed_out' }, 'failed'],
  ])('running, then %j → %s, and auto-complete ends it', async (final, expected) => {
    const flowId = newFlowId();
    await env.client.report(flowId, { taskId: 'job', status: 'running', name: 'Nightly export' }, { create: { lookupKey: flowId } });
    const written = await env.client.report(flowId, reportOf('job', final));
    expect(written).toMatchObject({ applied: true, flow: { status: expected, revision: 2, goal: 'Nightly export' } });
    expect(written.flow.endedAt).not.toBeNull();
    if (expected === 'blocked') expect(written.flow.blocked).toEqual({ taskId: 'job', summary: 'needs review' });
    await eventually(() => executionStatus(env, flowId), (s) => s === EXECUTION[expected]);
    const shown = await recordOf(env, flowId);
    expect(shown).toMatchObject({ status: expected, revision: 2, lookupKey: flowId, syncMode: 'mirrored' });
  });
});

describe('several tasks: any active → running (queued if all active are queued), else the worst outcome', () => {
  test.each<[Final[], FlowStatus]>([
    [[{ status: 'queued' }, { status: 'succeeded' }], 'queued'],
    [[{ status: 'queued' }, { status: 'running' }], 'running'],
    [[{ status: 'succeeded' }, { status: 'succeeded', blocked: true }], 'blocked'],
    [[{ status: 'succeeded', blocked: true }, { status: 'cancelled' }], 'cancelled'],
    [[{ status: 'cancelled' }, { status: 'lost' }], 'lost'],
    [[{ status: 'lost' }, { status: 'failed' }], 'failed'],
    [[{ status: 'succeeded' }, { status: 'timed_out' }], 'failed'],
  ])('%j → %s', async (finals, expected) => {
    const flowId = newFlowId();
    // Both tasks are known and active before either ends, so auto-complete waits for the last.
    await env.client.report(flowId, { taskId: 'a', status: 'running' }, { create: {} });
    await env.client.report(flowId, { taskId: 'b', status: 'running' });
    await env.client.report(flowId, reportOf('a', finals[0]!));
    const last = await env.client.report(flowId, reportOf('b', finals[1]!));
    // A final report that repeats `running` is an identical re-sync: no revision of its own.
    const changes = finals.filter((f) => f.status !== 'running').length;
    expect(last.flow).toMatchObject({ status: expected, revision: 2 + changes, taskSummary: { total: 2 } });
    expect(last.flow.endedAt === null).toBe(finals.some((f) => f.status === 'queued' || f.status === 'running'));
    const shown = await recordOf(env, flowId);
    expect(shown.tasks.map((t) => t.status)).toEqual(finals.map((f) => f.status));
  });
});

describe('auto-complete off: open until finish or fail', () => {
  test('no active task → waiting for reports; finish ends it with the status its tasks derive', async () => {
    const flowId = newFlowId();
    await env.client.report(flowId, { taskId: 'a', status: 'running' }, { create: { autoComplete: false, goal: 'Release train' } });
    const idle = await env.client.report(flowId, { taskId: 'a', status: 'succeeded' });
    expect(idle.flow).toMatchObject({ status: 'waiting', wait: { for: 'reports' }, endedAt: null, revision: 2, goal: 'Release train' });
    expect(await executionStatus(env, flowId)).toBe('RUNNING');

    const busy = await env.client.report(flowId, { taskId: 'b', status: 'queued' });
    expect(busy.flow).toMatchObject({ status: 'queued', wait: null, revision: 3 });
    const refused = await env.client.finish(flowId).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(TasksStillActiveError);
    expect(refused).toMatchObject({ type: 'tasks_still_active', message: 'One or more child tasks are still active.', details: { stillActive: ['b'] } });
    expect((await recordOf(env, flowId)).revision).toBe(3);

    await env.client.report(flowId, { taskId: 'b', status: 'succeeded', terminalOutcome: 'blocked', summary: 'sign-off needed' });
    const finished = await env.client.finish(flowId, { result: { version: '1.4.0' }, expectedRevision: 4 });
    expect(finished).toMatchObject({ applied: true, flow: { status: 'blocked', result: { version: '1.4.0' }, revision: 5, blocked: { taskId: 'b', summary: 'sign-off needed' } } });
    expect(finished.flow.endedAt).not.toBeNull();
    await eventually(() => executionStatus(env, flowId), (s) => s === 'COMPLETED');
    await expect(env.client.finish(flowId)).rejects.toMatchObject({ type: 'flow_terminal', message: 'Flow is already blocked.' });
  });

  test('fail ends it failed at any time, recording still-active tasks lost; the execution fails', async () => {
    const flowId = newFlowId();
    await env.client.report(flowId, { taskId: 'a', status: 'running' }, { create: { autoComplete: false } });
    await env.client.report(flowId, { taskId: 'b', status: 'succeeded' });
    const failed = await env.client.fail(flowId, { error: 'upstream outage' });
    expect(failed.flow).toMatchObject({ status: 'failed', error: 'upstream outage', revision: 3, taskSummary: { active: 0 } });
    expect(failed.flow.tasks.find((t) => t.taskId === 'a')).toMatchObject({ status: 'lost', terminalSummary: 'still active when the flow failed: upstream outage' });
    expect(failed.flow.tasks.find((t) => t.taskId === 'b')).toMatchObject({ status: 'succeeded' });
    await eventually(() => executionStatus(env, flowId), (s) => s === 'FAILED');
    await expect(env.client.report(flowId, { taskId: 'a', status: 'succeeded' })).rejects.toMatchObject({ type: 'flow_terminal', message: 'Flow is already failed.' });
  });

  test('finish of a flow whose tasks all failed ends it failed', async () => {
    const flowId = newFlowId();
    await env.client.report(flowId, { taskId: 'a', status: 'failed', error: 'exit 1' }, { create: { autoComplete: false } });
    const finished = await env.client.finish(flowId);
    expect(finished.flow).toMatchObject({ status: 'failed', error: 'Task a failed: exit 1' });
    await eventually(() => executionStatus(env, flowId), (s) => s === 'FAILED');
  });

  test('a failed task ends an auto-completing flow failed with the task error', async () => {
    const flowId = newFlowId();
    const written = await env.client.report(flowId, { taskId: 'deploy', status: 'failed', error: 'quota exceeded' }, { create: {} });
    expect(written.flow).toMatchObject({ status: 'failed', error: 'Task deploy failed: quota exceeded', revision: 1 });
  });
});
