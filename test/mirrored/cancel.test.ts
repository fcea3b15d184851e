import { ApplicationFailure } from '@temporalio/common';
import { TasksStillActiveError } from '../../src/client';
import type { CancelHookInput, CancelHookResult } from '../../src/model/transitions';
import { loadActivities } from '../../src/worker';
import { eventually, flowTestEnv, type FlowTestEnv } from '../helpers/flows';
import { executionStatus, newFlowId, recordOf } from './support';

let env: FlowTestEnv;
const hookCalls: CancelHookInput[] = [];

/** The external CI system's cancel endpoint: stops every job but `stubborn`, which it cannot reach. */
async function stopCiJobs(input: CancelHookInput): Promise<CancelHookResult> {
  hookCalls.push(input);
  return { cancelled: input.tasks.map((t) => t.taskId).filter((id) => id !== 'stubborn') };
}

async function brokenCancelHook(): Promise<CancelHookResult> {
  throw ApplicationFailure.nonRetryable('CI API returned 503');
}

beforeAll(async () => {
  env = await flowTestEnv();
  await env.startWorker({ ...loadActivities(), stopCiJobs, brokenCancelHook });
});
afterAll(() => env?.teardown());

async function flowWithJobs(cancelHook?: string): Promise<string> {
  const flowId = newFlowId('mirrored-cancel');
  await env.client.report(flowId, { taskId: 'unit', status: 'running' }, { create: { cancelHook } });
  await env.client.report(flowId, { taskId: 'e2e', status: 'queued' });
  await env.client.report(flowId, { taskId: 'stubborn', status: 'running' });
  await env.client.report(flowId, { taskId: 'done', status: 'succeeded' });
  return flowId;
}

const statuses = (record: Awaited<ReturnType<typeof recordOf>>) => Object.fromEntries(record.tasks.map((t) => [t.taskId, t.status]));

test('the hook stops what it can; the rest stays active and named; the last report finalises it cancelled', async () => {
  const flowId = await flowWithJobs('stopCiJobs');
  const refused = await env.client.cancel(flowId, { reason: 'PR closed' }).catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(TasksStillActiveError);
  expect(refused).toMatchObject({ type: 'tasks_still_active', message: 'One or more child tasks are still active.', details: { stillActive: ['stubborn'] } });
  const call = hookCalls.find((c) => c.flowId === flowId)!;
  expect(call).toMatchObject({ reason: 'PR closed' });
  expect(call.tasks.map((t) => t.taskId)).toEqual(['unit', 'e2e', 'stubborn']);

  const open = await recordOf(env, flowId);
  expect(statuses(open)).toEqual({ unit: 'cancelled', e2e: 'cancelled', stubborn: 'running', done: 'succeeded' });
  expect(open.tasks.find((t) => t.taskId === 'unit')).toMatchObject({ terminalSummary: 'cancelled through the cancel hook' });
  expect(open).toMatchObject({ status: 'running', cancelReason: 'PR closed', endedAt: null, revision: 6 });
  expect(open.cancelRequestedAt).not.toBeNull();
  expect(await executionStatus(env, flowId)).toBe('RUNNING');

  // A late success for a task the hook cancelled changes nothing.
  const late = await env.client.report(flowId, { taskId: 'unit', status: 'succeeded' });
  expect(late).toMatchObject({ applied: false, reason: 'cancelled_task', flow: { revision: 6 } });

  // A plain cancel repeated changes nothing and answers as the first one did; the hook is not asked again.
  await expect(env.client.cancel(flowId)).rejects.toMatchObject({ type: 'tasks_still_active', details: { stillActive: ['stubborn'] } });
  expect(hookCalls.filter((c) => c.flowId === flowId)).toHaveLength(1);
  expect((await recordOf(env, flowId)).revision).toBe(6);

  // Reports keep being applied until the flow ends; the last active task's end finalises it cancelled.
  const last = await env.client.report(flowId, { taskId: 'stubborn', status: 'failed', error: 'killed by hand' });
  expect(last).toMatchObject({ applied: true, flow: { status: 'cancelled', revision: 7 } });
  expect(last.flow.endedAt).not.toBeNull();
  // A flow finalised after a cancel intent ends its execution Canceled (spec §9).
  await eventually(() => executionStatus(env, flowId), (s) => s === 'CANCELLED');
  expect(await recordOf(env, flowId)).toMatchObject({ status: 'cancelled', revision: 7 });
  await expect(env.client.cancel(flowId)).rejects.toMatchObject({ type: 'flow_terminal', message: 'Flow is already cancelled.' });
});

test('--force records what the hook could not stop lost, and ends the flow now', async () => {
  const flowId = await flowWithJobs('stopCiJobs');
  const forced = await env.client.cancel(flowId, { reason: 'abandon', force: true });
  expect(forced).toMatchObject({ applied: true, stillActive: [], abandoned: ['stubborn'], flow: { status: 'cancelled', cancelReason: 'abandon' } });
  const stubborn = forced.flow.tasks.find((t) => t.taskId === 'stubborn');
  expect(stubborn).toMatchObject({ status: 'lost', terminalSummary: 'abandoned by forced cancel; the external system was not told' });
  expect(statuses(forced.flow)).toEqual({ unit: 'cancelled', e2e: 'cancelled', stubborn: 'lost', done: 'succeeded' });
  await eventually(() => executionStatus(env, flowId), (s) => s === 'CANCELLED');
});

test('without a hook (or with one that fails) every active task stays active and is named', async () => {
  for (const hook of [undefined, 'brokenCancelHook']) {
    const flowId = await flowWithJobs(hook);
    await expect(env.client.cancel(flowId)).rejects.toMatchObject({ type: 'tasks_still_active', details: { stillActive: ['unit', 'e2e', 'stubborn'] } });
    const open = await recordOf(env, flowId);
    expect(open).toMatchObject({ status: 'running', revision: 5 });
    await env.client.report(flowId, { taskId: 'unit', status: 'cancelled' });
    await env.client.report(flowId, { taskId: 'e2e', status: 'cancelled' });
    const last = await env.client.report(flowId, { taskId: 'stubborn', status: 'succeeded' });
    expect(last.flow).toMatchObject({ status: 'cancelled', revision: 8 });
    await eventually(() => executionStatus(env, flowId), (s) => s === 'CANCELLED');
  }
});

test('a flow whose reports alone made it cancelled ends Completed', async () => {
  const flowId = newFlowId('mirrored-cancel');
  await env.client.report(flowId, { taskId: 'job', status: 'running' }, { create: {} });
  const written = await env.client.report(flowId, { taskId: 'job', status: 'cancelled' });
  expect(written.flow).toMatchObject({ status: 'cancelled', cancelRequestedAt: null });
  await eventually(() => executionStatus(env, flowId), (s) => s === 'COMPLETED');
});

test('a cancel from outside TaskFlow (Temporal cancel) is a cancel intent too', async () => {
  const flowId = newFlowId('mirrored-cancel');
  await env.client.report(flowId, { taskId: 'unit', status: 'running' }, { create: { cancelHook: 'stopCiJobs' } });
  await env.client.client.workflow.getHandle(flowId).cancel();
  const ended = await eventually(() => recordOf(env, flowId), (r) => r.endedAt !== null);
  expect(ended).toMatchObject({ status: 'cancelled', cancelReason: 'cancelled through Temporal', tasks: [expect.objectContaining({ status: 'cancelled' })] });
  await eventually(() => executionStatus(env, flowId), (s) => s === 'CANCELLED');
});
