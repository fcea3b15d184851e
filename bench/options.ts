import * as path from 'node:path';

/** How much work each benchmark does; `--quick` and `--tiny` shrink it, the targets stay the same. */
export interface Sizes {
  rounds: number;
  /** Rounds of the memory row: one sample of 1,000 flows takes over a minute on a 2-core machine. */
  memoryRounds: number;
  warmup: number;
  /** Sequential runs per variant per round (≥ 200 in full mode). */
  latencyRuns: number;
  throughputFlows: number;
  /** Reports into one flow, sequentially, per variant per round. */
  reportsIntoOne: number;
  /** Flows fed concurrently, and reports per flow. */
  reportFlows: number;
  reportsPerFlow: number;
  /** Flows in visibility when `flow list` is timed. */
  listFlows: number;
  /** CLI invocations per variant per round. */
  cliRuns: number;
  cancelRuns: number;
  /** Waiting flows per memory sample (the table reports RSS per 1,000). */
  memoryFlows: number;
  /** Cost-driver measurements beside the table (profiles, replays, diagnostic variants); off in --tiny. */
  diagnostics: boolean;
}

const FULL: Sizes = {
  rounds: 3,
  memoryRounds: 2,
  warmup: 5,
  latencyRuns: 200,
  throughputFlows: 500,
  reportsIntoOne: 200,
  reportFlows: 100,
  reportsPerFlow: 5,
  listFlows: 10_000,
  cliRuns: 5,
  cancelRuns: 4,
  memoryFlows: 1_000,
  diagnostics: true,
};

const QUICK: Sizes = {
  rounds: 2,
  memoryRounds: 1,
  warmup: 3,
  latencyRuns: 25,
  throughputFlows: 30,
  reportsIntoOne: 30,
  reportFlows: 10,
  reportsPerFlow: 3,
  listFlows: 500,
  cliRuns: 2,
  cancelRuns: 1,
  memoryFlows: 60,
  diagnostics: true,
};

const TINY: Sizes = {
  rounds: 1,
  memoryRounds: 1,
  warmup: 1,
  latencyRuns: 5,
  throughputFlows: 10,
  reportsIntoOne: 5,
  reportFlows: 3,
  reportsPerFlow: 2,
  listFlows: 60,
  cliRuns: 1,
  cancelRuns: 1,
  memoryFlows: 20,
  diagnostics: false,
};

export const BENCHMARKS = ['latency', 'throughput', 'history', 'mirrored', 'list', 'show', 'report', 'help', 'cancel', 'memory'] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];

export interface BenchOptions {
  mode: 'full' | 'quick' | 'tiny';
  sizes: Sizes;
  out: string;
  only: Set<BenchmarkName>;
  /** Rebuild dist/ when it is older than the sources, so the CLI rows time today's code. */
  build: boolean;
  /** The command line as typed, recorded in RESULTS.md. */
  command: string;
}

const USAGE = `Usage: npm run bench [-- options]
  --quick          smaller sizes, under 2 minutes (development)
  --tiny           smallest sizes (the smoke test)
  --rounds N       rounds per benchmark (default: 3 full, 2 quick, 1 tiny)
  --out FILE       where to write the results (default bench/RESULTS.md)
  --only a,b       run only these: ${BENCHMARKS.join(', ')}
  --no-build       do not rebuild dist/ for the CLI rows, even when it is stale`;

export function parseBenchArgs(argv: string[], root: string): BenchOptions {
  let mode: BenchOptions['mode'] = 'full';
  let rounds: number | undefined;
  let out = path.join(root, 'bench', 'RESULTS.md');
  let only = new Set<BenchmarkName>(BENCHMARKS);
  let build = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${arg} needs a value`);
      return v;
    };
    if (arg === '--quick') mode = mode === 'tiny' ? 'tiny' : 'quick';
    else if (arg === '--tiny') mode = 'tiny';
    else if (arg === '--rounds') rounds = positiveInt(arg, value());
    else if (arg === '--out') out = path.resolve(value());
    else if (arg === '--only') only = new Set(value().split(',').map((name) => benchmarkName(name.trim())));
    else if (arg === '--no-build') build = false;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else fail(`unknown option ${arg}`);
  }
  const base = mode === 'full' ? FULL : mode === 'quick' ? QUICK : TINY;
  return { mode, sizes: { ...base, rounds: rounds ?? base.rounds, memoryRounds: rounds ?? base.memoryRounds }, out, only, build, command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' ') };
}

function positiveInt(option: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`${option} must be a positive integer; got ${raw}`);
  return n;
}

function benchmarkName(name: string): BenchmarkName {
  if (!(BENCHMARKS as readonly string[]).includes(name)) fail(`--only takes ${BENCHMARKS.join(', ')}; got ${name}`);
  return name as BenchmarkName;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}
