import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { BenchContext } from '../context';
import type { Sizes } from '../options';
import { rpcCalls, rpcs } from '../probe';
import { processCpuMs } from '../environment';
import { PUBLISH_CAUSE } from '../analysis';
import { ms, perSecond, ratio, spread, unavailableRow, type Row } from '../results';
import { figure, median, timed } from '../stats';
import * as benchWorkflows from '../workflows';
import { plainReportSink, plainReportUpdate } from '../workflows';
import { SA_TASK_COUNTS, parseTaskCounts } from '../../src/model/search-attributes';

const TARGET = 'ratio ≥ 0.85';

/** Whether mirrored flows exist yet: FlowClient.report and a `mirroredFlow` workflow in the bundle. */
export function mirroredUnavailable(ctx: BenchContext): string | null {
  if (typeof (ctx.flows as { report?: unknown }).report !== 'function') return 'FlowClient.report does not exist';
  if (!('mirroredFlow' in benchWorkflows)) return 'src/flow/builtin exports no mirroredFlow workflow';
  return null;
}

/** One producer's stream into one flow: each report revision-checked against the answer to the last. */
interface Stream {
  send(i: number): Promise<void>;
}

async function taskflowStream(ctx: BenchContext): Promise<Stream> {
  const flowId = `mirrored-${randomUUID().slice(0, 12)}`;
  const created = await ctx.flows.report(flowId, { taskId: 'job', status: 'running', summary: 'started' }, { create: { autoComplete: false } });
  let revision = created.flow.revision;
  return {
    async send(i) {
      // A producer at a high rate takes the lean answer: no read of the record after each report.
      const answer = await ctx.flows.report(flowId, { taskId: 'job', status: 'running', summary: `step ${i}` }, { expectedRevision: revision, lean: true });
      revision = answer.revision;
    },
  };
}

async function plainStream(ctx: BenchContext): Promise<Stream> {
  const handle: WorkflowHandle = await ctx.client.workflow.start(plainReportSink, { taskQueue: ctx.config.taskQueue, workflowId: `sink-${randomUUID().slice(0, 12)}` });
  let revision = (await handle.executeUpdate(plainReportUpdate, { args: [{ taskId: 'job', status: 'running', summary: 'started' }] })).revision;
  return {
    async send(i) {
      revision = (await handle.executeUpdate(plainReportUpdate, { args: [{ taskId: 'job', status: 'running', summary: `step ${i}`, expectedRevision: revision }] })).revision;
    },
  };
}

interface Ingest {
  rate: number;
  /** CPU per report: the dev server process, and this process (worker + producers). */
  serverCpuMs: number;
  benchCpuMs: number;
}

/** Reports per second: `flows` streams of `perFlow` sequential reports, all streams at once. */
async function ingest(ctx: BenchContext, variant: 'taskflow' | 'plain', flows: number, perFlow: number): Promise<Ingest> {
  const streams = await Promise.all(Array.from({ length: flows }, () => (variant === 'taskflow' ? taskflowStream(ctx) : plainStream(ctx))));
  const server0 = processCpuMs(ctx.server.pid);
  const bench0 = process.cpuUsage();
  const { ms: took } = await timed(() =>
    Promise.all(
      streams.map(async (stream) => {
        for (let i = 0; i < perFlow; i++) await stream.send(i);
      }),
    ),
  );
  const bench = process.cpuUsage(bench0);
  const reports = flows * perFlow;
  return { rate: reports / (took / 1000), serverCpuMs: (processCpuMs(ctx.server.pid) - server0) / reports, benchCpuMs: (bench.user + bench.system) / 1000 / reports };
}

export async function mirroredIngest(ctx: BenchContext, sizes: Sizes): Promise<Row[]> {
  const label = (flows: number, perFlow: number) => `mirrored ingest: revision-checked reports/s into ${flows} flow${flows > 1 ? 's' : ''} (${perFlow} each)`;
  const shapes: Array<[number, number]> = [
    [1, sizes.reportsIntoOne],
    [sizes.reportFlows, sizes.reportsPerFlow],
  ];
  const why = mirroredUnavailable(ctx);
  if (why) return shapes.map(([flows, perFlow]) => unavailableRow('mirrored', label(flows, perFlow), TARGET, why));

  await ingest(ctx, 'taskflow', 1, sizes.warmup);
  await ingest(ctx, 'plain', 1, sizes.warmup);
  const costs = sizes.diagnostics ? await reportCosts(ctx) : null;
  const clientSide = !costs
    ? ''
    : costs.reportRpcs === costs.rawRpcs
      ? ' The client makes as many RPCs per report as the baseline (see below), so the difference is on the workflow side.'
      : ` The client also makes ${costs.reportRpcs} RPCs per report against the baseline's ${costs.rawRpcs} (see below).`;
  const rows: Row[] = [];
  for (const [flows, perFlow] of shapes) {
    const runs = { taskflow: [] as Ingest[], plain: [] as Ingest[] };
    for (let round = 0; round < sizes.rounds; round++) {
      const order = round % 2 ? (['plain', 'taskflow'] as const) : (['taskflow', 'plain'] as const);
      for (const variant of order) runs[variant].push(await ingest(ctx, variant, flows, perFlow));
    }
    const tf = figure(runs.taskflow.map((x) => x.rate));
    const pl = figure(runs.plain.map((x) => x.rate));
    const cpu = (variant: 'taskflow' | 'plain', key: 'serverCpuMs' | 'benchCpuMs') => ms(median(runs[variant].map((x) => x[key])));
    const r = tf.median / pl.median;
    const extra = (key: 'serverCpuMs' | 'benchCpuMs') => ms(median(runs.taskflow.map((x) => x[key])) - median(runs.plain.map((x) => x[key])));
    rows.push({
      why: [
        `Each TaskFlow report costs ${extra('serverCpuMs')} more server CPU and ${extra('benchCpuMs')} more worker/client CPU than the raw update ` +
          `(${flows > 1 ? 'with many flows fed at once the run is CPU-bound, so that is the rate' : 'one flow at a time, that is added to every round trip'}).` +
          clientSide,
        `${PUBLISH_CAUSE} The reports here only move a progress summary, so they publish nothing: the cost is in the client and the worker.`,
        'What would reduce it: parse each report once (the update\'s validator and its handler both run the zod schema and measure its size), ' +
          "and lighter per-report bookkeeping in the flow (the Web UI's current details are rebuilt on every report).",
      ],
      id: 'mirrored',
      benchmark: label(flows, perFlow),
      taskflow: spread(tf, perSecond),
      baseline: spread(pl, perSecond),
      ratio: ratio(r),
      target: TARGET,
      met: r >= 0.85,
      findings: [
        `CPU per report: dev server ${cpu('taskflow', 'serverCpuMs')} TaskFlow vs ${cpu('plain', 'serverCpuMs')} raw; benchmark process (worker + producers) ${cpu('taskflow', 'benchCpuMs')} vs ${cpu('plain', 'benchCpuMs')}.`,
      ],
    });
  }
  if (costs) rows[0]!.findings.push(...costs.lines);
  return rows;
}

/** Round trips and history growth per report, TaskFlow against the raw update. */
async function reportCosts(ctx: BenchContext): Promise<{ lines: string[]; reportRpcs: number; rawRpcs: number }> {
  const flowId = `mirrored-${randomUUID().slice(0, 12)}`;
  const created = await ctx.flows.report(flowId, { taskId: 'job', status: 'running', summary: 'started' }, { create: { autoComplete: false } });
  const before = (await ctx.client.workflow.getHandle(flowId).describe()).historyLength;
  const report = await rpcCalls(ctx, (flows) => flows.report(flowId, { taskId: 'job', status: 'running', summary: 'probe' }, { expectedRevision: created.flow.revision, lean: true }));
  const after = (await ctx.client.workflow.getHandle(flowId).describe()).historyLength;
  const withCreate = await rpcCalls(ctx, (flows) => flows.report(flowId, { taskId: 'job', status: 'running', summary: 'probe 2' }, { create: { autoComplete: false }, lean: true }));

  const sink = await ctx.client.workflow.start(plainReportSink, { taskQueue: ctx.config.taskQueue, workflowId: `sink-${randomUUID().slice(0, 12)}` });
  await sink.executeUpdate(plainReportUpdate, { args: [{ taskId: 'job', status: 'running' }] });
  const plainBefore = (await sink.describe()).historyLength;
  const raw = await rpcCalls(ctx, (_flows, client) => client.workflow.getHandle(sink.workflowId).executeUpdate(plainReportUpdate, { args: [{ taskId: 'job', status: 'running', summary: 'probe', expectedRevision: 1 }] }));
  const plainAfter = (await sink.describe()).historyLength;
  const lines = [
    `One \`FlowClient.report\` (revision-checked, flow exists) makes ${rpcs(report)}; the raw update makes ${rpcs(raw)}; a report with \`create\` (update-with-start) makes ${rpcs(withCreate)}.`,
    `History growth per applied report: TaskFlow +${after - before} events, raw update +${plainAfter - plainBefore} events.`,
  ];
  return { lines, reportRpcs: report.length, rawRpcs: raw.length };
}

const LARGE_FLOW_TASKS = 5_000;

/**
 * What a write costs must not grow with the flow: one revision-checked report into a flow that
 * already holds 5,000 tasks against one into a fresh flow, alternating, each a whole round trip.
 */
export async function reportIntoLargeFlow(ctx: BenchContext, sizes: Sizes): Promise<Row> {
  const label = `one revision-checked report into a flow of ${LARGE_FLOW_TASKS.toLocaleString('en-US')} tasks vs a fresh flow (latency)`;
  const target = 'ratio ≤ 1.2';
  const why = mirroredUnavailable(ctx);
  if (why) return unavailableRow('mirrored', label, target, why);
  const create = async (tasks: number) => {
    const flowId = `mirrored-size-${randomUUID().slice(0, 12)}`;
    await ctx.flows.report(flowId, { taskId: 'job-0', status: 'running' }, { create: { autoComplete: false }, lean: true });
    const handle = ctx.client.workflow.getHandle(flowId);
    let next = 1;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < tasks) await handle.signal('reportSignal', { taskId: `job-${next++}`, status: 'running' });
      }),
    );
    // Polled by describe (its task counts): reading a record of thousands of tasks in a loop would load the worker.
    for (;;) {
      const counts = parseTaskCounts((await handle.describe()).typedSearchAttributes.get(SA_TASK_COUNTS));
      if ((counts?.total ?? 0) >= tasks) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const ack = await ctx.flows.report(flowId, { taskId: 'job-0', status: 'running', summary: 'ready' }, { lean: true });
    return { flowId, revision: ack.revision };
  };
  const flows = { large: await create(LARGE_FLOW_TASKS), fresh: await create(1) };
  const times = { large: [] as number[], fresh: [] as number[] };
  const runs = Math.max(sizes.reportsIntoOne, 10);
  for (let i = 0; i < runs; i++) {
    for (const which of i % 2 ? (['fresh', 'large'] as const) : (['large', 'fresh'] as const)) {
      const flow = flows[which];
      const { ms: took, value } = await timed(() =>
        ctx.flows.report(flow.flowId, { taskId: 'job-0', status: 'running', summary: `step ${i}` }, { expectedRevision: flow.revision, lean: true }),
      );
      flow.revision = value.revision;
      times[which].push(took);
    }
  }
  const large = median(times.large);
  const fresh = median(times.fresh);
  const r = large / fresh;
  return {
    id: 'mirrored',
    benchmark: label,
    taskflow: ms(large),
    baseline: `${ms(fresh)} (fresh flow)`,
    ratio: ratio(r),
    target,
    met: r <= 1.2,
    findings: [`${runs} reports into each flow, alternating; medians of whole round trips (update sent, applied, answered).`],
  };
}
