import * as path from 'node:path';
import { checkpointWhileBusy, typedRounds } from '../fixtures/flows/edge-flows';
import { flowTestEnv, eventually, type FlowTestEnv } from '../helpers/flows';

let env: FlowTestEnv;

beforeAll(async () => {
  env = await flowTestEnv({}, path.join(__dirname, '..', 'fixtures', 'flows'));
  await env.startWorker({
    pause: async (label: string, ms: number) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return `done ${label}`;
    },
  });
}, 60_000);
afterAll(() => env?.teardown());

/** Every run of a flow, once visibility lists them all (oldest last). */
async function runsOf(flowId: string, count: number) {
  return eventually(
    async () => {
      const runs = [];
      for await (const info of env.client.client.workflow.list({ query: `WorkflowId = '${flowId}'` })) runs.push(info);
      return runs;
    },
    (runs) => runs.length >= count,
    30_000,
  );
}

test('checkpoint() waits for a task running in another branch before it continues as new', async () => {
  // A threshold of 1 makes the checkpoint due at once, while the slow task has just started.
  const started = await env.client.start(checkpointWhileBusy, { ms: 2_000 }, { continueAsNewAfterEvents: 1 });
  const { flow } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status === 'succeeded', 60_000);
  expect(flow.result).toEqual({ resumedAfterCheckpoint: true, tasks: 1 });
  expect(flow.tasks).toHaveLength(1);
  expect(flow.tasks[0]).toMatchObject({ kind: 'pause', status: 'succeeded', terminalOutcome: 'succeeded' });
  expect(flow.taskSummary).toMatchObject({ active: 0, byStatus: { succeeded: 1 } });
  const runs = await runsOf(started.flowId, 2);
  expect(runs.map((r) => r.status.name).sort()).toEqual(['COMPLETED', 'CONTINUED_AS_NEW']);
}, 90_000);

test('input with .default() and .transform(): parsed once per run from the raw input, across two checkpoints', async () => {
  // `rounds` defaults to 3; `label` becomes { text, length } — not something the schema accepts again.
  const started = await env.client.start(typedRounds, { label: 'abcd' }, { continueAsNewAfterEvents: 1 });
  expect(started.goal).toBe('Rounds for abcd');
  const { flow } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status === 'succeeded' || s.flow.status === 'failed', 60_000);
  expect(flow).toMatchObject({ status: 'succeeded', error: null, state: { round: 3 } });
  expect(flow.result).toMatchObject({ rounds: 3, text: 'abcd', length: 4 });
  expect((flow.result as { runId: string }).runId).not.toBe(started.runId);
  expect(flow.tasks.map((t) => t.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);

  const runs = await runsOf(started.flowId, 3);
  expect(runs).toHaveLength(3);
  expect(runs.filter((r) => r.status.name === 'CONTINUED_AS_NEW')).toHaveLength(2);
  // The Web UI's Input panel shows the caller's input only: no TaskFlow start options beside it.
  const history = await env.client.client.workflow.getHandle(started.flowId, started.runId).fetchHistory();
  const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
  expect(input).toHaveLength(1);
  expect(JSON.parse(Buffer.from(input[0]!.data!).toString())).toEqual({ label: 'abcd' });
}, 90_000);
