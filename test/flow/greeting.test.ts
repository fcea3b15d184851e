import { defaultPayloadConverter } from '@temporalio/common';
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

test('a flow no worker has picked up yet is queued, in show and in the list', async () => {
  const idle = await flowTestEnv();
  try {
    const started = await idle.client.start('greeting', { name: 'Nobody' }, { lookupKey: 'greeting-queued' });
    const shown = await idle.client.show(started.flowId);
    expect(shown).toMatchObject({ source: 'start', executionStatus: 'RUNNING', flow: { status: 'queued', revision: 0, lookupKey: 'greeting-queued' } });
    const listed = await eventually(() => idle.client.list({ statuses: ['queued'], lookupKey: 'greeting-queued' }), (l) => l.count === 1);
    expect(listed.flows[0]).toMatchObject({ flowId: started.flowId, status: 'queued', goal: 'Greet Nobody' });

    await idle.startWorker();
    const { flow } = await eventually(() => idle.client.snapshot(started.flowId), (s) => s.flow.status === 'succeeded');
    expect(flow.result).toBe('Hello, Nobody!');
  } finally {
    await idle.teardown();
  }
});

test('the Web UI metadata is filled in: static summary and details, activity summaries, current details, record query', async () => {
  const started = await env.client.start('documentApproval', { documentId: 'doc-ui', title: 'UI check' });
  await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status === 'waiting');
  const handle = env.client.client.workflow.getHandle(started.flowId);
  const description = await handle.describe();
  expect(await description.staticSummary()).toBe('Draft, approve and publish "UI check"');
  expect(await description.staticDetails()).toContain('`doc-ui`');

  const metadata = await handle.query<{ currentDetails?: string; definition?: { queryDefinitions?: Array<{ name: string }> } }>('__temporal_workflow_metadata');
  expect(metadata.currentDetails).toContain('**waiting**');
  expect(metadata.currentDetails).toContain('Waiting for: approval');
  expect(metadata.definition?.queryDefinitions?.map((q) => q.name)).toContain('flowRecord');

  const history = await handle.fetchHistory();
  const scheduled = history.events!.filter((e) => e.activityTaskScheduledEventAttributes);
  expect(defaultPayloadConverter.fromPayload(scheduled[0]!.userMetadata!.summary!)).toBe('Draft document "UI check"');
});
