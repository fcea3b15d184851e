import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FlowError } from '../../src/client';
import { retryFlow } from '../../src/client/retry';
import { FlowSession } from '../../src/client/session';
import { retryLedger } from '../fixtures/retry-flows/retry-ledger';
import * as activities from '../fixtures/retry-activities';
import { flowTestEnv, eventually, type FlowTestEnv } from '../helpers/flows';

let env: FlowTestEnv;
const dirs: string[] = [];

beforeAll(async () => {
  env = await flowTestEnv({}, path.join(__dirname, '..', 'fixtures', 'retry-flows'));
  await env.startWorker({ ...activities });
}, 120_000);
afterAll(async () => {
  await env?.teardown();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function workDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-retry-'));
  dirs.push(dir);
  return dir;
}

const ledger = (dir: string) => fs.readFileSync(path.join(dir, 'ledger'), 'utf8').trim().split('\n');

async function ended(flowId: string, status: string) {
  return eventually(() => env.client.snapshot(flowId), (s) => s.flow.status === status, 30_000);
}

async function runsOf(flowId: string): Promise<string[]> {
  const runs: string[] = [];
  const query = `WorkflowId = '${flowId}'`;
  for await (const info of env.client.client.workflow.list({ query })) runs.push(info.runId);
  return runs;
}

test('a flow whose third task failed is retried from that task: tasks 1-2 are not run again, the record counts on', async () => {
  const dir = workDir();
  const started = await env.client.start(retryLedger, { dir, failAt: 'publish' });
  const { flow: failed } = await ended(started.flowId, 'failed');
  expect(ledger(dir)).toEqual(['gather', 'render', 'publish', 'publish']);
  expect(failed.tasks.map((t) => [t.taskId, t.status, t.attempt])).toEqual([
    ['recordStep-1', 'succeeded', 1],
    ['recordStep-2', 'succeeded', 1],
    ['recordStep-3', 'failed', 2],
  ]);

  fs.writeFileSync(path.join(dir, 'fixed'), '');
  // A reader polling all along never sees the revision go back.
  const seen: number[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const snapshot = await env.client.snapshot(started.flowId).catch(() => null);
      if (snapshot) seen.push(snapshot.flow.revision);
      // Not faster: a worker answers queries of an ended run one at a time, replaying it for each.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  const retried = await env.client.retry(started.flowId, { reason: 'flag created' }).finally(() => (watching = false));
  await watcher;
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.every((revision, i) => revision >= failed.revision && (i === 0 || revision >= seen[i - 1]!))).toBe(true);
  expect(retried.runId).not.toBe(failed.runId);
  expect(retried.retriedFrom).toEqual({ runId: failed.runId, reason: 'flag created' });
  expect(retried.revision).toBeGreaterThan(failed.revision);

  const { flow: done } = await ended(started.flowId, 'succeeded');
  expect(ledger(dir)).toEqual(['gather', 'render', 'publish', 'publish', 'publish', 'notify']);
  expect(done.tasks.map((t) => [t.taskId, t.status, t.attempt])).toEqual([
    ['recordStep-1', 'succeeded', 1],
    ['recordStep-2', 'succeeded', 1],
    ['recordStep-3', 'succeeded', 3],
    ['recordStep-4', 'succeeded', 1],
  ]);
  expect(done.tasks.slice(0, 2)).toEqual(failed.tasks.slice(0, 2));
  expect(done.retriedFrom).toEqual({ runId: failed.runId, reason: 'flag created' });
  expect(done.revision).toBeGreaterThanOrEqual(retried.revision);

  // The old run stays readable as it ended.
  const { flow: old } = await env.client.show(started.flowId, { runId: failed.runId });
  expect(old).toMatchObject({ runId: failed.runId, status: 'failed', revision: failed.revision, retriedFrom: null });
  expect(await runsOf(started.flowId)).toHaveLength(2);

  // A retry of the retried run (here from a step) names that run, and the revision still counts on.
  const again = await env.client.retry(started.flowId, { fromStep: 'notify' });
  expect(again.retriedFrom).toEqual({ runId: done.runId, reason: null });
  const { flow: last } = await eventually(
    () => env.client.snapshot(started.flowId),
    (s) => s.flow.runId === again.runId && s.flow.status === 'succeeded',
    30_000,
  );
  expect(last.revision).toBeGreaterThan(done.revision);
  expect(ledger(dir)).toEqual(['gather', 'render', 'publish', 'publish', 'publish', 'notify', 'notify']);
  expect(last.tasks.map((t) => t.attempt)).toEqual([1, 1, 3, 2]);
  expect(await runsOf(started.flowId)).toHaveLength(3);
});

test('a cancelled flow with a heartbeating task is retried from that task, without the cancel', async () => {
  const dir = workDir();
  const started = await env.client.start(retryLedger, { dir, slowAt: 'render' });
  await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.tasks[1]?.status === 'running', 30_000);
  const { flow: cancelled } = await env.client.cancel(started.flowId, { reason: 'pause it', wait: true });
  expect(cancelled.status).toBe('cancelled');
  expect(cancelled.tasks.map((t) => t.status)).toEqual(['succeeded', 'cancelled']);

  const retried = await env.client.retry(started.flowId);
  expect(retried).toMatchObject({ status: 'running', cancelRequestedAt: null, cancelReason: null, retriedFrom: { runId: cancelled.runId, reason: null } });
  expect(retried.revision).toBeGreaterThan(cancelled.revision);
  await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.tasks[1]?.status === 'running', 30_000);
  fs.writeFileSync(path.join(dir, 'go'), '');
  const { flow: done } = await ended(started.flowId, 'succeeded');
  expect(ledger(dir)).toEqual(['gather', 'render', 'render', 'publish', 'notify']);
  expect(done.tasks.map((t) => [t.status, t.attempt])).toEqual([
    ['succeeded', 1],
    ['succeeded', 2],
    ['succeeded', 1],
    ['succeeded', 1],
  ]);
  expect(done.tasks[0]).toEqual(cancelled.tasks[0]);
  expect((await env.client.client.workflow.getHandle(started.flowId).describe()).status.name).toBe('COMPLETED');
});

test('--from-step runs a succeeded flow again from the start of that step', async () => {
  const dir = workDir();
  const started = await env.client.start(retryLedger, { dir });
  const { flow: first } = await ended(started.flowId, 'succeeded');

  const retried = await env.client.retry(started.flowId, { fromStep: 'publish', reason: 'publish again' });
  expect(retried.retriedFrom).toEqual({ runId: first.runId, reason: 'publish again' });
  const { flow: done } = await ended(started.flowId, 'succeeded');
  expect(done.runId).toBe(retried.runId);
  expect(ledger(dir)).toEqual(['gather', 'render', 'publish', 'notify', 'publish', 'notify']);
  expect(done.tasks.map((t) => t.attempt)).toEqual([1, 1, 2, 2]);
  expect(done.tasks.slice(0, 2)).toEqual(first.tasks.slice(0, 2));
  expect(done.revision).toBeGreaterThan(first.revision);
});

test('two retries of the same run at once make one new run', async () => {
  const dir = workDir();
  const started = await env.client.start(retryLedger, { dir, failAt: 'render' });
  const { flow: failed } = await ended(started.flowId, 'failed');
  fs.writeFileSync(path.join(dir, 'fixed'), '');
  const other = await flowTestEnv({ taskQueue: env.config.taskQueue });
  try {
    const outcomes = await Promise.allSettled([env.client.retry(started.flowId), other.client.retry(started.flowId)]);
    const retried = outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<{ runId: string }>).value.runId);
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason);
    expect(retried.length).toBeGreaterThanOrEqual(1);
    expect(new Set(retried).size).toBe(1);
    for (const err of refused) expect(err).toMatchObject({ type: 'not_ended' });
    await ended(started.flowId, 'succeeded');
    expect((await runsOf(started.flowId)).sort()).toEqual([failed.runId, retried[0]].sort());
  } finally {
    await other.teardown();
  }
});

test('a run reset outside TaskFlow (no retry signal) still answers its record, after a short wait', async () => {
  const dir = workDir();
  const started = await env.client.start(retryLedger, { dir, failAt: 'publish' });
  const { flow: failed } = await ended(started.flowId, 'failed');
  const history = await env.client.client.workflow.getHandle(started.flowId).fetchHistory();
  const firstTask = history.events!.find((e) => e.workflowTaskCompletedEventAttributes)!;
  await env.client.client.workflowService.resetWorkflowExecution({
    namespace: env.config.connection.namespace,
    workflowExecution: { workflowId: started.flowId, runId: failed.runId },
    reason: 'operator reset',
    workflowTaskFinishEventId: firstTask.eventId,
    requestId: `reset-${started.flowId}`,
  });
  const { flow } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.runId !== failed.runId, 40_000);
  expect(flow.retriedFrom).toBeNull();
});

test('a retry interrupted between its reset and its signal is finished by the next flow retry', async () => {
  const dir = workDir();
  const started = await env.client.start(retryLedger, { dir, slowAt: 'publish' });
  await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.tasks[2]?.status === 'running', 30_000);
  await env.client.client.workflow.getHandle(started.flowId).terminate('operator pulled the plug');
  const { flow: failed } = await env.client.snapshot(started.flowId);
  const history = await env.client.client.workflow.getHandle(started.flowId).fetchHistory();
  const publish = history.events!.find((e) => e.activityTaskScheduledEventAttributes?.activityId === 'waitForGo-3')!;
  // What a retrying process that died right after the reset leaves behind.
  await env.client.client.workflowService.resetWorkflowExecution({
    namespace: env.config.connection.namespace,
    workflowExecution: { workflowId: started.flowId, runId: failed.runId },
    reason: 'taskflow flow retry: flag created',
    workflowTaskFinishEventId: publish.activityTaskScheduledEventAttributes!.workflowTaskCompletedEventId,
    requestId: `interrupted-${started.flowId}`,
  });
  const retried = await env.client.retry(started.flowId);
  expect(retried.retriedFrom).toEqual({ runId: failed.runId, reason: 'flag created' });
  expect(retried.revision).toBeGreaterThan(failed.revision);
  fs.writeFileSync(path.join(dir, 'go'), '');
  const { flow: done } = await ended(started.flowId, 'succeeded');
  expect(done.tasks.map((t) => [t.status, t.attempt])).toEqual([
    ['succeeded', 1],
    ['succeeded', 1],
    ['succeeded', 2],
    ['succeeded', 1],
  ]);
  expect(done.tasks.slice(0, 2)).toEqual(failed.tasks.slice(0, 2));
});

describe('refusals change nothing', () => {
  async function refused(lookup: string, options: Parameters<FlowTestEnv['client']['retry']>[1], type: string, message: RegExp) {
    const before = await env.client.client.workflow.getHandle(lookup).describe();
    const err = await env.client.retry(lookup, options).catch((e) => e);
    expect(err).toBeInstanceOf(FlowError);
    expect(err.type).toBe(type);
    expect(err.message).toMatch(message);
    const after = await env.client.client.workflow.getHandle(lookup).describe();
    expect(after.runId).toBe(before.runId);
    expect(after.status.name).toBe(before.status.name);
    expect(await runsOf(lookup)).toHaveLength(1);
  }

  test('an open flow is not_ended', async () => {
    const dir = workDir();
    const started = await env.client.start(retryLedger, { dir, slowAt: 'gather' });
    await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.tasks[0]?.status === 'running', 30_000);
    await refused(started.flowId, {}, 'not_ended', /is running and has not ended/);
    fs.writeFileSync(path.join(dir, 'go'), '');
    await ended(started.flowId, 'succeeded');
  });

  test('a succeeded flow without --from-step is not_ended; a step it never reached is invalid_input naming those it did', async () => {
    const dir = workDir();
    const started = await env.client.start(retryLedger, { dir });
    await ended(started.flowId, 'succeeded');
    await refused(started.flowId, {}, 'not_ended', /succeeded, so there is nothing to retry; use --from-step/);
    await refused(started.flowId, { fromStep: 'archive' }, 'invalid_input', /never reached step "archive".*"gather", "render", "publish", "notify"/);

    const failing = await env.client.start(retryLedger, { dir: workDir(), failAt: 'render' });
    await ended(failing.flowId, 'failed');
    await refused(failing.flowId, { fromStep: 'notify' }, 'invalid_input', /the steps it reached are "gather", "render"\.$/);
  });

  test('a mirrored flow is not_managed', async () => {
    const flowId = `retry-mirrored-${Date.now()}`;
    await env.client.report(flowId, { taskId: 'job', status: 'failed', error: 'boom' }, { create: {} });
    await eventually(() => env.client.snapshot(flowId), (s) => s.executionStatus !== 'RUNNING');
    await refused(flowId, {}, 'not_managed', /mirrored flow/);
  });
});

test('a terminated (lost) flow is retried from the task that was running', async () => {
  const dir = workDir();
  const started = await env.client.start(retryLedger, { dir, slowAt: 'publish' });
  await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.tasks[2]?.status === 'running', 30_000);
  await env.client.client.workflow.getHandle(started.flowId).terminate('operator pulled the plug');
  const { flow: lost } = await env.client.snapshot(started.flowId);
  expect(lost.status).toBe('lost');
  fs.writeFileSync(path.join(dir, 'go'), '');
  await env.client.retry(started.flowId);
  const { flow: done } = await ended(started.flowId, 'succeeded');
  expect(ledger(dir)).toEqual(['gather', 'render', 'publish', 'publish', 'notify']);
  expect(done.revision).toBeGreaterThan(lost.revision);
});

describe('a flow whose code changed so that it no longer replays its run', () => {
  let changed: FlowTestEnv;
  beforeAll(async () => {
    changed = await flowTestEnv({ taskQueue: env.config.taskQueue }, path.join(__dirname, '..', 'fixtures', 'retry-flows-changed'));
  }, 120_000);
  afterAll(() => changed?.teardown());

  async function failedFlow() {
    const started = await env.client.start(retryLedger, { dir: workDir(), failAt: 'publish' });
    return (await ended(started.flowId, 'failed')).flow;
  }

  async function withChangedWorker(fn: () => Promise<void>) {
    await env.stopWorker();
    await changed.startWorker({ ...activities });
    try {
      await fn();
    } finally {
      await changed.stopWorker();
      await env.startWorker({ ...activities });
    }
  }

  test('is refused in one sentence naming the replay error, and nothing changes', async () => {
    const failed = await failedFlow();
    await withChangedWorker(async () => {
      const err = await changed.client.retry(failed.flowId).catch((e) => e);
      expect(err).toBeInstanceOf(FlowError);
      expect(err.type).toBe('not_replayable');
      expect(err.message).toMatch(/^Flow \S+ cannot be retried: its code no longer replays run \S+ \(\[TMPRL1100\] Nondeterminism error: [^\n]+\); deploy code that replays it, then retry\.$/);
      expect(await runsOf(failed.flowId)).toEqual([failed.runId]);
    });
  });

  test('when only the new run finds out (the code changed during the retry), that run is terminated, not left retrying', async () => {
    const failed = await failedFlow();
    let calls = 0;
    // The lookup is call 1; the old run's record is read by the old code before call 2 (its history), then the swap.
    class SwappingSession extends FlowSession {
      override async call<T>(fn: () => Promise<T>): Promise<T> {
        if (++calls === 2) {
          await env.stopWorker();
          await changed.startWorker({ ...activities });
        }
        return super.call(fn);
      }
    }
    const access = new SwappingSession(env.client.client, env.config);
    try {
      const err = await retryFlow(access, failed.flowId).catch((e) => e);
      expect(err).toBeInstanceOf(FlowError);
      expect(err.type).toBe('not_replayable');
      expect(err.message).toMatch(/could not be retried: its code no longer replays run .*\[TMPRL1100\].*was terminated/);
      expect(await runsOf(failed.flowId)).toHaveLength(2);
      const current = await env.client.client.workflow.getHandle(failed.flowId).describe();
      expect(current.status.name).toBe('TERMINATED');
    } finally {
      await changed.stopWorker();
      await env.startWorker({ ...activities });
    }
  });
});

test('the reportPublish example fails at publish until its outbox exists, and a retry finishes it', async () => {
  const project = await flowTestEnv();
  try {
    await project.startWorker();
    const outbox = path.join(workDir(), 'outbox');
    const started = await project.client.start('reportPublish', { report: `q3-${Date.now()}`, outbox });
    const { flow: failed } = await eventually(() => project.client.snapshot(started.flowId), (s) => s.flow.status === 'failed', 30_000);
    expect(failed).toMatchObject({ currentStep: 'publish', error: expect.stringContaining(`Outbox folder ${outbox} does not exist`) });
    fs.mkdirSync(outbox);
    await project.client.retry(started.lookupKey!, { reason: 'outbox created' });
    const { flow } = await eventually(() => project.client.snapshot(started.flowId), (s) => s.flow.status === 'succeeded', 30_000);
    expect(flow.tasks.map((t) => [t.kind, t.attempt])).toEqual([
      ['gatherFigures', 1],
      ['renderReport', 1],
      ['publishReport', 2],
      ['notifyReaders', 1],
    ]);
    expect(fs.readdirSync(outbox)).toHaveLength(1);
  } finally {
    await project.teardown();
  }
}, 120_000);
