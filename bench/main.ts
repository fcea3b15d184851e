import * as fs from 'node:fs';
import * as os from 'node:os';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ensureBuilt } from './cli';
import { createContext } from './context';
import { codeVersion, locateCli, machineFacts, ROOT, startBenchServer } from './environment';
import { parseBenchArgs, type BenchmarkName } from './options';
import { renderResults } from './report';
import { failedRow, type Row } from './results';
import { flowCancel, flowList, flowReport, flowShow, flowShowOpen, help } from './suites/cli';
import { autoHeartbeatCost, history, latency, throughput, type FinishedFlows } from './suites/flows';
import { workerMemory } from './suites/memory';
import { mirroredIngest, reportIntoLargeFlow } from './suites/mirrored';

const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function main(): Promise<void> {
  const options = parseBenchArgs(process.argv.slice(2), ROOT);
  const startedAt = new Date();
  const loadAtStart = os.loadavg()[0]!;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const cliRows = (['list', 'show', 'report', 'help', 'cancel'] as const).some((id) => options.only.has(id));
  const build = cliRows && options.build ? await ensureBuilt() : 'skipped';
  log(`mode ${options.mode}, ${options.sizes.rounds} round(s); dist/ ${build}`);

  const server = await startBenchServer(await locateCli());
  log(`dev server ${server.address} (${server.cliVersion.split('\n')[0]})`);
  const ctx = await createContext(server);
  log(`bench workflows bundled in ${ctx.bundleMs} ms; worker on ${ctx.config.taskQueue}`);

  const rows: Row[] = [];
  const labels: Record<BenchmarkName, string> = {
    latency: 'end-to-end latency', throughput: 'throughput', history: 'history events', mirrored: 'mirrored ingest',
    list: '`flow list`', show: '`flow show`', report: '`flow report`', help: '`taskflow --help`', cancel: 'cancel latency', memory: 'worker memory',
  };
  const targets: Record<BenchmarkName, string> = {
    latency: 'ratio ≤ 1.10', throughput: 'ratio ≥ 0.90', history: '≤ +4 events', mirrored: 'ratio ≥ 0.85',
    list: 'ratio ≤ 1.5', show: 'ratio ≤ 3', report: 'ratio ≤ 3', help: 'ratio ≤ 1.5', cancel: 'ratio ≤ 1.2 and p50 ≤ 1 s', memory: 'ratio ≤ 1.3',
  };
  const step = async (id: BenchmarkName, fn: () => Promise<Row | Row[]>) => {
    if (!options.only.has(id)) return;
    const began = Date.now();
    log(`${id}…`);
    try {
      const result = await fn();
      rows.push(...(Array.isArray(result) ? result : [result]));
    } catch (err) {
      log(`${id} failed: ${(err as Error)?.stack ?? err}`);
      rows.push(failedRow(id, labels[id], targets[id], err));
    }
    log(`${id} done in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  };

  let finished: FinishedFlows | undefined;
  try {
    if (options.only.has('latency')) {
      await step('latency', async () => {
        const result = await latency(ctx, options.sizes);
        finished = result.finished;
        return result.row;
      });
    }
    if (!finished && (options.only.has('history') || options.only.has('show'))) {
      finished = (await latency(ctx, { ...options.sizes, rounds: 1, latencyRuns: 1, warmup: 0 })).finished;
    }
    await step('throughput', async () => [await throughput(ctx, options.sizes), await autoHeartbeatCost(ctx, options.sizes)]);
    await step('history', () => history(ctx, finished!, options.sizes));
    await step('mirrored', async () => [...(await mirroredIngest(ctx, options.sizes)), await reportIntoLargeFlow(ctx, options.sizes)]);
    await step('show', async () => [await flowShow(ctx, options.sizes, finished!.taskflow), await flowShowOpen(ctx, options.sizes)]);
    await step('report', () => flowReport(ctx, options.sizes));
    await step('help', () => help(ctx, options.sizes));
    await step('cancel', () => flowCancel(ctx, options.sizes));
    await step('list', () => flowList(ctx, options.sizes));
    await step('memory', () => workerMemory(ctx, options.sizes));
  } finally {
    await ctx.close();
    await server.stop();
  }

  const text = renderResults({
    rows,
    options,
    startedAt,
    durationS: (Date.now() - startedAt.getTime()) / 1000,
    machine: { ...machineFacts(), load: `${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end (1-minute load average; other work on the machine shares its cores)` },
    temporalCli: `${server.cliVersion.split('\n')[0]!} at ${server.cliPath}`,
    code: codeVersion(),
    workerTaskQueue: ctx.config.taskQueue,
  });
  fs.writeFileSync(options.out, text);
  process.stdout.write(text.split('\n## Findings')[0]!);
  log(`wrote ${options.out}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    log(`failed: ${(err as Error)?.stack ?? err}`);
    process.exit(1);
  },
);
