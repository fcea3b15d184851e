import { randomUUID } from 'node:crypto';
import type { FlowRecord } from '../../src/model/records';
import { cliHarness, eventually, type CliHarness } from './helpers';

// Each spawned CLI is a cold Node start; on a busy machine a test with a dozen of them takes a while.
jest.setTimeout(180_000);

let h: CliHarness;

beforeAll(async () => {
  h = await cliHarness();
}, 90_000);
afterAll(() => h?.teardown());

test('show: header, wait, state, tasks and the Web UI link in text; the FlowRecord in JSON', async () => {
  const docId = `cli-doc-${randomUUID().slice(0, 8)}`;
  const started = await h.cli(['flow', 'start', 'documentApproval', '--input', JSON.stringify({ documentId: docId, title: 'Q3 plan' }), '--json']);
  expect(started.code).toBe(0);
  expect(started.json()).toMatchObject({ ok: true, applied: true, flow: { flowType: 'documentApproval', lookupKey: docId, status: 'queued', revision: 0 } });
  const flowId: string = started.json().flow.flowId;
  await eventually(() => h.env.client.snapshot(flowId), (s) => s.flow.status === 'waiting');

  const [text, json] = await Promise.all([h.cli(['flow', 'show', docId]), h.cli(['flow', 'show', flowId, '--json'])]);
  expect(text.code).toBe(0);
  const record = json.json<FlowRecord>();
  const { flow } = await h.env.client.snapshot(flowId);
  expect(record).toEqual(flow);
  expect(record).toMatchObject({ flowId, syncMode: 'managed', status: 'waiting', currentStep: 'approval', state: { words: expect.any(Number), approver: null } });

  const lines = text.stdout.trimEnd().split('\n');
  expect(lines[0]).toBe(`TaskFlow ${flowId}`);
  const field = (label: string) => lines.find((l) => l.startsWith(`  ${label}:`))?.slice(`  ${label}:`.length).trim();
  expect(field('type')).toBe('documentApproval');
  expect(field('mode')).toBe('managed');
  expect(field('status')).toBe('waiting');
  expect(field('revision')).toBe(String(record.revision));
  expect(field('lookup key')).toBe(docId);
  expect(field('goal')).toBe('Draft, approve and publish "Q3 plan"');
  expect(field('step')).toBe('approval');
  expect(field('created')).toMatch(/^\d{4}-\d\d-\d\dT.+Z \((just now|\d+s ago)\)$/);
  expect(field('ended')).toBe('n/a');
  expect(field('waiting for')).toBe('approval — Send {"approved": true, "approver": "<your name>"} to publish, approved false to reject');
  expect(lines).toContain('State:');
  expect(lines).toContain(`    "words": ${record.state && (record.state as { words: number }).words},`);
  expect(lines).toContain('Tasks: 1 total · 0 active · 0 issues');
  expect(lines.find((l) => l.includes('draftDocument-1'))).toMatch(/^\s+draftDocument-1\s+draftDocument\s+succeeded\s+1\s+(just now|\d+s)$/);
  expect(lines.find((l) => l.trimStart().startsWith('TASK ID'))).toMatch(/^\s+TASK ID\s+NAME\s+STATUS\s+ATTEMPT\s+AGE\s+SUMMARY$/);
  expect(lines).toContain(`Web UI: http://ui.example.test:8233/namespaces/default/workflows/${encodeURIComponent(flowId)}`);
  expect(text.stdout).not.toContain('Note:');

  const ui = await h.cli(['ui', flowId, '--json']);
  expect(ui.json()).toEqual({ url: `http://ui.example.test:8233/namespaces/default/workflows/${encodeURIComponent(flowId)}`, flowId });
});

test('show of a flow no worker has picked up yet: queued, and it says why', async () => {
  const started = await h.cli(['flow', 'start', 'greeting', '--input', '{"name":"Nobody"}', '--json'], { TASKFLOW_TASK_QUEUE: `nobody-${randomUUID()}` });
  const flowId: string = started.json().flow.flowId;
  const [text, json] = await Promise.all([h.cli(['flow', 'show', flowId]), h.cli(['flow', 'show', flowId, '--json'])]);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/Note: no worker has picked this flow up yet; start one with taskflow worker\./);
  expect(json.json()).toMatchObject({ flowId, status: 'queued', goal: 'Greet Nobody', tasks: [], taskSummary: { total: 0 } });
  await h.env.client.client.workflow.getHandle(flowId).terminate('test cleanup');
});

test('show of a flow whose record cannot be read (its worker is gone) fails in one sentence; it never prints a partial record', async () => {
  const { flowTestEnv } = await import('../helpers/flows');
  const taskQueue = `gone-${randomUUID()}`;
  const own = await flowTestEnv({ taskQueue });
  try {
    await own.startWorker();
    const started = await own.client.start('documentApproval', { documentId: `gone-${randomUUID().slice(0, 8)}`, title: 'Orphan' });
    await eventually(() => own.client.snapshot(started.flowId), (s) => s.flow.status === 'waiting');
    await own.stopWorker();

    const [text, json] = await Promise.all([
      h.cli(['flow', 'show', started.flowId], { TASKFLOW_TASK_QUEUE: taskQueue }),
      h.cli(['flow', 'show', started.flowId, '--json'], { TASKFLOW_TASK_QUEUE: taskQueue }),
    ]);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe('');
    expect(text.stderr.trim().split('\n')).toHaveLength(1);
    expect(text.stderr).toMatch(new RegExp(`The record of flow ${started.flowId} could not be read: no (TaskFlow )?worker`));
    expect(json.code).toBe(1);
    expect(json.json()).toMatchObject({ ok: false, error: { type: 'record_unavailable', reason: 'no_worker' } });
    await own.client.client.workflow.getHandle(started.flowId).terminate('test cleanup');
  } finally {
    await own.teardown();
  }
});

test('--watch follows a flow until it ends: one line per change, exit 0 on success and 1 otherwise', async () => {
  const { client } = h.env;
  const docId = `cli-watch-${randomUUID().slice(0, 8)}`;
  const waiting = await client.start('documentApproval', { documentId: docId, title: 'Watched' });
  const [failing, jsonWatched] = await Promise.all([client.start('greeting', { name: 'fail-me' }), client.start('greeting', { name: 'Json' })]);
  await eventually(() => client.snapshot(waiting.flowId), (s) => s.flow.status === 'waiting');

  const watch = h.spawn(['flow', 'show', docId, '--watch']);
  const [watchedFail, watchedJson] = await Promise.all([
    h.cli(['tasks', 'flow', 'show', failing.flowId, '--watch']),
    h.cli(['flow', 'show', jsonWatched.flowId, '--watch', '--json']),
    // Resume only once the watcher has drawn the waiting flow, so it sees the change.
    eventually(async () => watch.stdout(), (out) => out.includes(' · waiting · ')),
  ]);
  await client.resume(waiting.flowId, { approved: true, approver: 'Grace' });
  const watched = await watch.done;
  expect(watched.code).toBe(0);
  const lines = watched.stdout.trimEnd().split('\n');
  expect(lines.length).toBeGreaterThan(1);
  for (const line of lines) expect(line).toMatch(new RegExp(`^\\d{4}-.+Z · ${waiting.flowId} · \\w+ · rev \\d+ · step \\w+ · tasks \\d+ active/\\d+ total`));
  expect(lines[0]).toContain(' · waiting · ');
  expect(lines.at(-1)).toContain(' · succeeded · ');
  expect(new Set(lines).size).toBe(lines.length);

  expect(watchedFail.code).toBe(1);
  expect(watchedFail.stdout.trimEnd().split('\n').at(-1)).toMatch(/ · failed · .*error: .*cannot greet fail-me/);

  expect(watchedJson.code).toBe(0);
  const records = watchedJson.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as FlowRecord);
  expect(records.at(-1)).toMatchObject({ flowId: jsonWatched.flowId, status: 'succeeded', result: 'Hello, Json!' });
});

test('text output shows user data inert (escape sequences stripped, newlines as \\n); JSON keeps it raw', async () => {
  const flowId = `cli-esc-${randomUUID().slice(0, 8)}`;
  const goal = '\u001b[31mRed\u001b[0m goal\nsecond line';
  const summary = '\u001b]0;owned\u0007half \u009b2Jdone\u001b[2K';
  const created = await h.cli(['flow', 'report', flowId, '--create', '--goal', goal, '--task', 'sync\u001b[1m', '--name', 'n\u0008ame', '--status', 'running', '--summary', summary, '--json']);
  expect(created.code).toBe(0);

  const [show, json, list, tasks] = await Promise.all([
    h.cli(['flow', 'show', flowId]),
    h.cli(['flow', 'show', flowId, '--json']),
    eventually(() => h.cli(['flow', 'list', '--mode', 'mirrored', '--limit', '200']), (r) => r.stdout.includes(flowId)),
    h.cli(['tasks', 'list', '--flow', flowId]),
  ]);
  for (const run of [show, list, tasks]) {
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  }
  expect(show.stdout).toContain('goal:             Red goal\\nsecond line');
  expect(show.stdout).toContain('half done');
  expect(list.stdout.split('\n').find((l) => l.startsWith(flowId))).toContain('Red goal\\nsecond line');
  expect(tasks.stdout).toContain('sync');
  expect(tasks.stdout).toContain('half done');

  const record = json.json<FlowRecord>();
  expect(record.goal).toBe(goal);
  expect(record.tasks[0]).toMatchObject({ taskId: 'sync\u001b[1m', name: 'n\u0008ame', progressSummary: summary });
});
