/** Durations as written in temporal.yaml and on the command line: `500ms`, `30s`, `15m`, `2h`, `7d`. */
export type DurationString = `${number}${DurationUnit}`;
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

const UNIT_MS: Record<DurationUnit, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

export const DURATION_EXPECTED = 'a duration such as "500ms", "30s", "15m", "2h" or "7d"';

export function isDuration(value: unknown): value is DurationString {
  return typeof value === 'string' && DURATION.test(value);
}

/** Milliseconds in `text`; throws a RangeError naming what was expected when it is not a duration. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new RangeError(`${JSON.stringify(text)} is not ${DURATION_EXPECTED}.`);
  }
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as DurationUnit]);
}
