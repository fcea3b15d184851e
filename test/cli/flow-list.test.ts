import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { FlowRecord, FlowStatus } from '../../src/model/records';
import { cliHarness, eventually, runCli, temporalCli, temporalWorkflowIds, type CliHarness } from './helpers';

/**
 * `flow list` and `<lookup>` against flows in every status, all sharing one fresh lookup key so
 * the shared test server's other flows never show up.
 */

// Each spawned CLI is a cold Node start; on a busy machine a test with a dozen of them takes a while.
jest.setTimeout(180_000);

let h: CliHarness;
const key = `cli-list-${randomUUID().slice(0, 8)}`;
const ids = {} as Record<FlowStatus | 'mirrored', string>;

const PRESSURE_LINE = /^(\d+) active · (\d+) waiting · (\d+) blocked · (\d+) issues · (\d+) cancel-requested · (\d+) total$/;

beforeAll(async () => {
  h = await cliHarness();
  const { client } = h.env;
  const start = async (type: string, input: unknown) => (await client.start(type, input, { lookupKey: key })).flowId;
  ids.succeeded = await start('greeting', { name: 'Ada' });
  ids.failed = await start('greeting', { name: 'fail-me' });
  ids.waiting = await start('documentApproval', { documentId: 'd1', title: 'Plan' });
  ids.blocked = await start('thumbnailBatch', { images: ['scan.tiff'] });
  ids.running = await start('dataExport', { tables: [key], rowsPerTable: 100_000_000, msPerChunk: 1000 });
  ids.cancelled = await start('documentApproval', { documentId: 'd2', title: 'Draft' });
  ids.lost = await start('documentApproval', { documentId: 'd3', title: 'Gone' });
  // Started through the CLI on a task queue no worker polls: it stays queued.
  const queued = await h.cli(['flow', 'start', 'greeting', '--input', '{"name":"Queued"}', '--lookup-key', key, '--json'], {
    TASKFLOW_TASK_QUEUE: `nobody-${randomUUID()}`,
  });
  expect(queued.code).toBe(0);
  ids.queued = queued.json().flow.flowId;
  const mirrored = await h.cli(['flow', 'report', `cli-mirror-${randomUUID().slice(0, 8)}`, '--create', '--lookup-key', key, '--task', 'sync', '--status', 'running', '--json']);
  expect(mirrored.code).toBe(0);
  ids.mirrored = mirrored.json().flow.flowId;

  await eventually(() => client.snapshot(ids.cancelled), (s) => s.flow.status === 'waiting');
  await client.cancel(ids.cancelled, { wait: true });
  await eventually(() => client.snapshot(ids.lost), (s) => s.flow.status === 'waiting');
  await client.client.workflow.getHandle(ids.lost).terminate('test: lost');

  const expected = new Map(Object.entries(ids).map(([status, id]) => [id, status === 'mirrored' ? 'running' : status]));
  // Visibility is eventually consistent: wait until the index agrees with every flow.
  await eventually(
    () => client.list({ lookupKey: key }),
    (l) => l.total === Object.keys(ids).length && l.flows.every((f) => f.status === expected.get(f.flowId))
  );
}, 90_000);

afterAll(() => h?.teardown());

test('every status filter returns exactly the flows in that status, as the Temporal CLI finds them', async () => {
  const statuses = ['queued', 'running', 'waiting', 'blocked', 'succeeded', 'failed', 'cancelled', 'lost'] as const;
  const runs = await Promise.all(statuses.map((s) => h.cli(['flow', 'list', '--lookup-key', key, '--status', s, '--json'])));
  for (const [i, status] of statuses.entries()) {
    const run = runs[i]!;
    expect(run.code).toBe(0);
    const list = run.json<{ count: number; total: number; more: boolean; flows: FlowRecord[] }>();
    const expectedIds = status === 'running' ? [ids.running, ids.mirrored].sort() : [ids[status]];
    expect({ status, ids: list.flows.map((f) => f.flowId).sort() }).toEqual({ status, ids: expectedIds });
    expect(list).toMatchObject({ count: expectedIds.length, total: expectedIds.length, more: false });
    expect(list.flows.every((f) => f.status === status)).toBe(true);
  }

  const base = `TaskFlowSyncMode IS NOT NULL AND TaskFlowLookupKey = '${key}'`;
  const temporal = async (clause: string) => (await temporalWorkflowIds(h.env.config, `${base} AND ${clause}`)).sort();
  expect(await temporal(`TaskFlowStatus = 'succeeded'`)).toEqual([ids.succeeded]);
  // The terminated flow keeps the status attribute it had ('waiting'): only open executions are waiting.
  expect(await temporal(`TaskFlowStatus = 'waiting'`)).toEqual([ids.waiting, ids.lost].sort());
  expect(await temporal(`TaskFlowStatus = 'waiting' AND ExecutionStatus = 'Running'`)).toEqual([ids.waiting]);
  expect(await temporal(`TaskFlowStatus = 'blocked'`)).toEqual([ids.blocked]);
  expect(await temporal(`TaskFlowStatus = 'cancelled'`)).toEqual([ids.cancelled]);
  expect(await temporal(`ExecutionStatus = 'Terminated'`)).toEqual([ids.lost]);
  expect(await temporal(`TaskFlowSyncMode = 'mirrored'`)).toEqual([ids.mirrored]);
  expect(await temporal(`ExecutionStatus = 'Running'`)).toEqual([ids.queued, ids.running, ids.waiting, ids.blocked, ids.mirrored].sort());
});

test('other filters, the limit, and the pressure line over everything but --status', async () => {
  const [several, mirrored, byType, limited, since, future, text, alias, none] = await Promise.all([
    h.cli(['flow', 'list', '--lookup-key', key, '--status', 'waiting, blocked', '--json']),
    h.cli(['flow', 'list', '--lookup-key', key, '--mode', 'mirrored', '--json']),
    h.cli(['flow', 'list', '--lookup-key', key, '--type', 'greeting', '--json']),
    h.cli(['flow', 'list', '--lookup-key', key, '--limit', '2', '--json']),
    h.cli(['flow', 'list', '--lookup-key', key, '--since', '1h', '--json']),
    h.cli(['flow', 'list', '--lookup-key', key, '--since', new Date(Date.now() + 3_600_000).toISOString(), '--json']),
    h.cli(['flow', 'list', '--lookup-key', key, '--status', 'succeeded']),
    h.cli(['tasks', 'flow', 'list', '--lookup-key', key, '--json']),
    h.cli(['flow', 'list', '--lookup-key', `${key}-none`]),
  ]);
  const idsOf = (run: { json(): { flows: FlowRecord[] } }) => run.json().flows.map((f) => f.flowId).sort();
  expect(idsOf(several)).toEqual([ids.waiting, ids.blocked].sort());
  expect(idsOf(mirrored)).toEqual([ids.mirrored]);
  expect(mirrored.json().flows[0]).toMatchObject({ syncMode: 'mirrored', goal: 'sync', taskSummary: { active: 1, total: 1 } });
  expect(idsOf(byType)).toEqual([ids.succeeded, ids.failed, ids.queued].sort());
  expect(limited.json()).toMatchObject({ count: 2, total: 9, more: true });
  expect(idsOf(since)).toHaveLength(9);
  // A window that starts in the future keeps only the open flows.
  expect(idsOf(future)).toEqual([ids.queued, ids.running, ids.waiting, ids.blocked, ids.mirrored].sort());
  // The alias spelling answers the same.
  expect(idsOf(alias)).toEqual(Object.values(ids).sort());
  // Open flows first, newest first: the visibility store's order.
  const order = alias.json().flows.map((f: FlowRecord) => f.endedAt === null);
  expect(order.indexOf(false)).toBeGreaterThan(order.lastIndexOf(true));

  expect(text.code).toBe(0);
  const lines = text.stdout.trimEnd().split('\n');
  const pressure = PRESSURE_LINE.exec(lines[0]!);
  expect(pressure).not.toBeNull();
  // active = queued + running (2 managed + 1 mirrored), issues = failed + lost; the --status filter does not narrow it.
  expect(pressure!.slice(1).map(Number)).toEqual([3, 1, 1, 2, 0, 9]);
  expect(lines[1]).toBe('Filters: status succeeded · lookup key ' + key);
  expect(lines[3]).toMatch(/^FLOW ID\s+MODE\s+STATUS\s+REV\s+TASKS\s+GOAL$/);
  expect(lines[4]).toMatch(new RegExp(`^${ids.succeeded}\\s+managed\\s+succeeded\\s+\\d+\\s+0 active/1 total\\s+Greet Ada$`));
  expect(lines).toHaveLength(5);

  const limitedText = await h.cli(['flow', 'list', '--lookup-key', key, '--limit', '3']);
  expect(limitedText.stdout).toContain('Showing 3 of 9 flows; use --limit to see more');

  expect(none.code).toBe(0);
  expect(none.stdout).toContain('0 active · 0 waiting · 0 blocked · 0 issues · 0 cancel-requested · 0 total');
  expect(none.stdout).toContain('No TaskFlows match these filters.');
});

test('values that do not parse are usage errors (exit 2) and run no query', async () => {
  // A closed port: had any of these queried the server, they would fail with server_unavailable (exit 1).
  const offline = { TEMPORAL_ADDRESS: '127.0.0.1:1' };
  const [status, statusJson, limit0, negative, since, mode] = await Promise.all([
    h.cli(['flow', 'list', '--status', 'running,done'], offline),
    h.cli(['flow', 'list', '--status', 'bogus', '--json'], offline),
    h.cli(['flow', 'list', '--limit', '0'], offline),
    h.cli(['flow', 'list', '--limit', '-5'], offline),
    h.cli(['flow', 'list', '--since', 'yesterday'], offline),
    h.cli(['tasks', 'flow', 'list', '--mode', 'both'], offline),
  ]);
  expect(status).toMatchObject({ code: 2, stdout: '' });
  expect(status.stderr.trim()).toBe('--status must be queued, running, waiting, blocked, succeeded, failed, cancelled, or lost; got "done".');
  expect(statusJson.code).toBe(2);
  expect(statusJson.json()).toEqual({ ok: false, error: expect.objectContaining({ type: 'usage', message: expect.stringContaining('queued, running, waiting') }) });
  for (const run of [limit0, negative, since, mode]) {
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  }
  expect(limit0.stderr).toContain('--limit must be a positive integer');
  expect(since.stderr).toContain('--since must be a duration');
  expect(mode.stderr).toContain('--mode must be managed or mirrored');
});

describe('<lookup>', () => {
  test('by id, by lookup key (newest open flow wins, else the newest), by unique prefix; ambiguous and unknown ones fail', async () => {
    const { client } = h.env;
    const k2 = `cli-key-${randomUUID().slice(0, 8)}`;
    const old = (await client.start('greeting', { name: 'Old' }, { lookupKey: k2 })).flowId;
    const live = (await client.start('documentApproval', { documentId: 'k2', title: 'Live' }, { lookupKey: k2 })).flowId;
    const newest = (await client.start('greeting', { name: 'New' }, { lookupKey: k2 })).flowId;
    const k3 = `cli-key-${randomUUID().slice(0, 8)}`;
    const endedOld = (await client.start('greeting', { name: 'A' }, { lookupKey: k3 })).flowId;
    await eventually(() => client.snapshot(endedOld), (s) => s.flow.status === 'succeeded');
    const endedNew = (await client.start('greeting', { name: 'B' }, { lookupKey: k3 })).flowId;
    const stem = `cli-pfx-${randomUUID().slice(0, 8)}`;
    await client.start('greeting', { name: 'Alpha' }, { flowId: `${stem}-alpha` });
    await client.start('greeting', { name: 'Beta' }, { flowId: `${stem}-beta` });
    await eventually(
      () => Promise.all([client.snapshot(newest), client.snapshot(endedNew), client.list({ lookupKey: k2 }), client.list({ lookupKey: k3 })]),
      ([a, b, l2, l3]) => a.flow.status === 'succeeded' && b.flow.status === 'succeeded' && l2.total === 3 && l3.total === 2 && l3.flows.every((f) => f.status === 'succeeded'),
    );
    await eventually(() => temporalWorkflowIds(h.env.config, `WorkflowId STARTS_WITH '${stem}'`), (found) => found.length === 2);

    const [byId, byKey, byEndedKey, byPrefix, ambiguous, ambiguousJson, notFound, notFoundJson, tooShort] = await Promise.all([
      h.cli(['flow', 'show', old, '--json']),
      h.cli(['flow', 'show', k2, '--json']),
      h.cli(['flow', 'show', k3, '--json']),
      h.cli(['flow', 'show', `${stem}-al`, '--json']),
      h.cli(['flow', 'show', stem]),
      h.cli(['flow', 'show', stem, '--json']),
      h.cli(['flow', 'show', `no-such-flow-${stem}`]),
      h.cli(['tasks', 'flow', 'show', `no-such-flow-${stem}`, '--json']),
      h.cli(['flow', 'show', 'cli-p']),
    ]);
    expect(byId.json().flowId).toBe(old);
    expect(byKey.json()).toMatchObject({ flowId: live, status: 'waiting' });
    expect(byEndedKey.json().flowId).toBe(endedNew);
    expect(byPrefix.json().flowId).toBe(`${stem}-alpha`);

    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain(`${stem}-alpha`);
    expect(ambiguous.stderr).toContain(`${stem}-beta`);
    expect(ambiguousJson.code).toBe(1);
    expect(ambiguousJson.json().error).toMatchObject({ type: 'ambiguous_lookup', matches: expect.arrayContaining([`${stem}-alpha`, `${stem}-beta`]) });

    expect(notFound.code).toBe(1);
    expect(notFound.stdout).toBe('');
    expect(notFound.stderr.trim()).toBe(`TaskFlow not found: no-such-flow-${stem}. Run taskflow flow list to see recent flow ids.`);
    expect(notFoundJson.code).toBe(1);
    expect(notFoundJson.json()).toEqual({
      ok: false,
      error: expect.objectContaining({ type: 'not_found', message: `TaskFlow not found: no-such-flow-${stem}. Run taskflow flow list to see recent flow ids.` }),
    });
    // Prefixes shorter than 6 characters are never tried.
    expect(tooShort.stderr.trim()).toBe('TaskFlow not found: cli-p. Run taskflow flow list to see recent flow ids.');
    void newest;
  });
});

test('a server that does not answer is one sentence naming the address, exit 1', async () => {
  const [text, json] = await Promise.all([
    runCli(['flow', 'list'], { env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' }, cwd: '/' }),
    runCli(['flow', 'show', 'x', '--json'], { env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' }, cwd: '/' }),
  ]);
  expect(text.code).toBe(1);
  expect(text.stderr.trim().split('\n')).toHaveLength(1);
  expect(text.stderr).toContain('127.0.0.1:1');
  // The address came from TEMPORAL_ADDRESS: the dev server is not the answer (test/cli/connection-errors.test.ts).
  expect(text.stderr).not.toContain('npm start');
  expect(json.code).toBe(1);
  expect(json.json().error).toMatchObject({ type: 'server_unavailable', address: '127.0.0.1:1' });
});

test('a namespace without the TaskFlow search attributes says how to register them', async () => {
  const namespace = `cli-no-sa-${randomUUID().slice(0, 8)}`;
  const { address } = h.env.config.connection;
  await promisify(execFile)(temporalCli(), ['operator', 'namespace', 'create', '--namespace', namespace, '--address', address]);
  // A new namespace takes a moment to reach every part of the server.
  const run = await eventually(
    () => h.cli(['flow', 'list', '--json'], { TEMPORAL_NAMESPACE: namespace }),
    (r) => !String(r.json().error?.message).includes('does not exist'),
  );
  expect(run.code).toBe(1);
  expect(run.json().error).toMatchObject({
    type: 'config_error',
    message: `Namespace ${namespace} on ${address} does not have the TaskFlow search attributes (TaskFlowSyncMode is unknown there); run taskflow worker or taskflow dev once against it to register them.`,
  });
  const text = await h.cli(['flow', 'show', 'anything'], { TEMPORAL_NAMESPACE: namespace });
  expect(text.code).toBe(1);
  expect(text.stderr).toContain('run taskflow worker or taskflow dev once against it to register them.');
});
