import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TaskRecord } from '../../src/model/records';
import { cliHarness, eventually, type CliHarness } from './helpers';

// Each spawned CLI is a cold Node start; on a busy machine a test with a dozen of them takes a while.
jest.setTimeout(180_000);

let h: CliHarness;

beforeAll(async () => {
  h = await cliHarness();
}, 90_000);
afterAll(() => h?.teardown());

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

test('start: input from JSON or @file is validated first; parse errors are usage (2), schema errors invalid_input (1)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-start-'));
  fs.writeFileSync(path.join(dir, 'input.json'), '{"name":"File"}');
  const id = unique('cli-start');
  const [fromFile, badJson, missing, schema, unknownType] = await Promise.all([
    h.cli(['flow', 'start', 'greeting', '--input', `@${path.join(dir, 'input.json')}`, '--id', id, '--lookup-key', id, '--json']),
    h.cli(['flow', 'start', 'greeting', '--input', '{name:', '--json']),
    h.cli(['flow', 'start', 'greeting', '--input', '@/nonexistent/input.json']),
    h.cli(['flow', 'start', 'greeting', '--input', '{"name":""}']),
    h.cli(['flow', 'start', 'noSuchFlow', '--json']),
  ]);
  expect(fromFile.code).toBe(0);
  expect(fromFile.json()).toMatchObject({ ok: true, applied: true, flow: { flowId: id, lookupKey: id, goal: 'Greet File', revision: 0 } });
  expect(badJson.code).toBe(2);
  expect(badJson.json().error).toMatchObject({ type: 'usage', message: expect.stringMatching(/^--input must be JSON/) });
  expect(missing).toMatchObject({ code: 2, stdout: '', stderr: '--input @/nonexistent/input.json: no such file.\n' });
  expect(schema.code).toBe(1);
  expect(schema.stderr).toMatch(/^Input for greeting is invalid: name: .+\n$/);
  expect(unknownType.code).toBe(1);
  expect(unknownType.json().error).toMatchObject({ type: 'invalid_input', message: expect.stringContaining('greeting') });

  const again = await h.cli(['flow', 'start', 'greeting', '--input', '{"name":"Twice"}', '--id', id, '--json']);
  expect(again.code).toBe(1);
  expect(again.json().error).toMatchObject({ type: 'flow_exists', flowId: id });

  const text = await h.cli(['flow', 'start', 'greeting', '--input', '{"name":"Text"}']);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/^Started (greeting-\w+) \(greeting\): Greet Text\nFollow it with taskflow flow show greeting-\w+ --watch\n$/);
});

test('resume: a stale revision is revision_conflict with the current one; the fresh one applies', async () => {
  const docId = unique('cli-resume');
  const started = await h.env.client.start('documentApproval', { documentId: docId, title: 'Resume me' });
  const { flow } = await eventually(() => h.env.client.snapshot(started.flowId), (s) => s.flow.status === 'waiting');
  const approval = JSON.stringify({ approved: true, approver: 'Grace' });

  const [stale, invalid, mirroredFlow] = await Promise.all([
    h.cli(['flow', 'resume', docId, '--data', approval, '--expect-revision', String(flow.revision - 1), '--json']),
    h.cli(['flow', 'resume', docId, '--data', '{"approved":"yes"}', '--json']),
    h.cli(['flow', 'report', unique('cli-resume-m'), '--create', '--task', 't', '--status', 'running', '--json']),
  ]);
  expect(stale.code).toBe(1);
  expect(stale.json().error).toMatchObject({ type: 'revision_conflict', currentRevision: flow.revision, expectedRevision: flow.revision - 1 });
  expect(invalid.code).toBe(1);
  expect(invalid.json().error.type).toBe('invalid_input');
  expect((await h.env.client.snapshot(started.flowId)).flow.revision).toBe(flow.revision);

  const requestId = randomUUID();
  const fresh = await h.cli(['flow', 'resume', docId, '--data', approval, '--expect-revision', String(flow.revision), '--request-id', requestId]);
  expect(fresh.code).toBe(0);
  expect(fresh.stdout).toMatch(new RegExp(`^Resumed ${started.flowId}; it is \\w+ at revision \\d+\\.\\n$`));

  const { flow: done } = await eventually(() => h.env.client.snapshot(started.flowId), (s) => s.flow.status === 'succeeded');
  expect(done.state).toMatchObject({ approver: 'Grace' });
  const [notWaiting, notManaged] = await Promise.all([
    h.cli(['flow', 'resume', started.flowId, '--json']),
    h.cli(['flow', 'resume', mirroredFlow.json().flow.flowId, '--json']),
  ]);
  expect(notWaiting.code).toBe(1);
  expect(notWaiting.json().error).toMatchObject({ type: 'flow_terminal', message: 'Flow is already succeeded.' });
  expect(notManaged.code).toBe(1);
  expect(notManaged.json().error.type).toBe('not_managed');
});

test('report creates a mirrored flow, records updates, and treats duplicates as applied:false', async () => {
  const flowId = unique('cli-report');
  const key = unique('cli-report-key');
  const created = await h.cli([
    'flow', 'report', flowId, '--create', '--lookup-key', key, '--goal', 'Nightly build', '--no-auto-complete',
    '--task', 'build', '--kind', 'ci', '--status', 'running', '--summary', '1/3 steps', '--event-id', 'ev-1', '--json',
  ]);
  expect(created.code).toBe(0);
  expect(created.json()).toMatchObject({
    ok: true,
    applied: true,
    flow: { flowId, syncMode: 'mirrored', revision: 1, lookupKey: key, goal: 'Nightly build', status: 'running', tasks: [{ taskId: 'build', kind: 'ci', progressSummary: '1/3 steps' }] },
  });

  const [duplicate, text] = await Promise.all([
    h.cli(['flow', 'report', key, '--task', 'build', '--status', 'failed', '--event-id', 'ev-1', '--json']),
    h.cli(['flow', 'report', key, '--task', 'test', '--status', 'queued']),
  ]);
  expect(duplicate.code).toBe(0);
  expect(duplicate.json()).toMatchObject({ ok: true, applied: false, reason: 'duplicate_event' });
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(new RegExp(`^Recorded task test queued on ${flowId}; the flow is running at revision \\d+\\.\\n$`));

  const finishEarly = await h.cli(['flow', 'finish', flowId]);
  expect(finishEarly.code).toBe(1);
  expect(finishEarly.stderr.split('\n')[0]).toBe('One or more child tasks are still active.');
  expect(finishEarly.stderr.split('\n')[1]).toMatch(/^Still active: (build|test)\b.*, (build|test)\b.*\.$/);

  const { flow } = await h.env.client.snapshot(flowId);
  const [stale, usage, noCreate] = await Promise.all([
    h.cli(['flow', 'report', flowId, '--task', 'build', '--status', 'succeeded', '--expect-revision', String(flow.revision + 5), '--json']),
    h.cli(['flow', 'report', flowId, '--task', 'build', '--status', 'done']),
    h.cli(['flow', 'report', flowId, '--task', 'build', '--status', 'succeeded', '--goal', 'x']),
  ]);
  expect(stale.json().error).toMatchObject({ type: 'revision_conflict', currentRevision: flow.revision });
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain('--status must be queued, running, succeeded, failed, timed_out, cancelled, or lost');
  expect(noCreate.code).toBe(2);
  expect(noCreate.stderr).toBe('--goal only applies with --create.\n');

  for (const task of ['build', 'test']) {
    const ended = await h.cli(['flow', 'report', flowId, '--task', task, '--status', 'succeeded', '--summary', `${task} ok`]);
    expect(ended.code).toBe(0);
  }
  const finished = await h.cli(['flow', 'finish', flowId, '--result', '{"artefacts":3}', '--json']);
  expect(finished.code).toBe(0);
  expect(finished.json()).toMatchObject({ ok: true, applied: true, flow: { status: 'succeeded', result: { artefacts: 3 } } });
  const late = await h.cli(['flow', 'report', flowId, '--task', 'build', '--status', 'running', '--json']);
  expect(late.code).toBe(1);
  expect(late.json().error).toMatchObject({ type: 'flow_terminal', message: 'Flow is already succeeded.' });

  const failedId = unique('cli-fail');
  await h.cli(['flow', 'report', failedId, '--create', '--no-auto-complete', '--task', 'sync', '--status', 'running']);
  const failed = await h.cli(['flow', 'fail', failedId, '--error', 'upstream gone']);
  expect(failed).toMatchObject({ code: 0, stdout: `Failed ${failedId} (mirrored) with status failed.\n` });
  const managed = await h.env.client.start('greeting', { name: 'Managed' });
  const notMirrored = await h.cli(['flow', 'report', managed.flowId, '--task', 'x', '--status', 'running', '--json']);
  expect(notMirrored.json().error.type).toBe('not_mirrored');
});

test('tasks list and tasks show read task records across flows', async () => {
  const a = unique('cli-tasks-a');
  const b = unique('cli-tasks-b');
  const shared = unique('shared');
  const key = unique('cli-tasks-key');
  for (const flowId of [a, b]) {
    const run = await h.cli(['flow', 'report', flowId, '--create', '--lookup-key', key, '--no-auto-complete', '--task', shared, '--name', `task of ${flowId}`, '--status', 'running']);
    expect(run.code).toBe(0);
  }
  await h.cli(['flow', 'report', a, '--task', 'only-a', '--status', 'failed', '--error', 'disk full']);

  const [ofFlow, failedOnly, showOne, ambiguous, missing, alias] = await Promise.all([
    h.cli(['tasks', 'list', '--flow', a, '--json']),
    h.cli(['tasks', 'list', '--flow', a, '--status', 'failed,timed_out', '--json']),
    h.cli(['tasks', 'show', 'only-a', '--flow', a, '--json']),
    eventually(() => h.cli(['tasks', 'show', shared, '--lookup-key', key, '--json']), (r) => r.code === 1 && r.json().error.type === 'ambiguous_lookup'),
    h.cli(['tasks', 'show', 'no-such-task', '--flow', a]),
    h.cli(['tasks', 'show', shared, '--flow', b]),
  ]);
  const list = ofFlow.json<{ count: number; tasks: TaskRecord[] }>();
  expect(list.count).toBe(2);
  expect(list.tasks.map((t) => t.taskId).sort()).toEqual([shared, 'only-a'].sort());
  expect(failedOnly.json()).toMatchObject({ count: 1, tasks: [{ taskId: 'only-a', status: 'failed', error: 'disk full' }] });
  expect(showOne.json()).toMatchObject({ taskId: 'only-a', flowId: a, status: 'failed' });
  expect(ambiguous.json().error.matches.sort()).toEqual([a, b].sort());
  expect(missing.code).toBe(1);
  expect(missing.stderr).toBe(`Task not found: no-such-task in flow ${a}. Run taskflow tasks list to see recent task ids.\n`);
  expect(alias.code).toBe(0);
  expect(alias.stdout).toContain(`Task ${shared}`);
  expect(alias.stdout).toContain(`flow:            ${b}`);

  const across = await eventually(
    () => h.cli(['tasks', 'list', '--status', 'running', '--lookup-key', key, '--since', '10m', '--json']),
    (r) => r.json<{ tasks: TaskRecord[] }>().tasks.filter((t) => t.taskId === shared).length === 2,
  );
  expect(across.json<{ tasks: TaskRecord[] }>().tasks.every((t) => t.status === 'running')).toBe(true);
  const text = await h.cli(['tasks', 'list', '--flow', b]);
  expect(text.stdout.split('\n')[0]).toBe('Tasks: 1');
  expect(text.stdout).toMatch(/TASK ID\s+FLOW ID\s+NAME\s+STATUS\s+ATTEMPT\s+AGE\s+SUMMARY/);
});
