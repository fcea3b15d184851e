/** What every fault scenario reports: the row of the soak table. */
export interface ScenarioMetrics {
  scenario: string;
  faults: number;
  flows: number;
  writes: number;
  /** Writes refused as revision conflicts (expected, under contention). */
  rejected: number;
  lost: number;
  duplicated: number;
  stuck: number;
  /** Per flow (or write), milliseconds from the fault (or request) to the flow being whole again. */
  recoveryMs: number[];
  notes: string[];
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function emptyMetrics(scenario: string): ScenarioMetrics {
  return { scenario, faults: 0, flows: 0, writes: 0, rejected: 0, lost: 0, duplicated: 0, stuck: 0, recoveryMs: [], notes: [] };
}
