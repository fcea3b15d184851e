import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchContext } from '../context';
import { ROOT } from '../environment';
import type { Sizes } from '../options';
import { mib, ratio, spread, type Row } from '../results';
import { figure, median, pool, sleep } from '../stats';
import { plainWaiting } from '../workflows';

type Variant = 'taskflow' | 'plain';
const WARM_FLOWS = 20;

function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** The median of a few readings a quarter second apart, once memory has settled. */
async function settledRss(pid: number): Promise<number> {
  await sleep(1_500);
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(rssBytes(pid));
    await sleep(250);
  }
  return median(readings);
}

async function spawnWorker(ctx: BenchContext, taskQueue: string, maxCached: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test', 'helpers', 'ts-register.js'), path.join(__dirname, '..', 'memory-worker.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      BENCH_ADDRESS: ctx.server.address,
      BENCH_NAMESPACE: ctx.server.namespace,
      BENCH_TASK_QUEUE: taskQueue,
      BENCH_BUNDLE: ctx.bundlePath,
      BENCH_MAX_CACHED: String(maxCached),
    },
  });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  await new Promise<void>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (c) => {
      stdout += c;
      if (stdout.includes('worker ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the memory worker exited ${code}: ${stderr.slice(-1000)}`)));
  });
  return child;
}

/**
 * Starts `count` waiting flows and resolves once the worker has run each one's first workflow task
 * (so it is parked in the cache); answers how long the worker took, start to last one parked.
 */
async function startWaiting(ctx: BenchContext, variant: Variant, taskQueue: string, count: number): Promise<number> {
  const flows = ctx.flowsOn(taskQueue);
  const began = Date.now();
  const ids = await pool(Array.from({ length: count }, (_, i) => i), 64, async () => {
    if (variant === 'taskflow') return (await flows.start('benchWaiting', {})).flowId;
    const workflowId = `plain-wait-${randomUUID().slice(0, 12)}`;
    await ctx.client.workflow.start(plainWaiting, { taskQueue, workflowId });
    return workflowId;
  });
  // In start order, which is roughly the order the worker takes them: few describes are wasted.
  for (const id of ids) {
    const handle = ctx.client.workflow.getHandle(id);
    for (let waited = 0; ; waited += 100) {
      // Started, task scheduled, started, completed: the first activation ran and the workflow is parked.
      if ((await handle.describe()).historyLength >= 4) break;
      if (waited > 120_000) throw new Error(`${id} was not picked up by the memory worker within 120 s`);
      await sleep(100);
    }
  }
  return Date.now() - began;
}

interface Sample {
  idle: number;
  perThousand: number;
  /** First activations per second while the flows were parked. */
  parkedPerSecond: number;
}

/** RSS growth of one fresh worker process for `count` open waiting flows, beyond a warmed-up idle worker. */
async function sample(ctx: BenchContext, variant: Variant, count: number): Promise<Sample> {
  const taskQueue = `bench-mem-${variant}-${randomUUID().slice(0, 8)}`;
  const child = await spawnWorker(ctx, taskQueue, count + WARM_FLOWS + 100);
  try {
    // A few flows first, so one-time costs (the workflow context, first activation) land in the idle figure.
    await startWaiting(ctx, variant, taskQueue, Math.min(WARM_FLOWS, count));
    const idle = await settledRss(child.pid!);
    const took = await startWaiting(ctx, variant, taskQueue, count);
    const loaded = await settledRss(child.pid!);
    return { idle, perThousand: ((loaded - idle) * 1000) / count, parkedPerSecond: count / (took / 1000) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
  }
}

export async function workerMemory(ctx: BenchContext, sizes: Sizes): Promise<Row> {
  const samples = { taskflow: [] as Sample[], plain: [] as Sample[] };
  for (let round = 0; round < sizes.memoryRounds; round++) {
    // Both variants at once, each in its own process: resident memory is per process, and a round takes half the time.
    const [tf, pl] = await Promise.all([sample(ctx, 'taskflow', sizes.memoryFlows), sample(ctx, 'plain', sizes.memoryFlows)]);
    samples.taskflow.push(tf);
    samples.plain.push(pl);
  }
  const of = (variant: Variant, key: keyof Sample) => samples[variant].map((s) => s[key]);
  const tf = figure(of('taskflow', 'perThousand'));
  const pl = figure(of('plain', 'perThousand'));
  const r = tf.median / pl.median;
  return {
    id: 'memory',
    benchmark: `worker memory: RSS per 1,000 open waiting flows, cached (${sizes.memoryFlows.toLocaleString('en-US')} flows per worker process)`,
    taskflow: spread(tf, mib),
    baseline: spread(pl, mib),
    ratio: ratio(r),
    target: 'ratio ≤ 1.3',
    met: r <= 1.3,
    findings: [
      `Idle worker RSS after ${WARM_FLOWS} warm-up flows: TaskFlow ${mib(median(of('taskflow', 'idle')))}, plain ${mib(median(of('plain', 'idle')))} ` +
        '(same bundle and worker options; a fresh worker process per variant and round, the two variants of a round side by side).',
      `Both variants cost about ${((pl.median / 1000) / 2 ** 20).toFixed(2)} (plain) and ${((tf.median / 1000) / 2 ** 20).toFixed(2)} (TaskFlow) MiB per cached workflow; the SDK documents about 1 MB per cached workflow in its own reference test ` +
        '(WorkerOptions.maxCachedWorkflows: with reuseV8Context each workflow keeps its own set of the bundle\'s module-level objects, swapped in and out of one shared V8 context).',
      `First activations while parking them: TaskFlow ${median(of('taskflow', 'parkedPerSecond')).toFixed(0)}/s, plain ${median(of('plain', 'parkedPerSecond')).toFixed(0)}/s (start call to parked, both workers sharing 2 cores with the server).`,
    ],
  };
}
