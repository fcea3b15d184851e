import type { Figure } from './stats';
import type { BenchmarkName } from './options';

/** One line of the results table, plus what the run found out about it. */
export interface Row {
  id: BenchmarkName;
  benchmark: string;
  taskflow: string;
  baseline: string;
  ratio: string;
  target: string;
  /** null: not measured (not available yet, or not applicable). */
  met: boolean | null;
  /** Measured facts that explain the figure: cost drivers, breakdowns, causes of a miss. */
  findings: string[];
  /** For a missed target: its measured cause and what would fix it. */
  why?: string[];
}

export const ms = (v: number) => (v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`);
export const perSecond = (v: number) => `${v >= 100 ? Math.round(v) : v.toFixed(1)}/s`;
export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** `median (min–max)` of a figure over rounds, in the given unit. */
export function spread(f: Figure, unit: (v: number) => string): string {
  if (f.rounds <= 1) return unit(f.median);
  return `${unit(f.median)} (${unit(f.min)}–${unit(f.max)})`;
}

export const ratio = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');

export function unavailableRow(id: BenchmarkName, benchmark: string, target: string, why: string): Row {
  return { id, benchmark, taskflow: `not available yet: ${why}`, baseline: '—', ratio: '—', target, met: null, findings: [] };
}

export function failedRow(id: BenchmarkName, benchmark: string, target: string, err: unknown): Row {
  const message = (err as Error)?.message ?? String(err);
  return { id, benchmark, taskflow: `failed: ${message.split('\n')[0]!.slice(0, 200)}`, baseline: '—', ratio: '—', target, met: null, findings: [] };
}
