import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { BenchContext } from '../context';
import type { Sizes } from '../options';
import { ms, perSecond, ratio, spread, type Row } from '../results';
import { figure, median, percentile, timed } from '../stats';
import { plainThreeTasks, plainThreeTasksWithUpserts } from '../workflows';
import { PUBLISH_CAUSE, PUBLISH_FIX } from '../analysis';
import { processCpuMs } from '../environment';

/** Flow ids the other benchmarks reuse (a finished 3-task flow of each kind). */
export interface FinishedFlows {
  taskflow: string;
  plain: string;
}

type Variant = 'taskflow' | 'plain';

interface Run {
  workflowId: string;
  /** The start call alone (TaskFlow: input validation, search attributes, memo, static details). */
  startMs: number;
}

async function runTaskFlow(ctx: BenchContext, n: number): Promise<Run> {
  const { ms: startMs, value: record } = await timed(() => ctx.flows.start('benchThreeTasks', { n }));
  await ctx.client.workflow.getHandle(record.flowId).result();
  return { workflowId: record.flowId, startMs };
}

async function runPlain(ctx: BenchContext, n: number, workflow: typeof plainThreeTasks = plainThreeTasks): Promise<Run> {
  const workflowId = `plain-${randomUUID().slice(0, 12)}`;
  const { ms: startMs, value: handle } = await timed(() => ctx.client.workflow.start(workflow, { taskQueue: ctx.config.taskQueue, workflowId, args: [n] }));
  await handle.result();
  return { workflowId, startMs };
}

const run = (ctx: BenchContext, variant: Variant, n: number) => (variant === 'taskflow' ? runTaskFlow(ctx, n) : runPlain(ctx, n));

/** From a finished flow's history: the worker's time inside workflow tasks, and the whole run, in ms. */
async function timeline(ctx: BenchContext, workflowId: string): Promise<{ inWorkflowTasks: number; total: number }> {
  const events = (await ctx.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const at = (e: (typeof events)[number]) => tsToMs(e.eventTime);
  let inWorkflowTasks = 0;
  let startedAt: number | undefined;
  for (const e of events) {
    if (e.workflowTaskStartedEventAttributes) startedAt = at(e);
    if (e.workflowTaskCompletedEventAttributes && startedAt !== undefined) inWorkflowTasks += at(e) - startedAt;
  }
  return { inWorkflowTasks, total: at(events[events.length - 1]!) - at(events[0]!) };
}

/** End-to-end latency, start call to result, one flow at a time, TaskFlow and plain interleaved run by run. */
export async function latency(ctx: BenchContext, sizes: Sizes): Promise<{ row: Row; finished: FinishedFlows }> {
  const finished: FinishedFlows = { taskflow: '', plain: '' };
  for (let i = 0; i < sizes.warmup; i++) {
    finished.taskflow = (await runTaskFlow(ctx, i)).workflowId;
    finished.plain = (await runPlain(ctx, i)).workflowId;
  }
  const p50 = { taskflow: [] as number[], plain: [] as number[] };
  const p95 = { taskflow: [] as number[], plain: [] as number[] };
  const starts = { taskflow: [] as number[], plain: [] as number[] };
  const recent = { taskflow: [] as string[], plain: [] as string[] };
  for (let round = 0; round < sizes.rounds; round++) {
    const samples = { taskflow: [] as number[], plain: [] as number[] };
    for (let i = 0; i < sizes.latencyRuns; i++) {
      const order: Variant[] = (i + round) % 2 ? ['plain', 'taskflow'] : ['taskflow', 'plain'];
      for (const variant of order) {
        const { ms: took, value } = await timed(() => run(ctx, variant, i));
        samples[variant].push(took);
        starts[variant].push(value.startMs);
        finished[variant] = value.workflowId;
        recent[variant] = [...recent[variant].slice(-19), value.workflowId];
      }
    }
    for (const variant of ['taskflow', 'plain'] as const) {
      p50[variant].push(percentile(samples[variant], 50));
      p95[variant].push(percentile(samples[variant], 95));
    }
  }
  // Diagnostic, after the rounds: the plain workflow plus TaskFlow's per-task upserts, interleaved with plain runs.
  const diagnostic = { upserts: [] as number[], plain: [] as number[] };
  for (let i = 0; sizes.diagnostics && i < Math.max(3, Math.round(sizes.latencyRuns / 8)); i++) {
    diagnostic.upserts.push((await timed(() => runPlain(ctx, i, plainThreeTasksWithUpserts))).ms);
    diagnostic.plain.push((await timed(() => runPlain(ctx, i))).ms);
  }
  const timelines = {
    taskflow: await Promise.all(recent.taskflow.map((id) => timeline(ctx, id))),
    plain: await Promise.all(recent.plain.map((id) => timeline(ctx, id))),
  };
  const inTasks = (variant: Variant) => median(timelines[variant].map((t) => t.inWorkflowTasks));
  const serverSide = (variant: Variant) => median(timelines[variant].map((t) => t.total));

  const f = { tf50: figure(p50.taskflow), tf95: figure(p95.taskflow), pl50: figure(p50.plain), pl95: figure(p95.plain) };
  const r50 = f.tf50.median / f.pl50.median;
  const r95 = f.tf95.median / f.pl95.median;
  const extra = {
    total: f.tf50.median - f.pl50.median,
    start: median(starts.taskflow) - median(starts.plain),
    inTasks: inTasks('taskflow') - inTasks('plain'),
    serverSide: serverSide('taskflow') - serverSide('plain'),
    upserts: sizes.diagnostics ? percentile(diagnostic.upserts, 50) - percentile(diagnostic.plain, 50) : NaN,
  };
  const why = [
    `TaskFlow adds ${ms(extra.total)} at p50 and ${ms(f.tf95.median - f.pl95.median)} at p95. In medians, the start call accounts for ${ms(extra.start)}; the histories put ${ms(extra.serverSide)} between start and close, ` +
      `${ms(extra.inTasks)} of that between the four workflow tasks' started and completed events (the worker's work plus the server applying the completion, ` +
      'which carries two extra commands each time) and the rest in the server\'s other steps.' +
      (Number.isFinite(extra.upserts) ? ` The two upserts alone, added to the plain workflow, cost ${ms(extra.upserts)} at p50.` : ''),
    `${PUBLISH_CAUSE} Replaying the histories (history-events row) measures what TaskFlow's workflow code adds on the worker.`,
  ];
  return {
    finished,
    row: {
      id: 'latency',
      benchmark: `end-to-end latency, 3-task sequential flow (p50 / p95 over ${sizes.latencyRuns} runs per round)`,
      taskflow: `p50 ${spread(f.tf50, ms)} · p95 ${spread(f.tf95, ms)}`,
      baseline: `p50 ${spread(f.pl50, ms)} · p95 ${spread(f.pl95, ms)}`,
      ratio: `p50 ${ratio(r50)} · p95 ${ratio(r95)}`,
      target: 'ratio ≤ 1.10',
      met: r50 <= 1.1 && r95 <= 1.1,
      why,
      findings: [
        `Where the time goes (medians): the start call ${ms(median(starts.taskflow))} TaskFlow vs ${ms(median(starts.plain))} plain; ` +
          `from the histories of the last ${timelines.taskflow.length} runs, started→closed ${ms(serverSide('taskflow'))} vs ${ms(serverSide('plain'))}, ` +
          `of which between workflow-task started and completed events (4 per flow) ${ms(inTasks('taskflow'))} vs ${ms(inTasks('plain'))}.`,
        ...(sizes.diagnostics
          ? [
              `Diagnostic: the plain workflow plus one search-attribute and one memo upsert per workflow task: p50 ${ms(percentile(diagnostic.upserts, 50))} ` +
                `against plain ${ms(percentile(diagnostic.plain, 50))} in the same interleaved runs (${diagnostic.plain.length} each).`,
            ]
          : []),
      ],
    },
  };
}

interface Batch {
  rate: number;
  /** CPU per flow of the dev server process, and of this process (worker + load generator). */
  serverCpuMs: number;
  benchCpuMs: number;
}

/** Many flows started at once; flows per second from the first start to the last completion. */
export async function throughput(ctx: BenchContext, sizes: Sizes): Promise<Row> {
  const batch = async (variant: Variant | 'diagnostic', count: number): Promise<Batch> => {
    const server0 = processCpuMs(ctx.server.pid);
    const bench0 = process.cpuUsage();
    const { ms: took } = await timed(async () => {
      const ids = await Promise.all(
        Array.from({ length: count }, async (_, i) => {
          if (variant === 'taskflow') return (await ctx.flows.start('benchThreeTasks', { n: i })).flowId;
          const workflowId = `plain-${randomUUID().slice(0, 12)}`;
          const workflow = variant === 'plain' ? plainThreeTasks : plainThreeTasksWithUpserts;
          await ctx.client.workflow.start(workflow, { taskQueue: ctx.config.taskQueue, workflowId, args: [i] });
          return workflowId;
        }),
      );
      await Promise.all(ids.map((id) => ctx.client.workflow.getHandle(id).result()));
    });
    const bench = process.cpuUsage(bench0);
    return {
      rate: count / (took / 1000),
      serverCpuMs: (processCpuMs(ctx.server.pid) - server0) / count,
      benchCpuMs: (bench.user + bench.system) / 1000 / count,
    };
  };
  const warm = Math.min(20, Math.ceil(sizes.throughputFlows / 3));
  await batch('taskflow', warm);
  await batch('plain', warm);
  if (sizes.diagnostics) await batch('diagnostic', warm);
  const batches = { taskflow: [] as Batch[], plain: [] as Batch[] };
  for (let round = 0; round < sizes.rounds; round++) {
    const order: Variant[] = round % 2 ? ['plain', 'taskflow'] : ['taskflow', 'plain'];
    for (const variant of order) batches[variant].push(await batch(variant, sizes.throughputFlows));
  }
  const diagnostic = sizes.diagnostics ? await batch('diagnostic', Math.min(200, sizes.throughputFlows)) : null;
  const med = (variant: Variant, key: keyof Batch) => median(batches[variant].map((b) => b[key]));
  const tf = figure(batches.taskflow.map((b) => b.rate));
  const pl = figure(batches.plain.map((b) => b.rate));
  const r = tf.median / pl.median;
  const serverExtra = med('taskflow', 'serverCpuMs') - med('plain', 'serverCpuMs');
  const benchExtra = med('taskflow', 'benchCpuMs') - med('plain', 'benchCpuMs');
  // On a CPU-bound machine the rate follows CPU per flow; unlike wall time, that hardly moves with other load.
  const cpuRatio = (med('plain', 'serverCpuMs') + med('plain', 'benchCpuMs')) / (med('taskflow', 'serverCpuMs') + med('taskflow', 'benchCpuMs'));
  const why = [
    `With all flows in flight the run is CPU-bound on 2 cores: each TaskFlow flow costs ${ms(serverExtra)} more server CPU and ${ms(benchExtra)} more worker/client CPU than the plain one ` +
      `(plain ÷ TaskFlow CPU per flow: ${ratio(cpuRatio)}).` +
      (diagnostic
        ? ` The same upserts on the plain workflow account for ${ms(diagnostic.serverCpuMs - med('plain', 'serverCpuMs'))} of the server's extra; the rest is TaskFlow's start ` +
          '(its search attributes, memo and static details) and its record keeping in the worker.'
        : ''),
    `${PUBLISH_CAUSE} What is left to take: see the history-events row.`,
  ];
  return {
    id: 'throughput',
    why,
    benchmark: `throughput: ${sizes.throughputFlows} flows of 3 tasks started at once, flows/s until all complete`,
    taskflow: spread(tf, perSecond),
    baseline: spread(pl, perSecond),
    ratio: ratio(r),
    target: 'ratio ≥ 0.90',
    met: r >= 0.9,
    findings: [
      `CPU per flow: dev server ${ms(med('taskflow', 'serverCpuMs'))} TaskFlow vs ${ms(med('plain', 'serverCpuMs'))} plain; ` +
        `benchmark process (worker + load generator) ${ms(med('taskflow', 'benchCpuMs'))} vs ${ms(med('plain', 'benchCpuMs'))}. ` +
        `Plain ÷ TaskFlow CPU per flow is ${ratio(cpuRatio)}: the throughput ratio to expect on this CPU-bound machine without other load (the wall-clock rates above move with whatever else runs).`,
      ...(diagnostic
        ? [
            `Diagnostic: the plain workflow plus one search-attribute and one memo upsert per workflow task (what RecordPublisher adds, without the rest of TaskFlow) ` +
              `ran at ${perSecond(diagnostic.rate)} (one batch of ${Math.min(200, sizes.throughputFlows)}), dev server ${ms(diagnostic.serverCpuMs)} and benchmark process ${ms(diagnostic.benchCpuMs)} CPU per flow.`,
          ]
        : []),
    ],
  };
}

const EVENT_NAMES = temporal.api.enums.v1.EventType as unknown as Record<number, string>;

function eventName(type: number | null | undefined): string {
  const name = EVENT_NAMES[type ?? 0] ?? `EVENT_TYPE_${type}`;
  return name
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)(\w)/g, (_m, _s, c: string) => c.toUpperCase());
}

/** History events per finished 3-task flow, with the event types that make the difference. */
export async function history(ctx: BenchContext, finished: FinishedFlows, sizes: Sizes): Promise<Row> {
  const tfHistory = await ctx.client.workflow.getHandle(finished.taskflow).fetchHistory();
  const plHistory = await ctx.client.workflow.getHandle(finished.plain).fetchHistory();
  const tf = (tfHistory.events ?? []).map((e) => eventName(e.eventType));
  const pl = (plHistory.events ?? []).map((e) => eventName(e.eventType));
  const count = (events: string[]) => events.reduce((m, e) => m.set(e, (m.get(e) ?? 0) + 1), new Map<string, number>());
  const tfCount = count(tf);
  const plCount = count(pl);
  const extra = [...new Set([...tfCount.keys(), ...plCount.keys()])]
    .map((type) => ({ type, diff: (tfCount.get(type) ?? 0) - (plCount.get(type) ?? 0) }))
    .filter((d) => d.diff !== 0)
    .map((d) => `${d.diff > 0 ? '+' : ''}${d.diff} ${d.type}`);
  const diff = tf.length - pl.length;
  const workflowTasks = tfCount.get('WorkflowTaskCompleted') ?? 0;
  const replay = sizes.diagnostics ? { taskflow: await replayMs(ctx, tfHistory), plain: await replayMs(ctx, plHistory) } : null;
  return {
    id: 'history',
    benchmark: 'history events per finished 3-task flow',
    taskflow: `${tf.length} events`,
    baseline: `${pl.length} events`,
    ratio: `${diff >= 0 ? '+' : ''}${diff} events`,
    target: '≤ +4 events',
    met: diff <= 4,
    why: [PUBLISH_CAUSE, ...PUBLISH_FIX],
    findings: [
      `Difference by event type: ${extra.join(', ') || 'none'}; the TaskFlow flow completed ${workflowTasks} workflow tasks.`,
      ...(replay
        ? [
            `Workflow code cost, measured by replaying each history ${REPLAYS} times in one replay worker: ${ms(replay.taskflow)} per TaskFlow history against ${ms(replay.plain)} per plain one ` +
              '(replay runs the same workflow code and builds the same commands without a server): what TaskFlow costs beyond that is in what its commands make the server do.',
          ]
        : []),
      `TaskFlow history: ${compact(tf)}.`,
      `Plain history: ${compact(pl)}.`,
    ],
  };
}

const REPLAYS = 30;

/** Milliseconds per replay of `history` (the worker-side cost of the workflow code, without the server). */
async function replayMs(ctx: BenchContext, history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): Promise<number> {
  const histories = (n: number) => Array.from({ length: n }, (_, i) => ({ workflowId: `replay-${i}`, history }));
  const replayAll = async (n: number) => {
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: ctx.bundlePath } }, histories(n))) {
      if (result.error) throw result.error;
    }
  };
  await replayAll(3);
  const { ms: took } = await timed(() => replayAll(REPLAYS));
  return took / REPLAYS;
}

/** `A, B×2, C` — consecutive repeats folded. */
function compact(events: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < events.length; ) {
    let j = i;
    while (j < events.length && events[j] === events[i]) j++;
    out.push(j - i > 1 ? `${events[i]}×${j - i}` : events[i]!);
    i = j;
  }
  return out.join(' → ');
}

const QUIET_TASK_MS = 3_000;

/**
 * What the worker's automatic heartbeats cost (issue: at most 5% of throughput): flows of one quiet
 * 3 s task each, all at once, on the benchmark's worker (auto-heartbeat on, the default) against a
 * second worker with it off, alternating.
 */
export async function autoHeartbeatCost(ctx: BenchContext, sizes: Sizes): Promise<Row> {
  const off = await ctx.extraWorker({ autoHeartbeat: false });
  try {
    const flows = Math.max(10, Math.min(sizes.throughputFlows, 100));
    const batch = async (taskQueue: string) => {
      const client = ctx.flowsOn(taskQueue);
      const { ms: took } = await timed(async () => {
        const started = await Promise.all(Array.from({ length: flows }, () => client.start('benchQuietTask', { ms: QUIET_TASK_MS })));
        await Promise.all(started.map((f) => ctx.client.workflow.getHandle(f.flowId).result()));
      });
      return flows / (took / 1000);
    };
    const rates = { on: [] as number[], off: [] as number[] };
    for (let round = 0; round < sizes.rounds; round++) {
      for (const which of round % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        rates[which].push(await batch(which === 'on' ? ctx.config.taskQueue : off.taskQueue));
      }
    }
    const on = figure(rates.on);
    const offRate = figure(rates.off);
    const r = on.median / offRate.median;
    return {
      id: 'throughput',
      benchmark: `throughput with automatic heartbeats: ${flows} flows of one quiet ${QUIET_TASK_MS / 1000} s task at once, flows/s`,
      taskflow: `${spread(on, perSecond)} (auto-heartbeat on)`,
      baseline: `${spread(offRate, perSecond)} (auto-heartbeat off, same build)`,
      ratio: ratio(r),
      target: 'ratio ≥ 0.95',
      met: r >= 0.95,
      findings: ['The worker heartbeats every running task about once a second (worker.autoHeartbeat); the tasks here never heartbeat themselves.'],
    };
  } finally {
    await off.stop();
  }
}
