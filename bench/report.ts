import type { BenchOptions } from './options';
import type { Row } from './results';

export interface ResultsInput {
  rows: Row[];
  options: BenchOptions;
  startedAt: Date;
  durationS: number;
  machine: Record<string, string>;
  temporalCli: string;
  code: string;
  workerTaskQueue: string;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const verdict = (met: boolean | null) => (met === null ? '—' : met ? 'met' : '**missed**');

/** RESULTS.md: how it was made, where it ran, the table, then what each figure is made of. */
export function renderResults(input: ResultsInput): string {
  const { rows, options, machine } = input;
  const s = options.sizes;
  const lines = [
    '# TaskFlow benchmarks: TaskFlow against plain Temporal, side by side in one run',
    '',
    `Made by \`${options.command}\` (${options.mode} mode, ${s.rounds} round${s.rounds > 1 ? 's' : ''} per figure, ${s.memoryRounds} for worker memory) on ${input.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC in ${Math.round(input.durationS)} s.`,
    '',
    '| machine | |',
    '|---|---|',
    `| cores | ${machine.cores} |`,
    `| memory | ${machine.memory} |`,
    `| OS | ${machine.os} |`,
    `| Node | ${machine.node} |`,
    `| load | ${machine.load} |`,
    `| Temporal CLI | ${input.temporalCli} |`,
    `| code measured | ${input.code} |`,
    '',
    '**Placement.** Everything ran on this one machine. The Temporal dev server is the benchmark\'s own ' +
      '(`temporal server start-dev`, in-memory SQLite, headless, free port; TaskFlow\'s search attributes registered through the operator service), ' +
      'a separate process, stopped at the end. One TaskFlow worker (`createFlowWorker`, temporal.yaml\'s worker defaults) runs inside the benchmark process and ' +
      'serves both the TaskFlow flows and their plain twins on the same task queue; the load generator (clients, timers) is that same Node process. ' +
      'CLI rows spawn each command as its own process (cold start included), TaskFlow and baseline alternating. ' +
      'The memory row spawns a fresh worker process per sample and reads its VmRSS from /proc.',
    '',
    `**Method.** Warm-up runs are excluded. Each figure is the median over rounds, with (min–max) across rounds; TaskFlow and baseline alternate within every round. ` +
      `Ratios are TaskFlow ÷ baseline (for time: lower is better; for rates: higher is better).`,
    '',
    '| benchmark | TaskFlow | baseline in the same run | TaskFlow ÷ baseline | target | |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${cell(r.benchmark)} | ${cell(r.taskflow)} | ${cell(r.baseline)} | ${cell(r.ratio)} | ${cell(r.target)} | ${verdict(r.met)} |`),
    '',
    '## Findings',
    '',
  ];
  for (const row of rows) {
    const why = row.met === false ? (row.why ?? []) : [];
    if (row.findings.length === 0 && why.length === 0) continue;
    lines.push(`### ${row.benchmark}`, '');
    for (const f of row.findings) lines.push(`- ${f}`);
    if (why.length > 0) {
      lines.push('', '**Why the target is missed, and what would fix it.**', '');
      for (const w of why) lines.push(`- ${w}`);
    }
    lines.push('');
  }
  lines.push(
    '## Benchmark workflows',
    '',
    'bench/workflows/index.ts: each TaskFlow flow (`defineFlow`) has a plain twin calling the same activities (bench/activities.ts) with the same activity options — ' +
      '`benchThreeTasks`/`plainThreeTasks`, `benchTwoHeartbeats`/`plainTwoHeartbeats` (the plain one waits for its activities to stop, as TaskFlow does), ' +
      '`benchWaiting`/`plainWaiting`; mirrored flows are TaskFlow\'s own `mirroredFlow` against `plainReportSink`, one revision-checked update handler. ' +
      'They are bundled with `bundleWorkflowCode` and TaskFlow\'s workflow interceptors (src/flow/interceptors.ts).',
    '',
  );
  return lines.join('\n');
}
