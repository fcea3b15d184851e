import { randomUUID } from 'node:crypto';
import { FlowRecord, TaskRecord } from '../../src/model/records';
import { cliHarness, eventually, type CliHarness, type RunningCli } from './helpers';

/** `--jsonl` streams and `flow list --watch` (spec §13), against a real server and worker. */

jest.setTimeout(300_000);

let h: CliHarness;

beforeAll(async () => {
  h = await cliHarness();
}, 120_000);
afterAll(() => h?.teardown());

const parseLines = (stdout: string): any[] =>
  stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));

/** Waits until the running command has printed what `ok` looks for. */
const printed = (running: RunningCli, ok: (stdout: string) => boolean) => eventually(async () => running.stdout(), ok, 120_000);

const approve = { approved: true, approver: 'Grace' };

test('flow show --watch --jsonl: one FlowRecord per change, revisions strictly increasing, ends with the flow', async () => {
  const { client } = h.env;
  const flow = await client.start('documentApproval', { documentId: `jsonl-${randomUUID().slice(0, 8)}`, title: 'Streamed' });
  const watching = h.spawn(['flow', 'show', flow.flowId, '--watch', '--jsonl']);
  await printed(watching, (out) => out.includes('"status":"waiting"'));
  await client.resume(flow.flowId, approve);
  const run = await watching.done;
  expect(run.code).toBe(0);
  expect(run.stderr).toBe('');
  const records = parseLines(run.stdout);
  for (const record of records) expect(FlowRecord.safeParse(record).error).toBeUndefined();
  expect(records.every((r) => r.flowId === flow.flowId)).toBe(true);
  const revisions = records.map((r) => r.revision as number);
  expect(revisions.every((rev, i) => i === 0 || rev > revisions[i - 1]!)).toBe(true);
  expect(records.some((r) => r.status === 'waiting')).toBe(true);
  expect(records[records.length - 1]).toEqual((await client.snapshot(flow.flowId)).flow);
  expect(records[records.length - 1].status).toBe('succeeded');
});

test('flow list --jsonl and tasks list --jsonl: one record per line, the same as --json holds', async () => {
  const { client } = h.env;
  const key = `jsonl-list-${randomUUID().slice(0, 8)}`;
  const ids = await Promise.all([
    client.start('greeting', { name: 'Ada' }, { lookupKey: key }),
    client.start('greeting', { name: 'Grace' }, { lookupKey: key }),
  ]);
  await eventually(() => client.list({ lookupKey: key, statuses: ['succeeded'] }), (l) => l.total === 2, 120_000);

  const [lines, json, taskLines, taskJson, both] = await Promise.all([
    h.cli(['flow', 'list', '--lookup-key', key, '--jsonl']),
    h.cli(['flow', 'list', '--lookup-key', key, '--json']),
    h.cli(['tasks', 'list', '--lookup-key', key, '--jsonl']),
    h.cli(['tasks', 'list', '--lookup-key', key, '--json']),
    h.cli(['flow', 'list', '--lookup-key', key, '--json', '--jsonl']),
  ]);
  expect(lines).toMatchObject({ code: 0, stderr: '' });
  const flows = parseLines(lines.stdout);
  expect(flows).toHaveLength(2);
  expect(flows).toEqual(json.json().flows);
  expect(new Set(flows.map((f) => f.flowId))).toEqual(new Set(ids.map((f) => f.flowId)));
  for (const f of flows) expect(f).toMatchObject({ status: 'succeeded', taskSummary: { total: 1, active: 0 } });
  expect(flows.every((f) => !('tasks' in f))).toBe(true);

  expect(taskLines).toMatchObject({ code: 0, stderr: '' });
  const tasks = parseLines(taskLines.stdout);
  expect(tasks).toHaveLength(2);
  expect(tasks).toEqual(taskJson.json().tasks);
  for (const task of tasks) expect(TaskRecord.safeParse(task).error).toBeUndefined();

  expect(both.code).toBe(2);
  expect(both.json()).toEqual({ ok: false, error: { type: 'usage', message: expect.stringContaining('--json and --jsonl') } });
});

test('flow list --watch: --jsonl prints a flow again when it changes; text without a terminal reprints the list, no escape codes', async () => {
  const { client } = h.env;
  const key = `watch-list-${randomUUID().slice(0, 8)}`;
  const [waiting, other] = await Promise.all([
    client.start('documentApproval', { documentId: `${key}-a`, title: 'Watched' }, { lookupKey: key }),
    client.start('documentApproval', { documentId: `${key}-b`, title: 'Bystander' }, { lookupKey: key }),
  ]);
  await eventually(() => client.list({ lookupKey: key, statuses: ['waiting'] }), (l) => l.total === 2, 120_000);

  const stream = h.spawn(['flow', 'list', '--watch', '--jsonl', '--lookup-key', key]);
  const text = h.spawn(['flow', 'list', '--watch', '--lookup-key', key]);
  await printed(stream, (out) => parseLines(out).length >= 2);
  await printed(text, (out) => out.includes(waiting.flowId) && out.includes('2 waiting'));
  const firstFrames = text.stdout().split('Updated ').length - 1;

  await client.resume(waiting.flowId, approve);
  await printed(stream, (out) => parseLines(out).some((f) => f.flowId === waiting.flowId && f.status === 'succeeded'));
  await printed(text, (out) => /succeeded/.test(out) && out.split('Updated ').length - 1 > firstFrames);
  stream.kill('SIGINT');
  text.kill('SIGINT');
  const [streamed, drawn] = await Promise.all([stream.done, text.done]);

  // Ctrl-C ends a watch in order.
  expect(streamed.code).toBe(0);
  expect(drawn.code).toBe(0);
  const entries = parseLines(streamed.stdout);
  const ofWaiting = entries.filter((f) => f.flowId === waiting.flowId);
  expect(ofWaiting[0]).toMatchObject({ status: 'waiting' });
  expect(ofWaiting[ofWaiting.length - 1]).toMatchObject({ status: 'succeeded' });
  // Printed again only on a change: never the same run, revision and status twice in a row.
  const versions = ofWaiting.map((f) => `${f.runId}:${f.revision}:${f.status}`);
  expect(new Set(versions).size).toBe(versions.length);
  // The flow that did not change was printed once.
  expect(entries.filter((f) => f.flowId === other.flowId)).toHaveLength(1);

  expect(drawn.stdout).not.toMatch(/\u001b/);
  const frames = drawn.stdout
    .split(/^Updated \S+\n/m)
    .map((frame) => frame.trim())
    .filter(Boolean);
  expect(frames.length).toBeGreaterThanOrEqual(2);
  // Consecutive frames differ: an unchanged list is not printed again.
  expect(frames.every((frame, i) => i === 0 || frame !== frames[i - 1])).toBe(true);
  expect(frames[0]).toMatch(/^0 active · 2 waiting · 0 blocked · 0 issues · 0 cancel-requested · 2 total$/m);
  expect(frames[frames.length - 1]).toMatch(/^0 active · 1 waiting · 0 blocked · 0 issues · 0 cancel-requested · 2 total$/m);
});
