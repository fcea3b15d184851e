import * as fs from 'node:fs';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createFlowWorker } from '../src/worker';
import * as activities from './activities';
import { benchConfig } from './context';

/**
 * A TaskFlow worker alone in its process, so the benchmark can read its resident memory: the
 * benchmark's bundle (BENCH_BUNDLE) on BENCH_TASK_QUEUE, caching up to BENCH_MAX_CACHED workflows.
 */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = (name: string) => process.env[name] ?? fail(`${name} is not set`);
  const base = benchConfig(env('BENCH_ADDRESS'), env('BENCH_NAMESPACE'), env('BENCH_TASK_QUEUE'));
  const config = { ...base, worker: { ...base.worker, maxCachedWorkflows: Number(env('BENCH_MAX_CACHED')) } };
  const connection = await NativeConnection.connect({ address: config.connection.address });
  const worker = await createFlowWorker({
    config,
    connection,
    workflowBundle: { code: fs.readFileSync(env('BENCH_BUNDLE'), 'utf8'), sourceMap: '' },
    activities: { ...activities },
  });
  process.on('SIGTERM', () => worker.shutdown());
  process.stdout.write('worker ready\n');
  await worker.run();
  await connection.close();
}

function fail(message: string): never {
  throw new Error(message);
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
