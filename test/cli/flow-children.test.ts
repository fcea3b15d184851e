import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { FlowRecord } from '../../src/client';
import { loadActivities } from '../../src/worker';
import { flowTestEnv, type FlowTestEnv } from '../helpers/flows';
import { cliEnv, ensureBuilt, eventually, projectDir, runCli } from './helpers';

/**
 * Child flows (spec §12) through the real CLI: `release` runs one `buildPackage` child flow per
 * package. The package `broken` fails its tests, so its child fails and the release catches it.
 */

let env: FlowTestEnv;
let cwd: string;

beforeAll(async () => {
  await ensureBuilt();
  env = await flowTestEnv();
  const activities = loadActivities();
  await env.startWorker({
    ...activities,
    runTests: async (pkg: string, workMs: number) => {
      if (pkg === 'broken') throw ApplicationFailure.nonRetryable(`tests of ${pkg} failed`, 'TestsFailed');
      return activities.runTests!(pkg, workMs);
    },
  });
  cwd = projectDir('devServer:\n  enabled: false\nflowDefaults:\n  cancelGracePeriod: 20s\n');
}, 180_000);
afterAll(async () => env?.teardown());

const cli = (args: string[]) => runCli(args, { env: cliEnv(env.config), cwd });

async function release(packages: string[], extra: Record<string, unknown> = {}): Promise<FlowRecord> {
  const version = `1.0.0-${randomUUID().slice(0, 8)}`;
  return env.client.start('release', { version, packages, modules: 2, workMs: 0, ...extra });
}

test('a parent with 3 children, one failed and caught: records, tree, --parent, --roots, tasks list', async () => {
  const started = await release(['core', 'broken', 'cli']);
  const { flow: parent } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status === 'succeeded');
  const childIds = [1, 2, 3].map((n) => `${parent.flowId}/buildPackage-${n}`);

  // In the parent each child is one task: kind = the child's flow type, childFlowId = its id, status following it.
  expect(parent.tasks.map((t) => [t.kind, t.childFlowId, t.status])).toEqual([
    ['buildPackage', childIds[0], 'succeeded'],
    ['buildPackage', childIds[1], 'failed'],
    ['buildPackage', childIds[2], 'succeeded'],
  ]);
  expect(parent.tasks[1]!.error).toBe('tests of broken failed');
  expect(parent.result).toMatchObject({ failed: [{ package: 'broken', error: 'tests of broken failed' }] });
  expect(parent.parentFlowId).toBeNull();

  // Each child is a flow of its own: its parent recorded, its own tasks, its own end.
  const children = await Promise.all(childIds.map((id) => env.client.snapshot(id)));
  expect(children.map((c) => [c.flow.parentFlowId, c.flow.status, c.flow.taskSummary.total])).toEqual([
    [parent.flowId, 'succeeded', 4],
    [parent.flowId, 'failed', 3],
    [parent.flowId, 'succeeded', 4],
  ]);
  // Temporal's own parent link stays: they are real child workflows.
  const described = await env.client.client.workflow.getHandle(childIds[1]!).describe();
  expect(described.raw.workflowExecutionInfo?.parentExecution?.workflowId).toBe(parent.flowId);

  // The tree under the task table: each child's status and task counts.
  const shown = await cli(['flow', 'show', parent.flowId]);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toContain('Child flows: 3 · 2 succeeded · 1 failed');
  expect(shown.stdout).toContain(`├─ ${childIds[0]}  succeeded  tasks 0 active/4 total · 0 issues  Build core@`);
  expect(shown.stdout).toContain(`├─ ${childIds[1]}  failed  tasks 0 active/3 total · 1 issue  Build broken@`);
  expect(shown.stdout).toContain(`└─ ${childIds[2]}  succeeded  tasks 0 active/4 total · 0 issues  Build cli@`);
  expect(shown.stdout.indexOf('Child flows:')).toBeGreaterThan(shown.stdout.indexOf('buildPackage-3'));
  // --json stays the flat parent record.
  const json = (await cli(['flow', 'show', parent.flowId, '--json'])).json<FlowRecord>();
  expect(json.tasks.map((t) => t.childFlowId)).toEqual(childIds);
  expect(JSON.stringify(json)).not.toContain('Child flows');
  expect((await cli(['flow', 'show', parent.flowId, '--depth', '0'])).stdout).not.toContain('Child flows');
  // Depth 2 reads each child's own record for its children (these builds have none).
  const deeper = await cli(['flow', 'show', parent.flowId, '--depth', '2']);
  expect(deeper.stdout).toContain('Child flows: 3 · 2 succeeded · 1 failed (2 levels)');
  expect(deeper.stdout.split('\n').filter((l) => /^ {2}[├└]─ /.test(l))).toHaveLength(3);
  const badDepth = await cli(['flow', 'show', parent.flowId, '--depth', 'deep']);
  expect(badDepth.code).toBe(2);
  expect(badDepth.stderr).toContain('--depth must be a whole number of at least 0');

  // --parent takes a <lookup> (here the release's lookup key) and lists its children only.
  const byParent = await eventually(
    () => cli(['flow', 'list', '--parent', parent.lookupKey!, '--json']).then((r) => r.json()),
    (list) => list.total === 3 && list.flows.every((f: FlowRecord) => f.status !== 'running' && f.status !== 'queued'),
  );
  expect(byParent.flows.map((f: FlowRecord) => f.flowId).sort()).toEqual([...childIds].sort());
  expect(byParent.flows.every((f: FlowRecord) => f.parentFlowId === parent.flowId)).toBe(true);
  const text = await cli(['flow', 'list', '--parent', parent.flowId]);
  expect(text.stdout).toContain(`Filters: parent ${parent.flowId}`);
  expect(text.stdout).toContain('1 issues · 0 cancel-requested · 3 total');

  // --roots: the release, none of its builds.
  const roots = await eventually(
    () => cli(['flow', 'list', '--roots', '--json', '--limit', '1000']).then((r) => r.json()),
    (list) => list.flows.some((f: FlowRecord) => f.flowId === parent.flowId),
  );
  expect(roots.flows.filter((f: FlowRecord) => f.parentFlowId !== null)).toEqual([]);
  const rootBuilds = await cli(['flow', 'list', '--roots', '--type', 'buildPackage', '--json']);
  expect(rootBuilds.json().total).toBe(0);

  const both = await cli(['flow', 'list', '--parent', parent.flowId, '--roots']);
  expect(both.code).toBe(2);
  expect(both.stderr).toContain('--parent and --roots cannot be used together');
  const missing = await cli(['flow', 'list', '--parent', 'no-such-flow-anywhere']);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('TaskFlow not found: no-such-flow-anywhere.');

  // The children are tasks of the parent: tasks list --flow lists them.
  const tasks = (await cli(['tasks', 'list', '--flow', parent.flowId, '--json'])).json();
  expect(tasks.count).toBe(3);
  expect(tasks.tasks.map((t: { kind: string; childFlowId: string; status: string }) => [t.kind, t.childFlowId, t.status])).toEqual([
    ['buildPackage', childIds[0], 'succeeded'],
    ['buildPackage', childIds[1], 'failed'],
    ['buildPackage', childIds[2], 'succeeded'],
  ]);

  // The Web UI's current details of the parent list its children with their status.
  const metadata = await env.client.client.workflow.getHandle(parent.flowId).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  expect(metadata.currentDetails).toContain('Child flows: 3 · 2 succeeded · 1 failed');
  expect(metadata.currentDetails).toContain(`\`${childIds[1]}\` · buildPackage · failed`);
});

test('cancelling a parent cancels its 3 running children first, then itself; the answer names each child', async () => {
  const [asJson, asText] = await Promise.all([release(['a', 'b', 'c'], { workMs: 120_000 }), release(['d', 'e', 'f'], { workMs: 120_000 })]);
  const running = async (parentId: string) => {
    const childIds = [1, 2, 3].map((n) => `${parentId}/buildPackage-${n}`);
    await eventually(
      () => Promise.all(childIds.map((id) => env.client.snapshot(id))),
      (snapshots) => snapshots.every((s) => s.flow.tasks.filter((t) => t.status === 'running').length === 2),
      90_000,
    );
    return childIds;
  };
  const [jsonChildren, textChildren] = await Promise.all([running(asJson.flowId), running(asText.flowId)]);

  const began = Date.now();
  const [cancelled, text] = await Promise.all([
    cli(['flow', 'cancel', asJson.flowId, '--reason', 'wrong version', '--json']),
    cli(['flow', 'cancel', asText.flowId]),
  ]);
  expect(Date.now() - began).toBeLessThan(20_000);
  expect(cancelled.code).toBe(0);
  const answer = cancelled.json();
  expect(answer.flow).toMatchObject({ status: 'cancelled', cancelReason: 'wrong version' });
  expect(answer.children).toEqual(jsonChildren.map((flowId) => ({ flowId, status: 'cancelled' })));
  expect(answer.flow.tasks.map((t: { status: string }) => t.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);

  expect(text.code).toBe(0);
  expect(text.stdout).toContain(`Cancelled ${asText.flowId} (managed) with status cancelled.`);
  for (const id of textChildren) expect(text.stdout).toContain(`Child flow ${id}: cancelled.`);

  for (const [parentId, childIds] of [[asJson.flowId, jsonChildren], [asText.flowId, textChildren]] as const) {
    expect((await env.client.client.workflow.getHandle(parentId).describe()).status.name).toBe('CANCELLED');
    const { flow: parent } = await env.client.snapshot(parentId);
    for (const id of childIds) {
      const { flow, executionStatus } = await env.client.snapshot(id);
      expect([flow.status, executionStatus]).toEqual(['cancelled', 'CANCELLED']);
      // Children first, then the parent.
      expect(flow.endedAt! <= parent.endedAt!).toBe(true);
      // Each child's own tasks recorded their real outcome: stopped by the cancel.
      expect(flow.tasks.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
    }
  }
  // The parent's internal helper that asks for its own Canceled end is no flow: not a child, not a task.
  const listed = await cli(['flow', 'list', '--parent', asJson.flowId, '--json']);
  expect(listed.json().flows.every((f: FlowRecord) => !f.flowId.endsWith('/cancel'))).toBe(true);
});

test('a child cancelled on its own ends cancelled; its parent goes on without it', async () => {
  const started = await release(['solo', 'steady'], { workMs: 120_000 });
  const [soloId, steadyId] = [1, 2].map((n) => `${started.flowId}/buildPackage-${n}`);
  await eventually(() => env.client.snapshot(soloId!), (s) => s.flow.tasks.filter((t) => t.status === 'running').length === 2, 90_000);

  const cancelled = await cli(['flow', 'cancel', soloId!, '--json']);
  expect(cancelled.code).toBe(0);
  expect(cancelled.json().flow).toMatchObject({ status: 'cancelled', parentFlowId: started.flowId });
  const { flow: parent } = await eventually(
    () => env.client.snapshot(started.flowId),
    (s) => s.flow.tasks[0]?.status === 'cancelled',
    30_000,
  );
  // The parent caught it as a failed build and is still running the other one.
  expect(parent.status).toBe('running');
  expect(parent.cancelRequestedAt).toBeNull();
  expect(parent.tasks[1]).toMatchObject({ childFlowId: steadyId, status: 'running' });
  await env.client.cancel(started.flowId, { wait: true });
});
