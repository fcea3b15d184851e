import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  describeFilters,
  parseDurationOption,
  parseFlowFilter,
  parseRps,
  parseEnum,
  parseFlowStatuses,
  parseIsoTime,
  parseJsonOption,
  parseLimit,
  parseMode,
  parseRevision,
  parseSince,
  parseTaskStatuses,
} from '../../src/cli/options';

const usageError = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect((err as Error).name).toBe('UsageError');
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
};

test('--status lists parse, dedupe, and name every valid value when one is wrong', () => {
  expect(parseFlowStatuses('running, waiting,running')).toEqual(['running', 'waiting']);
  expect(parseFlowStatuses('')).toBeUndefined();
  expect(parseFlowStatuses(undefined)).toBeUndefined();
  expect(usageError(() => parseFlowStatuses('running,done'))).toBe(
    '--status must be queued, running, waiting, blocked, succeeded, failed, cancelled, or lost; got "done".',
  );
  expect(parseTaskStatuses('timed_out')).toEqual(['timed_out']);
  expect(usageError(() => parseTaskStatuses('waiting'))).toContain('timed_out');
});

test('--mode, --limit, --expect-revision', () => {
  expect(parseMode('mirrored')).toBe('mirrored');
  expect(usageError(() => parseMode('both'))).toBe('--mode must be managed or mirrored; got "both".');
  expect(parseLimit(undefined)).toBe(50);
  expect(parseLimit('7')).toBe(7);
  for (const bad of ['0', '-3', '2.5', 'ten', '']) expect(usageError(() => parseLimit(bad))).toContain('--limit must be a positive integer');
  expect(parseRevision('0')).toBe(0);
  expect(usageError(() => parseRevision('-1'))).toContain('--expect-revision must be a whole number');
  expect(usageError(() => parseRevision('x'))).toContain('--expect-revision');
});

test('--since takes a duration back from now or an ISO time; anything else is usage', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  expect(parseSince('1h', now)?.toISOString()).toBe('2026-03-01T11:00:00.000Z');
  expect(parseSince('7d', now)?.toISOString()).toBe('2026-02-22T12:00:00.000Z');
  expect(parseSince('2026-02-01T00:00:00Z', now)?.toISOString()).toBe('2026-02-01T00:00:00.000Z');
  expect(parseSince('2026-02-01', now)?.toISOString()).toBe('2026-02-01T00:00:00.000Z');
  for (const bad of ['yesterday', '1 hour', '2026-13-45T00:00:00Z', '12']) expect(usageError(() => parseSince(bad, now))).toContain('--since');
});

test('durations and ISO times of report options', () => {
  expect(parseDurationOption('--lease', '10m')).toBe('10m');
  expect(usageError(() => parseDurationOption('--lease', 'ten minutes'))).toContain('--lease must be a duration');
  expect(parseIsoTime('--occurred-at', '2026-01-02T03:04:05+01:00')).toBe('2026-01-02T02:04:05.000Z');
  expect(usageError(() => parseIsoTime('--occurred-at', 'Tuesday'))).toContain('--occurred-at must be an ISO-8601 time');
});

test('JSON options: inline, @file, missing file and bad JSON are usage errors', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-json-'));
  fs.writeFileSync(path.join(dir, 'input.json'), '{"name":"Ada"}');
  expect(parseJsonOption('--input', '{"a":[1,2]}')).toEqual({ a: [1, 2] });
  expect(parseJsonOption('--input', '@input.json', dir)).toEqual({ name: 'Ada' });
  expect(parseJsonOption('--input', undefined)).toBeUndefined();
  expect(usageError(() => parseJsonOption('--input', '@missing.json', dir))).toBe('--input @missing.json: no such file.');
  expect(usageError(() => parseJsonOption('--data', '{oops'))).toMatch(/^--data must be JSON/);
});

test('enumerations such as --outcome', () => {
  expect(parseEnum('--outcome', 'blocked', ['succeeded', 'blocked'])).toBe('blocked');
  expect(parseEnum('--outcome', undefined, ['succeeded', 'blocked'])).toBeUndefined();
  expect(usageError(() => parseEnum('--outcome', 'partial', ['succeeded', 'blocked']))).toBe('--outcome must be succeeded or blocked; got "partial".');
});

test('the filters of flow list and bulk cancel: parsed once, described as given, none at all when none given', () => {
  const values = { status: 'waiting,running', type: 'documentApproval', lookupKey: 'k', since: '2026-01-31T12:00:00Z' };
  expect(parseFlowFilter(values)).toEqual({
    statuses: ['waiting', 'running'],
    mode: undefined,
    flowType: 'documentApproval',
    lookupKey: 'k',
    since: new Date('2026-01-31T12:00:00Z'),
  });
  expect(describeFilters(values)).toEqual(['status waiting,running', 'type documentApproval', 'lookup key k', 'since 2026-01-31T12:00:00Z']);
  expect(describeFilters({})).toEqual([]);
  expect(usageError(() => parseFlowFilter({ mode: 'both' }))).toContain('--mode');
});

test('--rps: a number above 0, fractions allowed', () => {
  expect(parseRps(undefined)).toBeUndefined();
  expect(parseRps('20')).toBe(20);
  expect(parseRps('0.5')).toBe(0.5);
  for (const bad of ['0', '-1', 'fast', '1e3', '']) expect(usageError(() => parseRps(bad))).toMatch(/^--rps must be a number above 0/);
});
