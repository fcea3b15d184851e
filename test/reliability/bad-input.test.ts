import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliHarness, projectDir, type CliHarness, type CliRun } from '../cli/helpers';
import { freePorts } from '../global-setup';

/**
 * Garbage in: every bad input gets one clear sentence, a non-zero exit, and leaves the flow as it
 * was. One table, run against the real CLI and server.
 */
let h: CliHarness;
let flowId: string;
let revision: number;

beforeAll(async () => {
  h = await cliHarness();
  const started = await h.env.client.start('documentApproval', { documentId: 'bad-input', title: 'Garbage in' });
  flowId = started.flowId;
  const { eventually } = await import('../helpers/server');
  revision = (await eventually(() => h.env.client.snapshot(flowId), (s) => s.flow.status === 'waiting')).flow.revision;
}, 120_000);
afterAll(() => h?.teardown());

function oneSentence(run: CliRun): string {
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/[.!]$/);
  return lines[0]!;
}

const cases: Array<[string, () => string[], { code: number; type: string; says: RegExp }]> = [
  ['unknown flow type', () => ['flow', 'start', 'noSuchFlow'], { code: 1, type: 'invalid_input', says: /Unknown flow type noSuchFlow; known flow types: .*greeting/ }],
  ['input that is not JSON', () => ['flow', 'start', 'greeting', '--input', '{name:'], { code: 2, type: 'usage', says: /JSON/ }],
  ['input failing the schema', () => ['flow', 'start', 'greeting', '--input', '{"name":""}'], { code: 1, type: 'invalid_input', says: /name/ }],
  ['a missing @file', () => ['flow', 'start', 'greeting', '--input', '@/no/such/file.json'], { code: 2, type: 'usage', says: /file/ }],
  ['negative --expect-revision', () => ['flow', 'resume', flowId, '--expect-revision', '-3', '--data', '{}'], { code: 2, type: 'usage', says: /expect-revision/ }],
  ['huge --expect-revision', () => ['flow', 'resume', flowId, '--expect-revision', '99999999999', '--data', '{"approved":true,"approver":"x"}'], { code: 1, type: 'revision_conflict', says: /revision/ }],
  ['resume data failing the schema', () => ['flow', 'resume', flowId, '--data', '{"approved":"maybe"}'], { code: 1, type: 'invalid_input', says: /approved/ }],
  ['--limit 0', () => ['flow', 'list', '--limit', '0'], { code: 2, type: 'usage', says: /limit/ }],
  ['unknown --status', () => ['flow', 'list', '--status', 'done'], { code: 2, type: 'usage', says: /queued, running, waiting, blocked, succeeded, failed, cancelled, or lost/ }],
  ['an empty lookup', () => ['flow', 'show', ''], { code: 1, type: 'not_found', says: /TaskFlow not found/ }],
  ['a whitespace lookup', () => ['flow', 'show', '   '], { code: 1, type: 'not_found', says: /TaskFlow not found/ }],
  ['a report with a bad status', () => ['flow', 'report', flowId, '--task', 't', '--status', 'finished'], { code: 2, type: 'usage', says: /status/ }],
  ['a report to a managed flow', () => ['flow', 'report', flowId, '--task', 't', '--status', 'running'], { code: 1, type: 'not_mirrored', says: /managed flow/ }],
];

test.each(cases)('%s: one sentence, its exit code and type, the flow unchanged', async (_name, args, expected) => {
  const text = await h.cli(args());
  expect(text.code).toBe(expected.code);
  expect(oneSentence(text)).toMatch(expected.says);
  const json = await h.cli([...args(), '--json']);
  expect(json.code).toBe(expected.code);
  expect(json.json()).toMatchObject({ ok: false, error: { type: expected.type } });
  expect((await h.env.client.snapshot(flowId)).flow.revision).toBe(revision);
});

test('state past Temporal’s payload limit is refused with a clear sentence and no workflow task stuck', async () => {
  const file = path.join(projectDir(''), 'big.json');
  fs.writeFileSync(file, JSON.stringify({ approved: true, approver: 'x'.repeat(3 * 1024 * 1024) }));
  const run = await h.cli(['flow', 'resume', flowId, '--data', `@${file}`, '--json']);
  expect(run.code).toBe(1);
  expect(run.json().error).toMatchObject({ type: 'invalid_input', message: expect.stringMatching(/is 3\.0 MB; a flow write may carry at most 1\.0 MB/) });
  const { flow } = await h.env.client.snapshot(flowId);
  expect(flow).toMatchObject({ status: 'waiting', revision });
  // The flow still takes a normal write: nothing is stuck.
  const ok = await h.cli(['flow', 'resume', flowId, '--data', '{"approved":false,"approver":"Ada"}', '--json']);
  expect(ok.code).toBe(0);
}, 60_000);

test('control characters and invalid UTF-16 in a summary are stripped in text, kept in JSON', async () => {
  const summary = 'ok \u001b[31mred\u001b[0m \u0007bell \ud800 lone';
  const report = await h.cli(['flow', 'report', 'garbage-summary', '--task', 't1', '--status', 'running', '--summary', summary, '--create', '--json']);
  expect(report.code).toBe(0);
  const shown = await h.cli(['flow', 'show', 'garbage-summary']);
  expect(shown.code).toBe(0);
  expect(shown.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  expect(shown.stdout).toContain('red');
});

test('a malformed temporal.yaml names the file and the key, and nothing runs', async () => {
  for (const [yaml, key] of [
    ['taskQueue: 42', 'taskQueue'],
    ['devServer:\n  port: abc', 'devServer.port'],
    ['flowDefaults:\n  heartbeatTimeout: soon', 'flowDefaults.heartbeatTimeout'],
    ['connection:\n  nmespace: x', 'nmespace'],
    ['connection: [', 'temporal.yaml'],
  ] as const) {
    const dir = projectDir(yaml);
    const { runCli } = await import('../cli/helpers');
    const run = await runCli(['flow', 'list'], { cwd: dir, env: { ...process.env, TASKFLOW_CONFIG: '' } });
    expect(run.code).toBe(1);
    expect(oneSentence(run)).toContain('temporal.yaml');
    expect(run.stderr).toContain(key);
  }
});

test('a server that is down: one sentence naming the address, exit 1', async () => {
  const [port] = await freePorts(1);
  const run = await h.cli(['flow', 'list'], { TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
  expect(run.code).toBe(1);
  expect(oneSentence(run)).toContain(`127.0.0.1:${port}`);
});

async function waitingFlow(documentId: string) {
  const started = await h.env.client.start('documentApproval', { documentId, title: 'Too big' });
  const { eventually } = await import('../helpers/server');
  const { flow } = await eventually(() => h.env.client.snapshot(started.flowId), (s) => s.flow.status === 'waiting');
  return { flow, handle: h.env.client.client.workflow.getHandle(flow.flowId) };
}

test('an oversized write from another Temporal client is refused by the flow itself, before history', async () => {
  const { flow: before, handle } = await waitingFlow('oversize-1');
  const flowId = before.flowId;
  const refused: any = await handle.executeUpdate('patchState', { args: [{ patch: { words: 1, blob: 'x'.repeat(1536 * 1024) } }] }).catch((e) => e);
  expect(refused.cause).toMatchObject({ type: 'invalid_input', message: expect.stringContaining('The request is 1.5 MB; a flow write may carry at most 1.0 MB') });
  expect((await h.env.client.snapshot(flowId)).flow.revision).toBe(before.revision);
}, 60_000);

test('a write past Temporal’s own limit from another client fails there, and the flow recovers by itself', async () => {
  const { flow: before, handle } = await waitingFlow('oversize-2');
  const flowId = before.flowId;
  // Temporal echoes a refused request back in the refusal, so past 2 MB the flow cannot refuse it cleanly:
  // that workflow task fails and the write is dropped. What matters is that nothing is left stuck.
  await expect(handle.executeUpdate('patchState', { args: [{ patch: { blob: 'x'.repeat(3 * 1024 * 1024) } }] })).rejects.toThrow();
  const { eventually } = await import('../helpers/server');
  const written = await eventually(
    () => h.env.client.patchState(flowId, { words: 42 }).catch(() => null),
    (w) => w !== null,
    90_000,
  );
  expect(written!.flow.revision).toBe(before.revision + 1);
}, 120_000);
