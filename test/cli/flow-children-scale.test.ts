import type { FlowRecord } from '../../src/client';
import { flowTestEnv, type FlowTestEnv } from '../helpers/flows';
import { cliEnv, ensureBuilt, eventually, projectDir, runCli } from './helpers';

/**
 * Work past one flow's 10,000 tasks, split into child flows (spec §12): a release of 50 packages,
 * each built by a child flow of 300 tasks (298 modules compiled, tests, pack) — 15,000 tasks in all.
 * Trivial tasks, bounded fan-out at both levels; generous deadlines for a 2-core machine.
 */

const PACKAGES = 50;
const TASKS_PER_CHILD = 300;

let env: FlowTestEnv;
let cwd: string;

beforeAll(async () => {
  await ensureBuilt();
  env = await flowTestEnv({ worker: { maxConcurrentActivityTaskExecutions: 200 } });
  await env.startWorker();
  cwd = projectDir('devServer:\n  enabled: false\n');
}, 180_000);
afterAll(async () => env?.teardown());

const cli = (args: string[]) => runCli(args, { env: cliEnv(env.config), cwd, timeoutMs: 120_000 });

test(`a parent with ${PACKAGES} children of ${TASKS_PER_CHILD} tasks each completes; show --depth 1 and list --parent are right`, async () => {
  const packages = Array.from({ length: PACKAGES }, (_, i) => `pkg-${String(i + 1).padStart(2, '0')}`);
  const started = await env.client.start('release', { version: '9.9.9', packages, modules: TASKS_PER_CHILD - 2, workMs: 0, parallel: 10 });
  const { flow: parent } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status !== 'running', 15 * 60_000);
  expect(parent.status).toBe('succeeded');
  expect(parent.taskSummary).toMatchObject({ total: PACKAGES, terminal: PACKAGES, failures: 0 });
  expect(parent.tasks.every((t) => t.kind === 'buildPackage' && t.status === 'succeeded' && t.childFlowId !== null)).toBe(true);
  expect((parent.result as { released: string[] }).released).toHaveLength(PACKAGES);

  const shown = await cli(['flow', 'show', parent.flowId, '--depth', '1', '--timeout', '60s']);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toContain(`Child flows: ${PACKAGES} · ${PACKAGES} succeeded`);
  const rows = shown.stdout.split('\n').filter((l) => /^ {2}[├└]─ /.test(l));
  expect(rows).toHaveLength(PACKAGES);
  for (const row of rows) expect(row).toContain(`succeeded  tasks 0 active/${TASKS_PER_CHILD} total · 0 issues`);

  const listed = await eventually(
    () => cli(['flow', 'list', '--parent', parent.flowId, '--limit', '100', '--json']).then((r) => r.json()),
    (list) => list.total === PACKAGES && list.flows.every((f: FlowRecord) => f.status === 'succeeded'),
    120_000,
  );
  expect(listed).toMatchObject({ count: PACKAGES, total: PACKAGES, more: false });
  expect(listed.flows.map((f: FlowRecord) => f.flowId).sort()).toEqual(parent.tasks.map((t) => t.childFlowId).sort());
  for (const f of listed.flows) expect(f.taskSummary).toMatchObject({ total: TASKS_PER_CHILD, active: 0, failures: 0 });
}, 20 * 60_000);
