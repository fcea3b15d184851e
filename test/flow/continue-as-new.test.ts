import type { temporal } from '@temporalio/proto';
import { SA_SYNC_MODE } from '../../src/model/search-attributes';
import { flowTestEnv, eventually, type FlowTestEnv } from '../helpers/flows';

let env: FlowTestEnv;

beforeAll(async () => {
  env = await flowTestEnv();
  await env.startWorker();
});
afterAll(() => env?.teardown());

test('a flow of 2,000 tasks continues as new and keeps its id, revision sequence and every task', async () => {
  const flowId = `catalogReindex-can-${Date.now()}`;
  const items = 2000;
  const pageSize = 100;
  // Continue-as-new far earlier than Temporal would suggest, so the test sees several runs.
  const started = await env.client.start('catalogReindex', { catalog: 'books', items, pageSize }, { flowId, continueAsNewAfterEvents: 1500 });
  const handle = { firstExecutionRunId: started.runId };
  const runs = new Set([handle.firstExecutionRunId]);

  const { flow } = await eventually(
    async () => {
      const snapshot = await env.client.snapshot(flowId);
      runs.add(snapshot.flow.runId);
      return snapshot;
    },
    (s) => s.flow.status === 'succeeded',
    120_000,
  );
  expect(flow.flowId).toBe(flowId);
  expect(flow.result).toEqual({ reindexed: items });
  expect(flow.tasks).toHaveLength(items);
  expect(new Set(flow.tasks.map((t) => t.taskId)).size).toBe(items);
  expect(flow.taskSummary).toMatchObject({ total: items, active: 0, byStatus: { succeeded: items } });
  // Each task is two writes (scheduled, ended); each page adds a state patch and a step; plus the final write.
  const pages = items / pageSize;
  expect(flow.revision).toBe(items * 2 + pages * 2 + 1);

  const history = await env.client.client.workflow.list({ query: `WorkflowId = '${flowId}'` });
  const executions = [];
  for await (const info of history) executions.push(info);
  expect(executions.length).toBeGreaterThan(2);
  expect(executions.filter((e) => e.status.name === 'CONTINUED_AS_NEW').length).toBe(executions.length - 1);
  expect(executions.every((e) => e.typedSearchAttributes.get(SA_SYNC_MODE) === 'managed')).toBe(true);
}, 150_000);

test('catalogReindex of 10,000 items continues as new after every page, carrying every task; no workflow task fails', async () => {
  const flowId = `catalogReindex-10k-${Date.now()}`;
  const items = 10_000;
  const pageSize = 500;
  // Every page passes 500 events, so checkpoint() continues as new after each one.
  await env.client.start('catalogReindex', { catalog: 'films', items, pageSize }, { flowId, continueAsNewAfterEvents: 500 });
  // Polled by describe: reading the whole record of thousands of tasks twice a second would keep the worker busy.
  await eventually(() => env.client.client.workflow.getHandle(flowId).describe(), (d) => d.status.name === 'COMPLETED', 540_000);
  const { flow } = await env.client.snapshot(flowId);
  expect(flow.status).toBe('succeeded');
  expect(flow.result).toEqual({ reindexed: items });
  expect(flow.tasks).toHaveLength(items);
  expect(new Set(flow.tasks.map((t) => t.taskId)).size).toBe(items);
  expect(flow.taskSummary).toMatchObject({ total: items, active: 0, failures: 0 });

  const runs = [];
  for await (const info of env.client.client.workflow.list({ query: `WorkflowId = '${flowId}'` })) runs.push(info);
  // A checkpoint after each of the 20 pages, the last one included: 21 runs, the last of which finds nothing left to do.
  expect(runs.length).toBe(items / pageSize + 1);
  for await (const history of env.client.client.workflow.list({ query: `WorkflowId = '${flowId}'` }).intoHistories()) {
    const events = (history.history as temporal.api.history.v1.IHistory).events ?? [];
    // The server's back-pressure (FORCE_CLOSE_COMMAND, too many task completions while one workflow task ran) is not a failure of the flow.
    const forceClose = 17; /* WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND */
    const failed = events.filter((e) => e.workflowTaskFailedEventAttributes && e.workflowTaskFailedEventAttributes.cause !== forceClose);
    expect(failed).toEqual([]);
  }
}, 600_000);
