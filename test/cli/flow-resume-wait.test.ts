import type { FlowRecord } from '../../src/model/records';
import { cliHarness, eventually, type CliHarness } from './helpers';

jest.setTimeout(180_000);

let h: CliHarness;
beforeAll(async () => {
  h = await cliHarness();
}, 90_000);
afterAll(() => h?.teardown());

test("the README's thumbnail example with two TIFFs: show lists both waits, a bare resume is refused, --wait resumes each", async () => {
  const started = await h.cli(['flow', 'start', 'thumbnailBatch', '--input', '{"images":["a.jpg","b.tiff","c.tiff"]}', '--json']);
  expect(started.code).toBe(0);
  const flowId = started.json<{ flow: FlowRecord }>().flow.flowId;
  const { flow } = await eventually(() => h.env.client.snapshot(flowId), (s) => (s.flow.wait as { waits?: unknown[] } | null)?.waits?.length === 2, 30_000);
  const blockedTasks = flow.tasks.filter((t) => t.terminalOutcome === 'blocked').map((t) => t.taskId);
  expect(blockedTasks).toHaveLength(2);

  const shown = await h.cli(['flow', 'show', flowId]);
  for (const taskId of blockedTasks) expect(shown.stdout).toContain(`taskflow flow resume ${flowId} --wait ${taskId}\n`);

  const bare = await h.cli(['flow', 'resume', flowId, '--json']);
  expect(bare.code).toBe(1);
  expect(bare.json()).toEqual({ ok: false, error: expect.objectContaining({ type: 'ambiguous_wait', waits: expect.arrayContaining(blockedTasks) }) });
  const bareText = await h.cli(['flow', 'resume', flowId]);
  expect(bareText).toMatchObject({ code: 1, stdout: '' });
  expect(bareText.stderr).toContain('--wait');
  expect((await h.env.client.snapshot(flowId)).flow.revision).toBe(flow.revision);

  for (const taskId of blockedTasks) {
    const resumed = await h.cli(['flow', 'resume', flowId, '--wait', taskId]);
    expect(resumed).toMatchObject({ code: 0, stderr: '' });
  }
  const { flow: done } = await eventually(() => h.env.client.snapshot(flowId), (s) => s.flow.status === 'succeeded', 30_000);
  expect(done.result).toBe('contact-sheet(3)');
  expect(done.tasks.filter((t) => t.terminalOutcome === 'blocked')).toHaveLength(2);
  expect(done.tasks.filter((t) => t.kind === 'renderThumbnail' && t.terminalOutcome === 'succeeded')).toHaveLength(3);
});
