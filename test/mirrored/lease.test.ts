import { eventually, flowTestEnv, type FlowTestEnv } from '../helpers/flows';
import { executionStatus, newFlowId, recordOf } from './support';

let env: FlowTestEnv;
beforeAll(async () => {
  env = await flowTestEnv();
  await env.startWorker();
});
afterAll(() => env?.teardown());

const taskOf = (record: Awaited<ReturnType<typeof recordOf>>, taskId: string) => record.tasks.find((t) => t.taskId === taskId)!;

test('a task silent past its lease is marked lost by a durable timer; every report renews it; the flow follows', async () => {
  const flowId = newFlowId('mirrored-lease');
  await env.client.report(flowId, { taskId: 'silent', status: 'running', lease: '2s' }, { create: {} });
  await env.client.report(flowId, { taskId: 'chatty', status: 'running', lease: '2s' });
  await env.client.report(flowId, { taskId: 'plain', status: 'running' });

  // Keep `chatty` talking (identical re-syncs: not applied, yet each renews the lease) until `silent` is lost.
  const afterSilentLost = await eventually(
    async () => {
      await env.client.report(flowId, { taskId: 'chatty', status: 'running' });
      return recordOf(env, flowId);
    },
    (r) => taskOf(r, 'silent').status === 'lost',
  );
  expect(taskOf(afterSilentLost, 'silent')).toMatchObject({ status: 'lost', terminalSummary: 'no report within lease 2s' });
  expect(taskOf(afterSilentLost, 'chatty')).toMatchObject({ status: 'running' });
  expect(afterSilentLost).toMatchObject({ status: 'running', revision: 4, taskSummary: { active: 2, failures: 1 } });

  // A report for a task the lease already ended changes nothing.
  expect(await env.client.report(flowId, { taskId: 'silent', status: 'succeeded' })).toMatchObject({ applied: false, reason: 'terminal_task' });

  // `plain` has no lease and ends; `chatty` goes quiet and its lease ends it, which ends the flow: worst outcome lost.
  await env.client.report(flowId, { taskId: 'plain', status: 'succeeded' });
  const ended = await eventually(() => recordOf(env, flowId), (r) => r.endedAt !== null);
  expect(taskOf(ended, 'chatty')).toMatchObject({ status: 'lost', terminalSummary: 'no report within lease 2s' });
  expect(ended).toMatchObject({ status: 'lost', revision: 6, taskSummary: { active: 0 } });
  await eventually(() => executionStatus(env, flowId), (s) => s === 'COMPLETED');
});

test('a lease survives continue-as-new and a later report can set a new one', async () => {
  const flowId = newFlowId('mirrored-lease');
  await env.client.report(flowId, { taskId: 'a', status: 'running', lease: '1h' }, { create: { autoComplete: false, continueAsNewAfterEvents: 100 } });
  const firstRun = (await recordOf(env, flowId)).runId;
  // Enough changes to continue-as-new at least once; then shorten the lease.
  for (let i = 0; i < 30; i++) await env.client.report(flowId, { taskId: 'a', status: 'running', summary: `step ${i}` });
  await env.client.report(flowId, { taskId: 'a', status: 'running', summary: 'almost', lease: '2s' });
  const lost = await eventually(() => recordOf(env, flowId), (r) => taskOf(r, 'a').status === 'lost');
  expect(lost.runId).not.toBe(firstRun);
  expect(taskOf(lost, 'a')).toMatchObject({ terminalSummary: 'no report within lease 2s', progressSummary: 'almost' });
  expect(lost).toMatchObject({ status: 'waiting', wait: { for: 'reports' }, revision: 33 });
});
