import { randomUUID } from 'node:crypto';
import { mapLimited } from '../../src/client/map-limited';
import { cliHarness, eventually, type CliHarness } from './helpers';

/**
 * `flow cancel` without a <lookup> (spec §13): 200 waiting flows selected by one lookup key, a dry
 * run, the real run, and a second run with nothing left to do.
 */

jest.setTimeout(600_000);

let h: CliHarness;

beforeAll(async () => {
  h = await cliHarness();
}, 120_000);
afterAll(() => h?.teardown());

interface BulkAnswer {
  ok: boolean;
  dryRun: boolean;
  matched: number;
  flows: Array<{ flowId: string; status: string; stillActive: string[]; error: null | { type: string; message: string } }>;
}

const openCount = (key: string) =>
  h.env.client.client.workflow.count(`TaskFlowLookupKey = '${key}' AND ExecutionStatus = 'Running'`).then((c) => c.count);

test('usage: no filter, or filters without --yes or --dry-run, is exit 2 and changes nothing', async () => {
  const [none, noYes, noYesJson, both] = await Promise.all([
    h.cli(['flow', 'cancel']),
    h.cli(['flow', 'cancel', '--lookup-key', 'anything']),
    h.cli(['flow', 'cancel', '--status', 'waiting', '--json']),
    h.cli(['flow', 'cancel', 'some-flow', '--lookup-key', 'anything', '--yes']),
  ]);
  expect(none).toMatchObject({ code: 2, stdout: '' });
  expect(none.stderr).toMatch(/^flow cancel needs a <lookup>, or filters .*; it never cancels every flow\.\n$/);
  expect(noYes).toMatchObject({ code: 2, stdout: '' });
  expect(noYes.stderr).toMatch(/^A bulk cancel needs --yes .*add --yes, or --dry-run .*\n$/);
  expect(noYesJson.code).toBe(2);
  expect(noYesJson.json()).toEqual({ ok: false, error: { type: 'usage', message: expect.stringContaining('--yes') } });
  expect(both).toMatchObject({ code: 2, stdout: '' });
  expect(both.stderr).toMatch(/not both/);
});

test('200 waiting flows by lookup key: dry run, then --yes cancels each once, then nothing is left to do', async () => {
  const { client } = h.env;
  const key = `bulk-${randomUUID().slice(0, 8)}`;
  const started = await mapLimited(
    Array.from({ length: 200 }, (_, i) => i),
    10,
    async (i) => (await client.start('documentApproval', { documentId: `${key}-${i}`, title: `Doc ${i}` }, { lookupKey: key })).flowId,
  );
  const ids = new Set(started);
  // Every flow waits (so stays open) and visibility knows it.
  await eventually(() => client.list({ lookupKey: key, statuses: ['waiting'] }, 1), (l) => l.total === 200, 300_000);

  const [dry, dryText] = await Promise.all([
    h.cli(['flow', 'cancel', '--lookup-key', key, '--dry-run', '--json']),
    h.cli(['flow', 'cancel', '--lookup-key', key, '--dry-run']),
  ]);
  expect(dry.code).toBe(0);
  const preview = dry.json<BulkAnswer>();
  expect(preview).toMatchObject({ ok: true, dryRun: true, matched: 200 });
  expect(preview.flows).toHaveLength(20);
  for (const flow of preview.flows) {
    expect(flow).toEqual({ flowId: expect.any(String), status: 'waiting', stillActive: [], error: null });
    expect(ids.has(flow.flowId)).toBe(true);
  }
  expect(dryText.code).toBe(0);
  const textLines = dryText.stdout.trimEnd().split('\n');
  expect(textLines[0]).toBe('200 open flows match; nothing was cancelled (dry run).');
  expect(textLines.filter((l) => /^ {2}\S+ +waiting$/.test(l))).toHaveLength(20);
  expect(dryText.stdout).toContain('… and 180 more.');
  // Nothing changed: no flow has a cancel intent, all still wait.
  const previewed = await mapLimited(preview.flows, 5, (f) => client.snapshot(f.flowId));
  expect(previewed.map((s) => [s.flow.status, s.flow.cancelRequestedAt])).toEqual(preview.flows.map(() => ['waiting', null]));
  expect(await openCount(key)).toBe(200);

  const run = await h.cli(['flow', 'cancel', '--lookup-key', key, '--yes', '--reason', 'bulk test', '--json']);
  const answer = run.json<BulkAnswer>();
  expect({ code: run.code, failed: answer.flows.filter((f) => f.error !== null).slice(0, 5) }).toEqual({ code: 0, failed: [] });
  expect(answer).toMatchObject({ ok: true, dryRun: false, matched: 200 });
  expect(answer.flows).toHaveLength(200);
  expect(new Set(answer.flows.map((f) => f.flowId))).toEqual(ids);
  for (const flow of answer.flows) {
    expect(Object.keys(flow).sort()).toEqual(['error', 'flowId', 'status', 'stillActive']);
    expect(flow).toMatchObject({ status: 'cancelled', stillActive: [], error: null });
  }

  // Each flow: cancelled, its execution Canceled, and exactly one cancel request in its history.
  const checked = await mapLimited(started, 8, async (flowId) => {
    const handle = client.client.workflow.getHandle(flowId);
    const [description, history, { flow }] = await Promise.all([handle.describe(), handle.fetchHistory(), client.snapshot(flowId)]);
    const cancels = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'cancel');
    return { execution: description.status.name, status: flow.status, reason: flow.cancelReason, cancels: cancels.length };
  });
  expect(checked.filter((c) => c.execution !== 'CANCELLED' || c.status !== 'cancelled' || c.reason !== 'bulk test' || c.cancels !== 1)).toEqual([]);

  // Once visibility has caught up, a second run finds nothing to do.
  await eventually(() => openCount(key), (n) => n === 0, 120_000);
  const [again, againText] = await Promise.all([
    h.cli(['flow', 'cancel', '--lookup-key', key, '--yes', '--json']),
    h.cli(['flow', 'cancel', '--lookup-key', key, '--yes']),
  ]);
  expect(again.code).toBe(0);
  expect(again.json()).toEqual({ ok: true, dryRun: false, matched: 0, flows: [] });
  expect(againText).toMatchObject({ code: 0, stdout: 'No open flows match these filters; nothing to cancel.\n' });
});

test('text: a line per flow and a summary; a flow that keeps a task active makes it exit 1', async () => {
  const { client } = h.env;
  const key = `bulk-mixed-${randomUUID().slice(0, 8)}`;
  const waiting = await client.start('documentApproval', { documentId: `${key}-doc`, title: 'Doc' }, { lookupKey: key });
  const stuck = await client.start('dataExport', { tables: [`stubborn-${key}`], rowsPerTable: 10 }, { lookupKey: key });
  await eventually(() => client.snapshot(stuck.flowId), (s) => s.flow.tasks.some((t) => t.status === 'running'));
  await eventually(() => client.list({ lookupKey: key, statuses: ['waiting', 'running'] }, 5), (l) => l.total === 2);

  const run = await h.cli(['flow', 'cancel', '--lookup-key', key, '--yes', '--rps', '5']);
  expect(run.code).toBe(1);
  const lines = run.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(3);
  expect(lines).toContain(`${waiting.flowId}: cancelled`);
  const stuckLine = lines.find((l) => l.startsWith(`${stuck.flowId}: `));
  expect(stuckLine).toMatch(/^\S+: running; One or more child tasks are still active\. Still active: \S+\.$/);
  expect(lines[2]).toBe('1 of 2 matching flows cancelled; 1 could not be cancelled or kept tasks active (see above).');

  // The intent stays recorded; releasing the task lets the flow end cancelled, as after a single cancel.
  expect((await client.snapshot(stuck.flowId)).flow.cancelRequestedAt).not.toBeNull();
  h.releaseStubborn();
  await eventually(() => client.snapshot(stuck.flowId), (s) => s.flow.status === 'cancelled');
});
