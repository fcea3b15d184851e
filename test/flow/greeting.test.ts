import { flowTestEnv, eventually, type FlowTestEnv } from '../helpers/flows';

let env: FlowTestEnv;

beforeAll(async () => {
  env = await flowTestEnv();
  await env.startWorker();
});
afterAll(() => env?.teardown());

test('the greeting example runs end to end and its record, search attributes and memo agree', async () => {
  const started = await env.client.start('greeting', { name: 'Ada' });
  expect(started).toMatchObject({ status: 'queued', revision: 0, syncMode: 'managed', flowType: 'greeting', goal: 'Greet Ada' });

  const { flow } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status === 'succeeded');
  expect(flow.result).toBe('Hello, Ada!');
  expect(flow.tasks).toHaveLength(1);
  expect(flow.tasks[0]).toMatchObject({ taskId: 'composeGreeting-1', kind: 'composeGreeting', status: 'succeeded' });
  expect(flow.currentStep).toBe('compose');
  expect(flow.endedAt).not.toBeNull();

  const listed = await eventually(
    () => env.client.list({ flowType: 'greeting' }),
    (l) => l.flows.some((f) => f.flowId === started.flowId && f.status === 'succeeded'),
  );
  const row = listed.flows.find((f) => f.flowId === started.flowId)!;
  expect(row.revision).toBe(flow.revision);
  expect(row.taskSummary).toMatchObject({ total: 1, active: 0 });
  expect(row.goal).toBe('Greet Ada');
});
