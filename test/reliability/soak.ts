import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { FlowClient } from '../../src/client';
import { parseConfig, type TaskFlowConfig } from '../../src/config';
import { connectToTemporal, ensureTemporalCli, registerSearchAttributes, startDevServer } from '../../src/server';
import { freePorts } from '../global-setup';
import { exited, processEnv, spawnTs } from '../helpers/processes';
import { cancelStorm } from './scenarios/cancel-storm';
import { concurrentWriters } from './scenarios/concurrent-writers';
import { percentile, type ScenarioMetrics } from './scenarios/metrics';
import { serverCrash } from './scenarios/server-crash';
import { workerCrash } from './scenarios/worker-crash';
import { manyWorkers } from './scenarios/many-workers';

/**
 * `npm run soak`: every fault scenario at full size against dev servers of its own, then one table
 * (also written to docs/reliability.md). `--quick` runs the sizes `npm test` uses. `--only a,b`
 * runs only the named scenarios (worker-crash, many-workers, server-crash, writers, cancel-storm)
 * and prints their rows without rewriting docs/reliability.md.
 */
const quick = process.argv.includes('--quick');
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? new Set((process.argv[onlyArg + 1] ?? '').split(',')) : null;
const wanted = (key: string) => !only || only.has(key);
const sizes = quick
  ? {
      workerCrash: { flows: 12, kills: 2 },
      manyWorkers: { flows: 20, workers: 2, spreadMs: 6_000, killEveryMs: 4_000, maxKills: 1, replace: false, deadlineMs: 90_000, attempts: 3 },
      serverCrash: { flows: 6 },
      writers: { writers: 4, writes: 15 },
      storm: { flows: 12, tasksPerFlow: 2 },
    }
  : {
      workerCrash: { flows: 100, kills: 3, deadlineMs: 300_000 },
      manyWorkers: { flows: 200, workers: 3, spreadMs: 40_000, killEveryMs: 10_000, maxKills: 6, replace: true, deadlineMs: 240_000, attempts: 5 },
      serverCrash: { flows: 50 },
      writers: { writers: 20, writes: 50 },
      storm: { flows: 100, tasksPerFlow: 1 },
    };

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const root = path.resolve(__dirname, '..', '..');
  const began = Date.now();
  const loadAtStart = os.loadavg()[0]!;
  const cli = await ensureTemporalCli({ config: parseConfig(''), projectRoot: root });
  const [port] = await freePorts(1);
  const config: TaskFlowConfig = parseConfig('');
  config.devServer = { ...config.devServer, port: port!, headless: true, dbFile: null, logLevel: 'error' };
  config.connection.address = `127.0.0.1:${port}`;
  const server = await startDevServer({ cliPath: cli.path, config, projectRoot: root });
  const connection = await connectToTemporal(config);
  await registerSearchAttributes(connection, config.connection.namespace);
  await connection.close();

  const results: ScenarioMetrics[] = [];
  const run = async (name: string, scenario: () => Promise<ScenarioMetrics>) => {
    process.stdout.write(`${name}…\n`);
    const started = Date.now();
    const metrics = await scenario();
    process.stdout.write(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s${metrics.notes.length ? `: ${metrics.notes.slice(0, 5).join('; ')}` : ''}\n`);
    results.push(metrics);
  };
  const onQueue = () => ({ ...config, taskQueue: `soak-${randomUUID()}` });
  const withClient = async (scenario: (client: FlowClient, queue: TaskFlowConfig) => Promise<ScenarioMetrics>, attempts?: number) => {
    const queue = onQueue();
    // The client starts flows with its flowDefaults: the tasks' retry policy.
    if (attempts !== undefined) queue.flowDefaults = { ...queue.flowDefaults, retry: { ...queue.flowDefaults.retry, maximumAttempts: attempts } };
    const client = await FlowClient.connect(queue);
    try {
      return await scenario(client, queue);
    } finally {
      await client.close();
    }
  };
  try {
    if (wanted('worker-crash')) await run('worker crash', () => withClient((client, queue) => workerCrash(client, queue, sizes.workerCrash)));
    if (wanted('many-workers')) await run('many workers', () => withClient((client, queue) => manyWorkers(client, queue, sizes.manyWorkers), sizes.manyWorkers.attempts));
    if (wanted('server-crash')) await run('server crash', () => serverCrash(cli.path, sizes.serverCrash));
    for (const [key, name, scenario] of [
      ['writers', 'concurrent writers', (client: FlowClient, queue: TaskFlowConfig) => concurrentWriters(client, queue, sizes.writers)],
      ['cancel-storm', 'cancel storm', (client: FlowClient) => cancelStorm(client, sizes.storm)],
    ] as const) {
      if (!wanted(key)) continue;
      await run(name, async () => {
        const queue = onQueue();
        const worker: ChildProcess = await spawnTs('test/fixtures/worker-process.ts', processEnv(queue), 'worker ready');
        const client = await FlowClient.connect(queue);
        try {
          return await scenario(client, queue);
        } finally {
          await client.close();
          worker.kill('SIGTERM');
          await exited(worker);
        }
      });
    }
  } finally {
    await server.stop();
  }

  const table = render(results, { quick, seconds: (Date.now() - began) / 1000, cli: cli.version, load: loadAtStart });
  process.stdout.write(`\n${table}\n`);
  if (!quick && !only) fs.writeFileSync(path.join(root, 'docs', 'reliability.md'), table + '\n');
  // Duplicates are allowed only where a worker died after finishing a task and before reporting it.
  const workersKilled = (r: ScenarioMetrics) => r.scenario === 'worker crash (SIGKILL)' || r.scenario.includes('SIGKILLed every');
  const failed = results.some((r) => r.lost > 0 || r.stuck > 0 || (workersKilled(r) ? r.notes.length > 0 : r.duplicated > 0));
  process.exitCode = failed ? 1 : 0;
}

function render(results: ScenarioMetrics[], run: { quick: boolean; seconds: number; cli: string | null; load: number }): string {
  const rows = results.map((r) =>
    [r.scenario, r.faults, r.flows, r.writes ? `${r.writes} (${r.rejected} conflicts)` : '—', r.lost, r.duplicated, r.stuck, ms(percentile(r.recoveryMs, 50)), ms(percentile(r.recoveryMs, 99))].join(' | '),
  );
  return [
    `# Reliability soak (${run.quick ? 'quick' : 'full'} run)`,
    '',
    `Made by \`npm run soak${run.quick ? ' -- --quick' : ''}\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, Temporal CLI ${run.cli ?? 'unknown version'}; server, workers and load on this one machine, loopback only; load average ${run.load.toFixed(1)} at the start; ${run.seconds.toFixed(0)} s in all.`,
    '',
    '| scenario | faults injected | flows | writes | lost | duplicated | stuck | recovery p50 | recovery p99 |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
    '',
    'lost: flows that ended wrong or writes whose effect vanished · duplicated: tasks that completed more than once (allowed by the retry policy when a worker dies after finishing a task but before reporting it) or revisions repeated · stuck: flows or tasks left running · recovery: from the fault to the flow being finished — for worker kills, per flow a task attempt of which died with the killed worker, from the kill to that task running again on a live worker; for the server crash, from the restart; for the cancel storm, from the cancel request; for concurrent writers, the latency of one revision-checked write (read + update) under contention.',
  ].join('\n');
}

const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
