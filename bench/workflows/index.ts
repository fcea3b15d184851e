/**
 * The benchmark's workflows, bundled with TaskFlow's own (mirrored flows): each TaskFlow flow has a
 * plain-Temporal twin doing the same work, so both run side by side on one worker.
 */
import { z } from 'zod';
import { ApplicationFailure, condition, defineSignal, defineUpdate, proxyActivities, setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { defineFlow } from '../../src/flow';
import { SA_ACTIVE_TASKS, SA_REVISION, SA_STATUS, SA_TASK_COUNTS } from '../../src/model/search-attributes';
import type * as activities from '../activities';

export * from '../../src/flow/builtin';

/** The activity options a managed flow's task ends up with (flow override + temporal.yaml's flowDefaults). */
const TASK_OPTIONS = {
  startToCloseTimeout: '1m',
  heartbeatTimeout: '30s',
  retry: { maximumAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
} as const;

export const benchThreeTasks = defineFlow({
  name: 'benchThreeTasks',
  input: z.object({ n: z.number().int() }),
  goal: ({ n }) => `Benchmark run ${n}: three tasks in sequence`,
  async run(flow, { n }) {
    const tasks = flow.tasks<typeof activities>({ startToCloseTimeout: TASK_OPTIONS.startToCloseTimeout });
    const prepared = await tasks.benchPrepare(n);
    const transformed = await tasks.benchTransform(prepared);
    return tasks.benchStore(transformed);
  },
});

/** One task that works quietly for `ms`: the worker's automatic heartbeats are all it sends. */
export const benchQuietTask = defineFlow({
  name: 'benchQuietTask',
  input: z.object({ ms: z.number().int() }),
  goal: ({ ms }) => `Benchmark: one quiet task of ${ms} ms`,
  async run(flow, { ms }) {
    const { benchQuiet } = flow.tasks<typeof activities>({ startToCloseTimeout: TASK_OPTIONS.startToCloseTimeout });
    await benchQuiet(ms);
  },
});

export async function plainThreeTasks(n: number): Promise<string> {
  const { benchPrepare, benchTransform, benchStore } = proxyActivities<typeof activities>(TASK_OPTIONS);
  return benchStore(await benchTransform(await benchPrepare(n)));
}

/**
 * Diagnostic twin, not a baseline: the plain workflow plus one search-attribute upsert and one memo
 * upsert per workflow task, as TaskFlow's RecordPublisher makes (no TaskFlowSyncMode: never listed as a flow).
 */
export async function plainThreeTasksWithUpserts(n: number): Promise<string> {
  const { benchPrepare, benchTransform, benchStore } = proxyActivities<typeof activities>(TASK_OPTIONS);
  let revision = 0;
  const publish = <T>(step: Promise<T>, status: string, done: number): Promise<T> => {
    revision += 1;
    upsertSearchAttributes([
      { key: SA_STATUS, value: status },
      { key: SA_REVISION, value: revision },
      { key: SA_ACTIVE_TASKS, value: status === 'running' ? 1 : 0 },
      { key: SA_TASK_COUNTS, value: `total:${done + 1} terminal:${done} failures:0` },
    ]);
    upsertMemo({ bench: { status, revision, done, at: new Date().toISOString() } });
    return step;
  };
  const prepared = await publish(benchPrepare(n), 'running', 0);
  const transformed = await publish(benchTransform(prepared), 'running', 1);
  const stored = await publish(benchStore(transformed), 'running', 2);
  await publish(Promise.resolve(), 'succeeded', 3);
  return stored;
}

const HEARTBEATING = { startToCloseTimeout: '10m', heartbeatTimeout: '10s' } as const;

export const benchTwoHeartbeats = defineFlow({
  name: 'benchTwoHeartbeats',
  input: z.object({ ms: z.number().int().positive() }),
  goal: 'Benchmark: two heartbeating tasks, to be cancelled',
  async run(flow, { ms }) {
    const { benchHeartbeat } = flow.tasks<typeof activities>(HEARTBEATING);
    await Promise.all([benchHeartbeat.with({ name: 'left' })(ms), benchHeartbeat.with({ name: 'right' })(ms)]);
  },
});

/** Waits for its activities to stop before it closes, as the TaskFlow flow does (it records their real outcome). */
export async function plainTwoHeartbeats(ms: number): Promise<void> {
  const { benchHeartbeat } = proxyActivities<typeof activities>({ ...HEARTBEATING, cancellationType: 'WAIT_CANCELLATION_COMPLETED' });
  await Promise.all([benchHeartbeat(ms), benchHeartbeat(ms)]);
}

export const benchWaiting = defineFlow({
  name: 'benchWaiting',
  input: z.object({}),
  goal: 'Benchmark: wait to be resumed',
  async run(flow) {
    await flow.waitFor('go', z.object({}).passthrough(), { description: 'anything' });
  },
});

export const goSignal = defineSignal('go');

export async function plainWaiting(): Promise<void> {
  let go = false;
  setHandler(goSignal, () => void (go = true));
  await condition(() => go);
}

export interface PlainReport {
  taskId: string;
  status: string;
  summary?: string;
  expectedRevision?: number;
}

export const plainReportUpdate = defineUpdate<{ revision: number }, [PlainReport]>('report');

/** The baseline for mirrored ingest: one revision-checked update handler recording a task's status. */
export async function plainReportSink(): Promise<void> {
  let revision = 0;
  const tasks = new Map<string, { status: string; summary?: string }>();
  setHandler(
    plainReportUpdate,
    ({ taskId, status, summary }) => {
      tasks.set(taskId, { status, summary });
      revision += 1;
      return { revision };
    },
    {
      validator: ({ expectedRevision }) => {
        if (expectedRevision !== undefined && expectedRevision !== revision) {
          throw ApplicationFailure.create({ type: 'revision_conflict', message: `at ${revision}, not ${expectedRevision}`, nonRetryable: true });
        }
      },
    },
  );
  await condition(() => false);
}
