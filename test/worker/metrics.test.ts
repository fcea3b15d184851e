import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { FlowClient, RevisionConflictError } from '../../src/client';
import { freePorts } from '../global-setup';
import { eventually, flowTestConfig } from '../helpers/flows';
import { exited, processEnv, spawnTs } from '../helpers/processes';

let worker: ChildProcess | undefined;
let client: FlowClient | undefined;
afterAll(async () => {
  await client?.close();
  worker?.kill('SIGKILL');
  if (worker) await exited(worker);
});

/** Sums the samples of `name` whose labels include every one of `labels` (Prometheus text format). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(match[3]);
  }
  return sum;
}

test('the worker serves /metrics (SDK and TaskFlow counters that match what happened) and /healthz', async () => {
  const config = flowTestConfig();
  const [metricsPort, healthPort] = await freePorts(2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-metrics-'));
  const settings = path.join(dir, 'temporal.yaml');
  fs.writeFileSync(settings, `worker:\n  metrics:\n    prometheus: 127.0.0.1:${metricsPort}\n  health: 127.0.0.1:${healthPort}\n`);
  worker = await spawnTs('test/fixtures/worker-process.ts', processEnv(config, { TASKFLOW_CONFIG: settings }), 'worker ready');
  client = await FlowClient.connect(config);

  const health = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ ok: true, state: 'RUNNING', namespace: config.connection.namespace, taskQueue: config.taskQueue });
  expect((await fetch(`http://127.0.0.1:${healthPort}/metrics`)).status).toBe(404);

  // Two managed flows that succeed.
  const greetings = await Promise.all(['Ada', 'Grace'].map((name) => client!.start('greeting', { name })));
  for (const { flowId } of greetings) await eventually(() => client!.snapshot(flowId), (s) => s.flow.status === 'succeeded', 30_000);

  // A third that waits: one stale write (conflict), one that changes nothing, then a cancel.
  const approval = await client.start('documentApproval', { documentId: 'metrics-doc', title: 'Metrics' });
  await eventually(() => client!.snapshot(approval.flowId), (s) => s.flow.status === 'waiting', 30_000);
  const stale = await client.patchState(approval.flowId, { approver: 'Eve' }, { expectedRevision: 0 }).catch((err) => err);
  expect(stale).toBeInstanceOf(RevisionConflictError);
  expect((await client.patchState(approval.flowId, { approver: null })).applied).toBe(false);
  await client.cancel(approval.flowId, { wait: true });

  // A mirrored flow: a report, the same report again (a duplicate event), and the one that ends it.
  const mirroredId = `metrics-mirrored-${Date.now()}`;
  await client.report(mirroredId, { taskId: 'build', status: 'running', eventId: 'e1' }, { create: {} });
  expect((await client.report(mirroredId, { taskId: 'build', status: 'running', eventId: 'e1' })).applied).toBe(false);
  await client.report(mirroredId, { taskId: 'build', status: 'succeeded', eventId: 'e2' });
  await eventually(() => client!.snapshot(mirroredId), (s) => s.flow.status === 'succeeded', 30_000);

  // The worker labels what a workflow records with namespace, taskQueue and workflowType.
  const mine = { taskQueue: config.taskQueue };
  const expected: Array<[string, Record<string, string>, number]> = [
    ['taskflow_flows_started_total', { mode: 'managed' }, 3],
    ['taskflow_flows_started_total', { mode: 'mirrored' }, 1],
    ['taskflow_flows_ended_total', { mode: 'managed', status: 'succeeded' }, 2],
    ['taskflow_flows_ended_total', { mode: 'managed', status: 'cancelled' }, 1],
    ['taskflow_flows_ended_total', { mode: 'mirrored', status: 'succeeded' }, 1],
    ['taskflow_revision_conflicts_total', { mode: 'managed' }, 1],
    ['taskflow_writes_applied_total', { mode: 'managed' }, 1],
    ['taskflow_writes_noop_total', { mode: 'managed', reason: 'identical' }, 1],
    ['taskflow_writes_applied_total', { mode: 'mirrored' }, 2],
    ['taskflow_writes_noop_total', { mode: 'mirrored', reason: 'duplicate_event' }, 1],
    ['taskflow_tasks_ended_total', { outcome: 'succeeded' }, 3],
    ['taskflow_cancel_latency_seconds_count', { mode: 'managed' }, 1],
  ];
  const scrape = () => fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
  // The exporter publishes what the worker recorded on its next collection: poll until it shows.
  const text: string = await eventually(scrape, (t) => expected.every(([name, labels, value]) => sample(t, name, { ...mine, ...labels }) === value), 20_000).catch(
    async (err) => {
      const t = await scrape();
      const got = expected.map(([name, labels, value]) => `${name}${JSON.stringify(labels)} = ${sample(t, name, { ...mine, ...labels })} (want ${value})`);
      throw new Error(`${err.message}\n${got.join('\n')}\n${t.split('\n').filter((l) => l.startsWith('taskflow')).join('\n')}`);
    },
  );
  expect(sample(text, 'taskflow_cancel_latency_seconds_sum', mine)).toBeLessThan(5);
  // The SDK's own worker metrics come out of the same endpoint.
  if (!/^temporal_workflow_completed_total\{/m.test(text)) throw new Error(text.split('\n').filter((l) => l.startsWith('temporal_')).slice(0, 40).join('\n'));
  expect(sample(text, 'temporal_workflow_completed_total', { task_queue: config.taskQueue })).toBeGreaterThanOrEqual(2);
}, 120_000);
