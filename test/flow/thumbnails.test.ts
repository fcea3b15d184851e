import { blocked } from '../../src/task';
import { loadActivities } from '../../src/worker';
import { flowTestEnv, eventually, type FlowTestEnv } from '../helpers/flows';

let env: FlowTestEnv;
const convertedTiffs = new Set<string>();

/** Blocks on a TIFF until the test "converts" it, as a person would before resuming the flow. */
async function renderThumbnail(imageUrl: string, size: number) {
  if (imageUrl.endsWith('.tiff') && !convertedTiffs.has(imageUrl)) return blocked(`${imageUrl} is a TIFF; convert it, then resume the flow`);
  return `${imageUrl}-${size}.png`;
}

beforeAll(async () => {
  env = await flowTestEnv();
  await env.startWorker({ ...loadActivities(), renderThumbnail });
});
afterAll(() => env?.teardown());

test('parallel tasks fan out, each recorded, and join into one result', async () => {
  const images = ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'];
  const started = await env.client.start('thumbnailBatch', { images, size: 64 });
  const { flow } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status === 'succeeded');
  expect(flow.result).toBe('contact-sheet(4)');
  const renders = flow.tasks.filter((t) => t.kind === 'renderThumbnail');
  expect(renders.map((t) => t.name).sort()).toEqual(images.map((i) => `thumbnail ${i}`));
  expect(new Set(flow.tasks.map((t) => t.taskId)).size).toBe(5);
  expect(flow.taskSummary).toMatchObject({ total: 5, active: 0, terminal: 5, failures: 0, byStatus: { succeeded: 5 } });
});

test('a task that ends blocked blocks the flow until resumed, then runs again', async () => {
  const started = await env.client.start('thumbnailBatch', { images: ['scan.tiff', 'photo.jpg'], size: 32 });
  const { flow } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status === 'blocked');
  const blockedTask = flow.tasks.find((t) => t.terminalOutcome === 'blocked')!;
  expect(blockedTask).toMatchObject({ status: 'succeeded', name: 'thumbnail scan.tiff' });
  expect(flow.blocked).toEqual({ taskId: blockedTask.taskId, summary: 'scan.tiff is a TIFF; convert it, then resume the flow' });
  await eventually(() => env.client.list({ statuses: ['blocked'] }), (l) => l.flows.some((f) => f.flowId === flow.flowId));

  convertedTiffs.add('scan.tiff');
  await env.client.resume(flow.flowId, undefined, { expectedRevision: flow.revision });
  const { flow: done } = await eventually(() => env.client.snapshot(flow.flowId), (s) => s.flow.status === 'succeeded');
  expect(done.blocked).toBeNull();
  expect(done.result).toBe('contact-sheet(2)');
  expect(done.tasks.filter((t) => t.name === 'thumbnail scan.tiff').map((t) => t.terminalOutcome)).toEqual(['blocked', 'succeeded']);
});

test('a task that fails after its retries fails the flow with its error', async () => {
  await env.stopWorker();
  await env.startWorker({
    ...loadActivities(),
    renderThumbnail: async () => {
      throw new Error('disk full');
    },
  });
  const started = await env.client.start('thumbnailBatch', { images: ['x.jpg'] });
  const { flow } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status === 'failed', 30_000);
  expect(flow.error).toBe('disk full');
  expect(flow.tasks[0]).toMatchObject({ status: 'failed', error: 'disk full', attempt: 3 });
  expect((await env.client.client.workflow.getHandle(started.flowId).describe()).status.name).toBe('FAILED');
  await env.stopWorker();
  await env.startWorker({ ...loadActivities(), renderThumbnail });
});
