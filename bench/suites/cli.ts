import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import type { BenchContext, BenchFlowClient } from '../context';
import * as fs from 'node:fs';
import { coldStart, commandRpcs, commandUnavailable, describeColdStart, runProcess, taskflow, taskflowEnv, temporalCli, TASKFLOW_BIN, type ProcessRun } from '../cli';
import type { Sizes } from '../options';
import { rpcs } from '../probe';
import { ms, ratio, spread, unavailableRow, type Row } from '../results';
import { COLD_START_CAUSE, coldStartFix } from '../analysis';
import { figure, median, pool, sleep, timed } from '../stats';
import { parseDuration } from '../../src/config/duration';
import { IS_FLOW } from '../../src/client/visibility';
import { plainTwoHeartbeats } from '../workflows';

/** Alternates TaskFlow and baseline commands, `runs` each per round; the figure is the median of round medians. */
async function alternate(sizes: Sizes, taskflowRun: () => Promise<number>, baselineRun: () => Promise<number>) {
  await taskflowRun();
  await baselineRun();
  const rounds = { taskflow: [] as number[], baseline: [] as number[] };
  for (let round = 0; round < sizes.rounds; round++) {
    const samples = { taskflow: [] as number[], baseline: [] as number[] };
    for (let i = 0; i < sizes.cliRuns; i++) {
      const order = (i + round) % 2 ? (['baseline', 'taskflow'] as const) : (['taskflow', 'baseline'] as const);
      for (const variant of order) samples[variant].push(await (variant === 'taskflow' ? taskflowRun() : baselineRun()));
    }
    rounds.taskflow.push(median(samples.taskflow));
    rounds.baseline.push(median(samples.baseline));
  }
  return { taskflow: figure(rounds.taskflow), baseline: figure(rounds.baseline) };
}

function ok(run: ProcessRun, what: string): number {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}: ${(run.stderr || run.stdout).trim().slice(0, 300)}`);
  return run.ms;
}

/** Starts queued flows (no worker polls their task queue) until `target` flows exist in visibility. */
async function seedFlows(ctx: BenchContext, target: number): Promise<number> {
  const count = async () => (await ctx.client.workflow.count(IS_FLOW)).count;
  const missing = target - (await count());
  if (missing > 0) {
    const idle = ctx.flowsOn(`bench-idle-${randomUUID().slice(0, 8)}`);
    await pool(Array.from({ length: missing }, (_, i) => i), 64, (i) => idle.start('benchThreeTasks', { n: i }));
  }
  for (let waited = 0; waited < 120_000; waited += 250) {
    const n = await count();
    if (n >= target) return n;
    await sleep(250);
  }
  return count();
}

export async function flowList(ctx: BenchContext, sizes: Sizes): Promise<Row> {
  const target = 'ratio ≤ 1.5';
  const label = (n: number) => `\`taskflow flow list --json --limit 50\` time to exit, over ${n.toLocaleString('en-US')} flows`;
  const why = await commandUnavailable(['flow', 'list']);
  if (why) return unavailableRow('list', label(sizes.listFlows), target, why);

  const flows = await seedFlows(ctx, sizes.listFlows);
  const query = IS_FLOW;
  const result = await alternate(
    sizes,
    async () => ok(await taskflow(ctx.server, ctx.config.taskQueue, ['flow', 'list', '--json', '--limit', '50']), 'taskflow flow list'),
    async () => ok(await temporalCli(ctx.server, ['workflow', 'list', '--query', query, '-o', 'json', '--limit', '50']), 'temporal workflow list'),
  );
  const r = result.taskflow.median / result.baseline.median;

  const base = {
    id: 'list' as const,
    benchmark: label(flows),
    taskflow: spread(result.taskflow, ms),
    baseline: `${spread(result.baseline, ms)} (\`temporal workflow list --query "${query}" -o json --limit 50\`)`,
    ratio: ratio(r),
    target,
    met: r <= 1.5,
  };
  if (!sizes.diagnostics) return { ...base, findings: [] };
  const listOnly = await timed(() => ctx.flows.list({}, 50));
  const rawList = await timed(async () => {
    const rows = [];
    for await (const info of ctx.client.workflow.list({ query, pageSize: 50 })) {
      rows.push(info);
      if (rows.length >= 50) break;
    }
  });
  const cold = await coldStart(ctx.server, ctx.config.taskQueue, ['flow', 'list', '--json', '--limit', '50']);
  const smallPages: number[] = [];
  for (let i = 0; i < 3; i++) {
    smallPages.push(ok(await temporalCli(ctx.server, ['workflow', 'list', '--query', query, '-o', 'json', '--limit', '50', '--page-size', '50']), 'temporal workflow list'));
  }
  const calls = cold.profile?.rpcs ?? [];
  const counts = calls.filter((c) => c === 'CountWorkflowExecutions').length;
  const pages = calls.filter((c) => c === 'ListWorkflowExecutions').length;
  const serverFixes = [
    counts > 1 ? 'make one count query under `--json`' : '',
    pages > 1 ? 'set `more` from the total count instead of reading a second page' : '',
  ].filter(Boolean);
  return {
    ...base,
    why: [
      COLD_START_CAUSE(cold, result.baseline.median, 1.5),
      `On the server side the command makes ${rpcs(calls)} against the baseline's single list` +
        (pages > 1 ? '; FlowClient.list reads past the limit to set `more`, which the total count already tells' : '') +
        `; warm and in-process FlowClient.list takes ${ms(listOnly.ms)} against ${ms(rawList.ms)} for one raw 50-row list.`,
      `What would fix it: ${serverFixes.length > 0 ? `${serverFixes.join(', ')}, and ` : ''}the start-up changes below.`,
      ...coldStartFix(cold.profile?.packages ?? {}),
    ],
    findings: [
      `The command makes ${rpcs(calls)} (seen inside the command's own process). In-process, warm: FlowClient.list ${ms(listOnly.ms)}, a raw 50-row client.workflow.list ${ms(rawList.ms)}.`,
      `Without \`--page-size\` the baseline asks for the server's default page (up to 1,000 rows) to print 50; with \`--page-size 50\` it takes ${ms(median(smallPages))} (median of 3), which would make the ratio ${ratio(result.taskflow.median / median(smallPages))}.`,
      ...describeColdStart(cold),
    ],
  };
}

export async function flowShow(ctx: BenchContext, sizes: Sizes, flowId: string): Promise<Row> {
  const target = 'ratio ≤ 3';
  const label = '`taskflow flow show <id> --json` time to exit (a finished 3-task flow)';
  const why = await commandUnavailable(['flow', 'show']);
  if (why) return unavailableRow('show', label, target, why);

  const result = await alternate(
    sizes,
    async () => ok(await taskflow(ctx.server, ctx.config.taskQueue, ['flow', 'show', flowId, '--json']), 'taskflow flow show'),
    async () => ok(await temporalCli(ctx.server, ['workflow', 'describe', '--workflow-id', flowId, '-o', 'json']), 'temporal workflow describe'),
  );
  const r = result.taskflow.median / result.baseline.median;
  const base = {
    id: 'show' as const,
    benchmark: label,
    taskflow: spread(result.taskflow, ms),
    baseline: `${spread(result.baseline, ms)} (\`temporal workflow describe\`)`,
    ratio: ratio(r),
    target,
    met: r <= 3,
  };
  if (!sizes.diagnostics) return { ...base, findings: [] };
  const inProcess = await timed(() => ctx.flows.show(flowId));
  const describe = await timed(() => ctx.client.workflow.getHandle(flowId).describe());
  const cold = await coldStart(ctx.server, ctx.config.taskQueue, ['flow', 'show', flowId, '--json']);
  const calls = cold.profile?.rpcs ?? [];
  const describes = calls.filter((c) => c === 'DescribeWorkflowExecution').length;
  const queries = calls.filter((c) => c === 'QueryWorkflow').length;
  return {
    ...base,
    why: [
      COLD_START_CAUSE(cold, result.baseline.median, 3),
      `Warm and in-process, FlowClient.show takes ${ms(inProcess.ms)} against ${ms(describe.ms)} for one describe; the command makes ${rpcs(calls)}.` +
        (describes > 1 ? ' It describes the flow more than once.' : '') +
        (queries > 0 ? ' The query of a closed flow makes the worker fetch and replay its whole history.' : ''),
      'What would fix it: ' +
        (describes > 1 ? 'describe once and hand the description on; ' : '') +
        (queries > 0
          ? 'for a closed flow, a final record readable without a replay (the memo may not hold it: spec §6 keeps the memo bounded; the close event could carry it for succeeded and failed flows, but a cancelled close carries no payload in the TypeScript SDK); '
          : '') +
        'and the start-up changes below.',
      ...coldStartFix(cold.profile?.packages ?? {}),
    ],
    findings: [
      `The command makes ${rpcs(calls)} (seen inside the command's own process). In-process, warm: FlowClient.show ${ms(inProcess.ms)} against a bare describe ${ms(describe.ms)}.`,
      ...describeColdStart(cold),
    ],
  };
}

/**
 * How long to wait after the tasks started before cancelling: spread evenly over one heartbeat
 * interval, the same sequence for both variants. Without it every cancel would land at the same
 * point of the worker's heartbeat cycle (right after the tasks start) and always wait the longest.
 */
function heartbeatPhases(ctx: BenchContext, runs: number, throttle: string = ctx.config.worker.maxHeartbeatThrottleInterval) {
  const period = parseDuration(throttle);
  const n = Math.max(1, runs);
  const sequence = () => {
    let k = 0;
    return () => ((k++ % n) + 0.5) * (period / n);
  };
  return { taskflow: sequence(), plain: sequence() };
}

/** A heartbeat throttle short enough to show how much of the cancel latency the default one makes. */
const FAST_THROTTLE = '200ms';

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

/** Resolves once both heartbeating activities of the flow are running on the worker. */
async function bothTasksRunning(ctx: BenchContext, workflowId: string): Promise<void> {
  const handle = ctx.client.workflow.getHandle(workflowId);
  for (let waited = 0; waited < 30_000; waited += 50) {
    const { raw } = await handle.describe();
    if ((raw.pendingActivities ?? []).filter((a) => a.state === STARTED).length === 2) return;
    await sleep(50);
  }
  throw new Error(`${workflowId}: its two tasks did not start within 30 s`);
}

/** Spawns the cancel, and stops the clock when the execution is closed (a long poll started at the same moment). */
async function cancelUntilClosed(ctx: BenchContext, workflowId: string, command: () => Promise<ProcessRun>): Promise<{ closedMs: number; exitMs: number; status: string }> {
  const handle = ctx.client.workflow.getHandle(workflowId);
  const start = process.hrtime.bigint();
  const closed = handle.result().then(
    () => undefined,
    () => undefined,
  ).then(() => Number(process.hrtime.bigint() - start) / 1e6);
  const run = await command();
  if (run.code !== 0) throw new Error(`cancel of ${workflowId} exited ${run.code}: ${(run.stderr || run.stdout).trim().slice(0, 300)}`);
  const closedMs = await closed;
  const { status } = await handle.describe();
  return { closedMs, exitMs: run.ms, status: status.name };
}

export async function flowCancel(ctx: BenchContext, sizes: Sizes): Promise<Row> {
  const target = 'ratio ≤ 1.2 and p50 ≤ 1 s';
  const label = 'cancel latency: `flow cancel` until the execution closed, flow with 2 heartbeating tasks';
  const why = await commandUnavailable(['flow', 'cancel']);
  if (why) return unavailableRow('cancel', label, target, why);

  const exits = { taskflow: [] as number[], baseline: [] as number[] };
  const statuses = new Set<string>();
  const phase = heartbeatPhases(ctx, sizes.cancelRuns);
  const taskflowRun = async () => {
    const { flowId } = await ctx.flows.start('benchTwoHeartbeats', { ms: 600_000 });
    await bothTasksRunning(ctx, flowId);
    await sleep(phase.taskflow());
    const r = await cancelUntilClosed(ctx, flowId, () => taskflow(ctx.server, ctx.config.taskQueue, ['flow', 'cancel', flowId, '--json']));
    exits.taskflow.push(r.exitMs);
    statuses.add(`TaskFlow ${r.status}`);
    return r.closedMs;
  };
  const baselineRun = async () => {
    const workflowId = `plain-cancel-${randomUUID().slice(0, 8)}`;
    await ctx.client.workflow.start(plainTwoHeartbeats, { taskQueue: ctx.config.taskQueue, workflowId, args: [600_000] });
    await bothTasksRunning(ctx, workflowId);
    await sleep(phase.plain());
    const r = await cancelUntilClosed(ctx, workflowId, () => temporalCli(ctx.server, ['workflow', 'cancel', '--workflow-id', workflowId]));
    exits.baseline.push(r.exitMs);
    statuses.add(`plain ${r.status}`);
    return r.closedMs;
  };
  const runs = { ...sizes, cliRuns: sizes.cancelRuns };
  const result = await alternate(runs, taskflowRun, baselineRun);
  const r = result.taskflow.median / result.baseline.median;

  // The same cancel without a process around it: what the cancel itself costs, at the configured
  // heartbeat throttle and at a shorter one (a worker of its own).
  const inProcessCancels = async (flows: BenchFlowClient, taskQueue: string, throttle: string) => {
    const out = { taskflow: [] as number[], plain: [] as number[] };
    const runs = Math.min(4, Math.max(2, sizes.cancelRuns));
    const at = heartbeatPhases(ctx, runs, throttle);
    for (let i = 0; i < runs; i++) {
      const { flowId } = await flows.start('benchTwoHeartbeats', { ms: 600_000 });
      await bothTasksRunning(ctx, flowId);
      await sleep(at.taskflow());
      out.taskflow.push((await timed(() => flows.cancel(flowId, { wait: true }))).ms);
      const workflowId = `plain-cancel-${randomUUID().slice(0, 8)}`;
      const handle = await ctx.client.workflow.start(plainTwoHeartbeats, { taskQueue, workflowId, args: [600_000] });
      await bothTasksRunning(ctx, workflowId);
      await sleep(at.plain());
      out.plain.push(
        (
          await timed(async () => {
            await handle.cancel();
            await handle.result().catch(() => undefined);
          })
        ).ms,
      );
    }
    return out;
  };
  const base = {
    id: 'cancel' as const,
    benchmark: label,
    taskflow: `p50 ${spread(result.taskflow, ms)} (command exits at ${ms(median(exits.taskflow))})`,
    baseline: `p50 ${spread(result.baseline, ms)} (\`temporal workflow cancel\` exits at ${ms(median(exits.baseline))}; execution close awaited by the harness)`,
    ratio: ratio(r),
    target,
    met: r <= 1.2 && result.taskflow.median <= 1000,
  };
  if (!sizes.diagnostics) return { ...base, findings: [] };
  const inProcess = await inProcessCancels(ctx.flows, ctx.config.taskQueue, ctx.config.worker.maxHeartbeatThrottleInterval);
  const fast = await ctx.extraWorker({ maxHeartbeatThrottleInterval: FAST_THROTTLE });
  const shorter = await inProcessCancels(ctx.flowsOn(fast.taskQueue), fast.taskQueue, FAST_THROTTLE).finally(() => fast.stop());
  const viaCli = result.taskflow.median - result.baseline.median;
  const probed = await ctx.flows.start('benchTwoHeartbeats', { ms: 600_000 });
  await bothTasksRunning(ctx, probed.flowId);
  const calls = await commandRpcs(ctx.server, ctx.config.taskQueue, ['flow', 'cancel', probed.flowId, '--json']);
  return {
    ...base,
    why: [
      `A task hears of the cancel only in the answer to a heartbeat, and the worker sends heartbeats at most every worker.maxHeartbeatThrottleInterval ` +
        `(${ctx.config.worker.maxHeartbeatThrottleInterval} in temporal.yaml's defaults); the runs cancel at points spread evenly over that cycle, so they wait half of it on average, TaskFlow or not. ` +
        `With ${FAST_THROTTLE} the same in-process cancels took ${ms(median(shorter.taskflow))} (TaskFlow) and ${ms(median(shorter.plain))} (plain) instead of ` +
        `${ms(median(inProcess.taskflow))} and ${ms(median(inProcess.plain))}.`,
      `TaskFlow adds ${ms(viaCli)} at p50. Warm and in-process it adds ${ms(median(inProcess.taskflow) - median(inProcess.plain))}: the command makes ${rpcs(calls)} ` +
        'where the baseline makes one cancel call and waits. The rest is the CLI process starting before the cancel request can leave ' +
        '(the cold-start profiles under the `flow show` and `flow list` rows).',
      `What would fix it: a worker.maxHeartbeatThrottleInterval default of about 200–250 ms (at most 4–5 heartbeat calls a second per running task); ` +
        `fewer of the command's ${calls.length} round trips (those before the cancel update delay the cancel itself; the cancel update's validator already rejects an ended flow); ` +
        'and the CLI start-up changes listed under the `flow list` row.',
    ],
    findings: [
      `In-process, warm (no CLI start-up): FlowClient.cancel with wait ${ms(median(inProcess.taskflow))}, handle.cancel + result ${ms(median(inProcess.plain))} (medians of ${inProcess.taskflow.length}). Final execution statuses: ${[...statuses].join(', ')}.`,
      `Diagnostic, a worker with maxHeartbeatThrottleInterval ${FAST_THROTTLE} instead of ${ctx.config.worker.maxHeartbeatThrottleInterval}: in-process FlowClient.cancel ${ms(median(shorter.taskflow))}, handle.cancel + result ${ms(median(shorter.plain))}.`,
      'Both workflows stop their activities before closing (the plain one with WAIT_CANCELLATION_COMPLETED); the activities heartbeat every 250 ms and the worker ' +
        `sends heartbeats at most every ${ctx.config.worker.maxHeartbeatThrottleInterval} (worker.maxHeartbeatThrottleInterval), which bounds how soon a task hears of the cancel.`,
    ],
  };
}

/** Peak resident memory of one run of a command, from GNU time when the machine has it. */
async function peakRssMib(ctx: BenchContext, args: string[]): Promise<number | null> {
  if (!fs.existsSync('/usr/bin/time')) return null;
  const run = await runProcess('/usr/bin/time', ['-f', 'peak-kib %M', process.execPath, TASKFLOW_BIN, ...args], taskflowEnv(ctx.server, ctx.config.taskQueue));
  const kib = /peak-kib (\d+)/.exec(run.stderr)?.[1];
  return kib ? Number(kib) / 1024 : null;
}

/** `flow show` of an open flow (a waiting one: its worker answers the query from its cache, no replay). */
export async function flowShowOpen(ctx: BenchContext, sizes: Sizes): Promise<Row> {
  const target = 'ratio ≤ 3';
  const label = '`taskflow flow show <id> --json` time to exit (an open, waiting 1-task flow)';
  const { flowId } = await ctx.flows.start('benchWaiting', {});
  await ctx.flows.show(flowId);
  const result = await alternate(
    sizes,
    async () => ok(await taskflow(ctx.server, ctx.config.taskQueue, ['flow', 'show', flowId, '--json']), 'taskflow flow show'),
    async () => ok(await temporalCli(ctx.server, ['workflow', 'describe', '--workflow-id', flowId, '-o', 'json']), 'temporal workflow describe'),
  );
  const r = result.taskflow.median / result.baseline.median;
  const rss = await peakRssMib(ctx, ['flow', 'show', flowId, '--json']);
  await ctx.flows.cancel(flowId).catch(() => undefined);
  return {
    id: 'show',
    benchmark: label,
    taskflow: spread(result.taskflow, ms) + (rss === null ? '' : ` · peak RSS ${rss.toFixed(1)} MiB`),
    baseline: `${spread(result.baseline, ms)} (\`temporal workflow describe\`)`,
    ratio: ratio(r),
    target,
    met: r <= 3,
    findings: [],
    ...(r <= 3 ? {} : { why: coldStartFix({}) }),
  };
}

/** `flow report` (revision-checked) against the same update sent by the Temporal CLI. */
export async function flowReport(ctx: BenchContext, sizes: Sizes): Promise<Row> {
  const target = 'ratio ≤ 3';
  const label = '`taskflow flow report` (revision-checked) time to exit, against `temporal workflow update execute` with the same payload';
  const flowId = `bench-report-${randomUUID().slice(0, 8)}`;
  const created = await ctx.flows.report(flowId, { taskId: 'job', status: 'running', summary: 'started' }, { create: { autoComplete: false } });
  let revision = created.flow.revision;
  let step = 0;
  const result = await alternate(
    sizes,
    async () => {
      const summary = `step ${++step}`;
      const run = await taskflow(ctx.server, ctx.config.taskQueue, ['flow', 'report', flowId, '--task', 'job', '--status', 'running', '--summary', summary, '--expect-revision', String(revision), '--json']);
      revision += 1;
      return ok(run, 'taskflow flow report');
    },
    async () => {
      const input = JSON.stringify({ taskId: 'job', status: 'running', summary: `step ${++step}`, expectedRevision: revision });
      const run = await temporalCli(ctx.server, ['workflow', 'update', 'execute', '--workflow-id', flowId, '--name', 'report', '--input', input]);
      revision += 1;
      return ok(run, 'temporal workflow update execute');
    },
  );
  const r = result.taskflow.median / result.baseline.median;
  const final = await ctx.flows.show(flowId);
  if (final.flow.revision !== revision) throw new Error(`flow ${flowId} is at revision ${final.flow.revision}, expected ${revision}: a report was not applied`);
  await ctx.flows.fail(flowId, { error: 'bench done' }).catch(() => undefined);
  const calls = sizes.diagnostics
    ? await commandRpcs(ctx.server, ctx.config.taskQueue, ['flow', 'report', flowId, '--task', 'job', '--status', 'running', '--summary', 'x', '--json'])
    : [];
  return {
    id: 'report',
    benchmark: label,
    taskflow: spread(result.taskflow, ms),
    baseline: `${spread(result.baseline, ms)} (\`temporal workflow update execute --name report\`, the same JSON)`,
    ratio: ratio(r),
    target,
    met: r <= 3,
    findings: calls.length > 0 ? [`The command makes ${rpcs(calls)}: the update, then describe and query for the record its JSON answer carries (spec §9).`] : [],
    ...(r <= 3 ? {} : { why: coldStartFix({}) }),
  };
}

/** `taskflow --help` against a bare Node start. */
export async function help(_ctx: BenchContext, sizes: Sizes): Promise<Row> {
  const target = 'ratio ≤ 1.5';
  const result = await alternate(
    sizes,
    async () => ok(await runProcess(process.execPath, [TASKFLOW_BIN, '--help']), 'taskflow --help'),
    async () => ok(await runProcess(process.execPath, ['-e', '0']), 'node -e 0'),
  );
  const r = result.taskflow.median / result.baseline.median;
  return {
    id: 'help',
    benchmark: '`taskflow --help` time to exit',
    taskflow: spread(result.taskflow, ms),
    baseline: `${spread(result.baseline, ms)} (\`node -e 0\`)`,
    ratio: ratio(r),
    target,
    met: r <= 1.5,
    findings: [],
    ...(r <= 1.5
      ? {}
      : {
          why: [
            '`--help` loads only clipanion and the command definitions (no zod, no Temporal client); what is left is reading the bundle, ' +
              'clipanion building its command tree for all commands and rendering the usage. Next lever: a help path that registers only the ' +
              'commands it prints, or precomputed usage text built with the bundle.',
          ],
        }),
  };
}
