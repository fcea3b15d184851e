import { MESSAGES } from '../../src/model/messages';
import { SA_TASK_COUNTS, parseTaskCounts } from '../../src/model/search-attributes';
import { eventually, flowTestEnv, type FlowTestEnv } from '../helpers/flows';
import { newFlowId, recordOf } from './support';

// Spec §12 for mirrored flows: 10,000 tasks fed by signals, then the limit. Minutes on a busy machine.
jest.setTimeout(600_000);

let env: FlowTestEnv;
beforeAll(async () => {
  env = await flowTestEnv();
  await env.startWorker();
});
afterAll(() => env?.teardown());

/** Reports `count` new running tasks as fire-and-forget signals, `lanes` at a time. */
async function feed(flowId: string, from: number, count: number, lanes = 25): Promise<void> {
  const handle = env.client.client.workflow.getHandle(flowId);
  let next = from;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < from + count) {
        const i = next++;
        await handle.signal(MESSAGES.reportSignal, { taskId: `job-${i}`, status: 'running', summary: 'started' });
      }
    }),
  );
}

/** Waits until the flow holds `total` tasks, from describe: cheap, unlike reading a record of thousands of tasks. */
async function waitForTasks(flowId: string, total: number): Promise<void> {
  const handle = env.client.client.workflow.getHandle(flowId);
  await eventually(() => handle.describe(), (d) => parseTaskCounts(d.typedSearchAttributes.get(SA_TASK_COUNTS))?.total === total, 300_000);
}

async function historyBytes(flowId: string): Promise<{ bytes: number; runId: string }> {
  const description = await env.client.client.workflow.getHandle(flowId).describe();
  return { bytes: Number(description.raw.workflowExecutionInfo?.historySizeBytes ?? 0), runId: description.runId };
}

/** History bytes one applied, revision-checked report adds (measured within one run). */
async function reportCost(flowId: string, taskId: string, summary: string): Promise<number> {
  for (;;) {
    const { revision } = await recordOf(env, flowId);
    const before = await historyBytes(flowId);
    const ack = await env.client.report(flowId, { taskId, status: 'running', summary }, { expectedRevision: revision, lean: true });
    expect(ack).toMatchObject({ applied: true, revision: revision + 1, task: { taskId, progressSummary: summary } });
    const after = await historyBytes(flowId);
    if (after.runId === before.runId) return after.bytes - before.bytes;
  }
}

test('a report costs the same history in a flow of 5,000 tasks as in one of 1; the 10,001st task is refused with task_limit', async () => {
  const small = newFlowId('size-small');
  const large = newFlowId('size-large');
  for (const flowId of [small, large]) {
    await env.client.report(flowId, { taskId: 'job-0', status: 'running' }, { create: { autoComplete: false } });
  }
  await feed(large, 1, 4_999);
  await waitForTasks(large, 5_000);

  const costSmall = await reportCost(small, 'job-0', 'half way');
  const costLarge = await reportCost(large, 'job-4999', 'half way');
  expect(Math.abs(costLarge - costSmall) / costSmall).toBeLessThan(0.1);

  await feed(large, 5_000, 5_000);
  await waitForTasks(large, 10_000);
  const full = await recordOf(env, large);
  expect(full.tasks).toHaveLength(10_000);

  await expect(env.client.report(large, { taskId: 'job-10000', status: 'running' })).rejects.toMatchObject({
    type: 'task_limit',
    message: expect.stringContaining('split the work into child flows'),
  });
  // A report for a task the flow already holds still applies; the refused one changed nothing.
  const reply = await env.client.report(large, { taskId: 'job-9999', status: 'succeeded', summary: 'done' });
  expect(reply).toMatchObject({ applied: true, flow: { revision: full.revision + 1, taskSummary: { total: 10_000 } } });
  expect(reply.flow.tasks).toHaveLength(10_000);
  expect(reply.flow.tasks.some((t) => t.taskId === 'job-10000')).toBe(false);
});
