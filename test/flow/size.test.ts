import { temporal } from '@temporalio/proto';
import * as path from 'node:path';
import { MESSAGES, type RecordPage } from '../../src/model/messages';
import type { FlowRecord } from '../../src/model/records';
import { SA_STATUS, SA_SYNC_MODE } from '../../src/model/search-attributes';
import { cliEnv, ensureBuilt, runCli } from '../cli/helpers';
import { flowTestEnv, eventually, type FlowTestEnv } from '../helpers/flows';

// Spec §12 at its limits: 10,000 tasks in one flow, 5,000 started at once. Minutes on a busy 2-core machine.
jest.setTimeout(600_000);

let env: FlowTestEnv;

beforeAll(async () => {
  env = await flowTestEnv({}, path.join(__dirname, '..', 'fixtures', 'size-flows'));
  await Promise.all([env.startWorker(), ensureBuilt()]);
}, 120_000);
afterAll(() => env?.teardown());

async function startFlow(flowType: string, input: unknown): Promise<string> {
  const flowId = `${flowType}-${Date.now()}`;
  await env.client.client.workflow.start(flowType, {
    workflowId: flowId,
    taskQueue: env.config.taskQueue,
    args: [input],
    typedSearchAttributes: [{ key: SA_SYNC_MODE, value: 'managed' }],
  });
  return flowId;
}

/**
 * Waits for a flow status from describe (its search attributes): cheap, where polling the whole
 * record of a flow of thousands of tasks would keep its worker busy answering queries.
 */
async function waitForStatus(flowId: string, status: string, timeoutMs = 540_000): Promise<void> {
  const handle = env.client.client.workflow.getHandle(flowId);
  await eventually(() => handle.describe(), (d) => d.typedSearchAttributes.get(SA_STATUS) === status, timeoutMs);
}

/**
 * The workflow task failures in a flow's history, by cause and message. Left out: the server's own
 * back-pressure (FORCE_CLOSE_COMMAND: more than 100 events — task completions — arrived while one
 * workflow task ran, so the server closes it and hands the worker a fresh one with all of them).
 */
async function workflowTaskFailures(flowId: string): Promise<string[]> {
  const history = await env.client.client.workflow.getHandle(flowId).fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowTaskFailedEventAttributes)
    .filter((a) => !!a && a.cause !== temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND)
    .map((a) => `${a!.cause}: ${a!.failure?.message ?? ''}`);
}

test('one flow holds 10,000 tasks: shown and listed whole (CLI too), the Web UI query pages, the 10,001st is task_limit', async () => {
  const flowId = await startFlow('manyTasks', { tasks: 10_000, concurrency: 200, oneMore: true });
  await waitForStatus(flowId, 'succeeded');
  const { flow } = await env.client.snapshot(flowId);

  expect(flow.result).toEqual({ done: 10_000, refused: { type: 'task_limit', message: expect.stringContaining('split the work into child flows') } });
  expect(flow.tasks).toHaveLength(10_000);
  expect(new Set(flow.tasks.map((t) => t.taskId)).size).toBe(10_000);
  expect(flow.taskSummary).toEqual({ total: 10_000, active: 0, terminal: 10_000, failures: 0, byStatus: { succeeded: 10_000 } });
  expect(await workflowTaskFailures(flowId)).toEqual([]);

  const { tasks } = await env.client.tasks({ flow: flowId });
  expect(tasks).toHaveLength(10_000);

  // What the Web UI calls: the query with no argument answers under Temporal's payload limit and says it is a page.
  const page = await env.client.client.workflow.getHandle(flowId).query<RecordPage<FlowRecord>>(MESSAGES.record);
  expect(JSON.stringify(page).length).toBeLessThan(2 * 1024 * 1024);
  expect(page.taskPage).toMatchObject({ offset: 0, count: page.tasks.length, total: 10_000, complete: false });
  expect(page.taskSummary.total).toBe(10_000);

  const shown = await runCli(['flow', 'show', flowId, '--json', '--timeout', '100s'], { env: cliEnv(env.config), timeoutMs: 120_000 });
  expect(shown.code).toBe(0);
  const record = shown.json<FlowRecord>();
  expect(record.tasks).toHaveLength(10_000);
  expect(record.taskSummary.total).toBe(10_000);
  const text = await runCli(['flow', 'show', flowId, '--timeout', '100s'], { env: cliEnv(env.config), timeoutMs: 120_000 });
  expect(text.code).toBe(0);
  expect(text.stdout).toContain('Tasks: 10000 total · 0 active · 0 issues');
  expect(text.stdout.split('\n').filter((l) => l.includes('reindexItem-')).length).toBe(10_000);
});

test('a flow that starts 5,000 tasks at once completes, never past the pending-activity limit, no workflow task failed', async () => {
  const flowId = await startFlow('fanOutAtOnce', { tasks: 5_000 });
  await waitForStatus(flowId, 'succeeded');
  const { flow } = await env.client.snapshot(flowId);
  expect(flow.result).toEqual({ done: 5_000 });
  expect(flow.taskSummary).toMatchObject({ total: 5_000, failures: 0 });
  expect(await workflowTaskFailures(flowId)).toEqual([]);
});

test('a resume or state patch adds the same history to a flow of 5,000 tasks as to one of 1', async () => {
  const historyBytes = async (flowId: string) => Number((await env.client.client.workflow.getHandle(flowId).describe()).raw.workflowExecutionInfo?.historySizeBytes ?? 0);
  const added = async (flowId: string, write: () => Promise<unknown>) => {
    const before = await historyBytes(flowId);
    await write();
    // The write's workflow task is complete once the flow waits again at the next revision.
    const after = await eventually(() => historyBytes(flowId), (n) => n > before);
    return after - before;
  };
  const small = await startFlow('resumable', { tasks: 1 });
  const large = await startFlow('resumable', { tasks: 5_000 });
  for (const flowId of [small, large]) await waitForStatus(flowId, 'waiting');

  for (const flowId of [small, large]) {
    // One warm-up, so both flows are measured in the same steady state.
    await env.client.resume(flowId, { n: 0 });
    await waitForStatus(flowId, 'waiting', 60_000);
  }
  const resumeSmall = await added(small, () => env.client.resume(small, { n: 1 }));
  const resumeLarge = await added(large, () => env.client.resume(large, { n: 1 }));
  expect(Math.abs(resumeLarge - resumeSmall) / resumeSmall).toBeLessThan(0.1);

  const patchSmall = await added(small, () => env.client.patchState(small, { note: 'x' }));
  const patchLarge = await added(large, () => env.client.patchState(large, { note: 'x' }));
  expect(Math.abs(patchLarge - patchSmall) / patchSmall).toBeLessThan(0.1);
});
