import type { TaskStatus } from '../../src/model/records';
import { MESSAGES } from '../../src/model/messages';
import { eventually, flowTestEnv, type FlowTestEnv } from '../helpers/flows';
import { executionStatus, newFlowId, recordOf } from './support';

let env: FlowTestEnv;
beforeAll(async () => {
  env = await flowTestEnv();
  await env.startWorker();
});
afterAll(() => env?.teardown());

/** Runs `work` over the items with at most `limit` in flight. */
async function withConcurrency<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const TASKS = 1_000;
/** Each task's reports, in order: state changes as updates (answered), progress as fire-and-forget signals. */
const STEPS: Array<{ status: TaskStatus; summary: string; via: 'update' | 'signal' }> = [
  { status: 'queued', summary: 'waiting for a runner', via: 'update' },
  { status: 'running', summary: 'started', via: 'update' },
  { status: 'running', summary: '50%', via: 'signal' },
  { status: 'running', summary: '90%', via: 'signal' },
  { status: 'succeeded', summary: 'done', via: 'update' },
];
const REPORTS = TASKS * STEPS.length;

test('5,000 reports into one flow across several continue-as-new: every task, every revision, nothing dropped', async () => {
  const flowId = newFlowId('mirrored-can');
  const taskIds = Array.from({ length: TASKS }, (_, i) => `job-${String(i).padStart(4, '0')}`);
  const first = await env.client.report(
    flowId,
    { taskId: taskIds[0]!, status: 'queued', summary: STEPS[0]!.summary, eventId: `${taskIds[0]}/0` },
    // Auto-complete off: with tasks in flight, every known task may be terminal for a moment.
    { create: { autoComplete: false, goal: 'Nightly batch', continueAsNewAfterEvents: 1_500 } },
  );
  expect(first).toMatchObject({ applied: true, flow: { revision: 1 } });
  const handle = env.client.client.workflow.getHandle(flowId);

  const answers: Array<{ applied: boolean; reason?: string }> = [];
  await withConcurrency(taskIds, 20, async (taskId) => {
    // A task's reports go in order (a signal is in history once its call returns); tasks go in parallel.
    for (let step = taskId === taskIds[0] ? 1 : 0; step < STEPS.length; step++) {
      const { status, summary, via } = STEPS[step]!;
      const report = { taskId, status, summary, eventId: `${taskId}/${step}` };
      if (via === 'signal') await handle.signal(MESSAGES.reportSignal, report);
      else answers.push(await env.client.report(flowId, report, { lean: true }));
    }
  });
  expect(answers).toHaveLength(TASKS * 3 - 1);
  expect(answers.filter((a) => !a.applied)).toEqual([]);

  // Every report changed its task, so each one is exactly one revision (creation counts none).
  const record = await eventually(() => recordOf(env, flowId), (r) => r.revision >= REPORTS);
  expect(record.revision).toBe(REPORTS);
  expect(record.runId).not.toBe(first.flow.runId);
  expect(record.tasks.map((t) => t.taskId).sort()).toEqual(taskIds);
  expect(record.tasks.filter((t) => !(t.status === 'succeeded' && t.progressSummary === '90%' && t.terminalSummary === 'done'))).toEqual([]);
  expect(record).toMatchObject({ status: 'waiting', wait: { for: 'reports' }, goal: 'Nightly batch', taskSummary: { total: TASKS, active: 0 } });

  // The seen-event window crossed every continue-as-new: the very first event is still a duplicate.
  const replay = await env.client.report(flowId, { taskId: taskIds[0]!, status: 'failed', eventId: `${taskIds[0]}/0` });
  expect(replay).toMatchObject({ applied: false, reason: 'duplicate_event', flow: { revision: REPORTS } });

  const runs = await eventually(() => env.client.client.workflow.count(`WorkflowId = '${flowId}' AND ExecutionStatus = 'ContinuedAsNew'`), (c) => c.count >= 3);
  expect(runs.count).toBeGreaterThanOrEqual(3);

  const finished = await env.client.finish(flowId, { result: { tasks: TASKS } });
  expect(finished.flow).toMatchObject({ status: 'succeeded', result: { tasks: TASKS }, revision: REPORTS + 1 });
  await eventually(() => executionStatus(env, flowId), (s) => s === 'COMPLETED');
  // 30–45 s on a quiet two-core machine running server, worker and producers; the margin is for a busy one.
}, 240_000);
