import * as path from 'node:path';
import { FlowError } from '../../src/client';
import { SA_STATUS } from '../../src/model/search-attributes';
import { leftWait, parallelWaits } from '../fixtures/flows/edge-flows';
import { flowTestEnv, eventually, type FlowTestEnv } from '../helpers/flows';
import { publishesPerWorkflowTask } from '../helpers/history';

let project: FlowTestEnv;
let fixtures: FlowTestEnv;

beforeAll(async () => {
  project = await flowTestEnv();
  // The example's own activities, as the README runs them: a TIFF blocks its task once.
  await project.startWorker();
  fixtures = await flowTestEnv({}, path.join(__dirname, '..', 'fixtures', 'flows'));
  await fixtures.startWorker({ pause: async (label: string) => `done ${label}` });
}, 60_000);
afterAll(async () => {
  await project?.teardown();
  await fixtures?.teardown();
});

/** The error a call fails with (it must fail). */
async function failureOf(call: Promise<unknown>): Promise<FlowError> {
  const outcome = await call.then(() => null, (err: unknown) => err);
  expect(outcome).toBeInstanceOf(FlowError);
  return outcome as FlowError;
}

async function expectPublishedOncePerWorkflowTask(env: FlowTestEnv, flowId: string): Promise<void> {
  const history = await env.client.client.workflow.getHandle(flowId).fetchHistory();
  expect(publishesPerWorkflowTask(history)).toEqual({ searchAttributes: 1, memo: 1 });
}

test('two blocked TIFFs: one resume --wait per blocked task; the flow never fails and each task runs again', async () => {
  const started = await project.client.start('thumbnailBatch', { images: ['a.tiff', 'b.tiff', 'c.jpg'], size: 16 });
  const { flow } = await eventually(() => project.client.snapshot(started.flowId), (s) => (s.flow.wait as { waits?: unknown[] } | null)?.waits?.length === 2);
  expect(flow.status).toBe('blocked');
  const taskOf = (image: string) => flow.tasks.find((t) => t.name === `thumbnail ${image}` && t.terminalOutcome === 'blocked')!.taskId;
  const [a, b] = [taskOf('a.tiff'), taskOf('b.tiff')];
  expect(flow.wait).toEqual({ waits: expect.arrayContaining([
    { for: a, description: 'a.tiff is a TIFF; convert it, then resume the flow', blocked: true },
    { for: b, description: 'b.tiff is a TIFF; convert it, then resume the flow', blocked: true },
  ]) });
  expect(flow.blocked).toMatchObject({ taskId: expect.stringMatching(new RegExp(`^(${a}|${b})$`)) });

  // Unnamed, with two open: refused before anything changes, naming the waits.
  const refused = await failureOf(project.client.resume(flow.flowId, undefined));
  expect(refused.type).toBe('ambiguous_wait');
  expect((refused.details.waits as string[]).sort()).toEqual([a, b].sort());
  expect(refused.message).toContain('--wait');

  const first = await project.client.resume(flow.flowId, undefined, { wait: a });
  expect(first.flow).toMatchObject({ status: 'blocked', wait: null, blocked: { taskId: b } });
  await project.client.resume(flow.flowId, undefined, { wait: b });

  const { flow: done } = await eventually(() => project.client.snapshot(flow.flowId), (s) => s.flow.status === 'succeeded', 30_000);
  expect(done.result).toBe('contact-sheet(3)');
  expect(done).toMatchObject({ wait: null, blocked: null, error: null });
  for (const image of ['a.tiff', 'b.tiff']) {
    expect(done.tasks.filter((t) => t.name === `thumbnail ${image}`).map((t) => t.terminalOutcome)).toEqual(['blocked', 'succeeded']);
  }
  await expectPublishedOncePerWorkflowTask(project, flow.flowId);
}, 90_000);

test('two waits open in parallel branches: each resumed by name; an unnamed resume is refused and changes nothing', async () => {
  const started = await fixtures.client.start(parallelWaits, { id: 'p1' });
  const { flow } = await eventually(() => fixtures.client.snapshot(started.flowId), (s) => s.flow.status === 'waiting' && s.flow.wait !== null);
  expect(flow.wait).toEqual({ waits: [{ for: 'left', description: 'Send {"n": <number>}' }, { for: 'right', description: null }] });
  // The upsert of the last change of a workflow task lands in that task: the status is searchable now.
  const handle = fixtures.client.client.workflow.getHandle(flow.flowId);
  await eventually(() => handle.describe(), (d) => d.typedSearchAttributes.get(SA_STATUS) === 'waiting');

  const refused = await failureOf(fixtures.client.resume(flow.flowId, { n: 1 }));
  expect(refused).toMatchObject({ type: 'ambiguous_wait', details: { waits: ['left', 'right'] } });
  const unknown = await failureOf(fixtures.client.resume(flow.flowId, { n: 1 }, { wait: 'middle' }));
  expect(unknown).toMatchObject({ type: 'ambiguous_wait', details: { waits: ['left', 'right'] } });
  const invalid = await failureOf(fixtures.client.resume(flow.flowId, { n: 'one' }, { wait: 'left' }));
  expect(invalid.type).toBe('invalid_input');
  const unchanged = (await fixtures.client.snapshot(flow.flowId)).flow;
  expect(unchanged).toMatchObject({ revision: flow.revision, status: 'waiting', wait: flow.wait });

  const right = await fixtures.client.resume(flow.flowId, { s: 'R' }, { wait: 'right', expectedRevision: flow.revision });
  expect(right.flow).toMatchObject({ status: 'waiting', wait: { for: 'left', description: 'Send {"n": <number>}' } });
  // One wait left: no name needed (here given as the declared wait, which types the data).
  await fixtures.client.resume(flow.flowId, { n: 7 }, { wait: leftWait });
  await failureOf(fixtures.client.resume(flow.flowId, { n: 8 }));
  const { flow: done } = await eventually(() => fixtures.client.snapshot(flow.flowId), (s) => s.flow.status === 'succeeded');
  expect(done.result).toEqual({ left: 7, right: 'R' });
  await expectPublishedOncePerWorkflowTask(fixtures, flow.flowId);
}, 60_000);
