import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Command, Option, UsageError } from 'clipanion';
import type { FlowClient } from '../client/flow-client';
import type { TaskScope } from '../client/tasks';
import type { LoadedConfig } from '../config';
import type { FlowFilter } from '../client/visibility';
import { isDuration, parseDuration } from '../config/duration';
import { emit, type OutputFormat, type Rendered } from './render/output';
import { FLOW_STATUSES, SYNC_MODES, TASK_STATUSES, type FlowStatus, type SyncMode, type TaskStatus } from '../model/vocabulary';

/**
 * Option sets shared by the flow and task commands (like temporalio/cli's reusable sets), and the
 * parsers that turn their text into values. A value that does not parse is a usage error (exit 2),
 * raised before anything talks to the server.
 */

export const jsonOption = () => Option.Boolean('--json', false, { description: 'Print the stable JSON shape instead of text' });

export const jsonlOption = () =>
  Option.Boolean('--jsonl', false, { description: 'Print one JSON object per line (a stream for scripts), nothing else' });

export const lookupArgument = () => Option.String({ name: 'lookup', required: true });

export const reasonOption = () => Option.String('--reason', { description: 'Why; recorded on the flow' });

export const expectRevisionOption = () =>
  Option.String('--expect-revision', { description: 'Apply only if the flow is at this revision (else revision_conflict)' });

export const requestIdOption = () =>
  Option.String('--request-id', { description: 'Idempotency id: a write retried with the same id is applied once' });

export const sinceOption = () =>
  Option.String('--since', { description: 'Open flows, and flows that started or ended within this window (30s, 15m, 2h, 7d) or since this ISO time' });

export const limitOption = () => Option.String('--limit', { description: 'How many flows to show (default 50)' });

export const parentOption = () => Option.String('--parent', { description: 'Only the child flows of this flow (<lookup>)' });
export const rootsOption = () => Option.Boolean('--roots', false, { description: 'Only top-level flows (no child flows)' });

/** `--parent` and `--roots` ask for opposite things: saying both is a usage error. */
export function parseTreeFilter(parent: string | undefined, roots: boolean): { parent?: string; roots?: true } {
  if (parent !== undefined && roots) throw usage('--parent and --roots cannot be used together: --parent lists one flow\'s children, --roots only top-level flows.');
  if (parent !== undefined && parent.trim() === '') throw usage('--parent needs a flow id, lookup key or flow-id prefix.');
  return { ...(parent !== undefined ? { parent } : {}), ...(roots ? { roots: true as const } : {}) };
}

/** `--depth N` of `flow show`: how many levels of child flows to draw (default 1). */
export function parseDepth(raw: string | undefined): number {
  return raw === undefined ? 1 : integer('--depth', raw, 0, '2');
}

export const flowOption = () => Option.String('--flow', { description: 'Only this flow (<lookup>)' });
export const modeOption = () => Option.String('--mode', { description: 'Only flows of this mode: managed or mirrored' });
export const typeOption = () => Option.String('--type', { description: 'Only flows of this flow type' });
export const lookupKeyFilterOption = () => Option.String('--lookup-key', { description: 'Only flows with this lookup key' });

/** What a task command's flow filters (those of `flow list`, but its `--status`) hold as text. */
export interface FlowScopeValues extends Omit<FlowFilterValues, 'status'> {
  flow?: string;
  limit?: string;
}

/** The flows a task command reads: one by `--flow`, or those `flow list` would show for the same filters. */
export function parseFlowScope(values: FlowScopeValues): TaskScope {
  const { statuses: _statuses, ...flows } = parseFlowFilter({ ...values, status: undefined });
  return { flow: values.flow, flows, limit: parseLimit(values.limit) };
}

/** The filters `flow list` selects flows by (and bulk `flow cancel`), as the user typed them. */
export interface FlowFilterValues {
  status?: string;
  mode?: string;
  type?: string;
  lookupKey?: string;
  since?: string;
  parent?: string;
  roots?: boolean;
}

/** `flow list`'s filters as a FlowFilter; a value that does not parse is a usage error. */
export function parseFlowFilter(values: FlowFilterValues): FlowFilter {
  return {
    statuses: parseFlowStatuses(values.status),
    mode: parseMode(values.mode),
    flowType: values.type,
    lookupKey: values.lookupKey,
    since: parseSince(values.since),
    ...parseTreeFilter(values.parent, values.roots ?? false),
  };
}

/**
 * The filters as given, for a header (`status running,waiting · since 1h`); empty when there are
 * none, which is also how bulk cancel knows it was given no filter. A new filter adds its label here
 * (a flag, such as `--roots`, shows as its label alone).
 */
export function describeFilters(values: FlowFilterValues): string[] {
  const labels: Array<[keyof FlowFilterValues, string]> = [
    ['status', 'status'],
    ['mode', 'mode'],
    ['type', 'type'],
    ['lookupKey', 'lookup key'],
    ['since', 'since'],
    ['parent', 'parent'],
    ['roots', 'roots'],
  ];
  const given = labels.filter(([key]) => values[key] !== undefined && (values[key] as unknown) !== false);
  return given.map(([key, label]) => ((values[key] as unknown) === true ? label : `${label} ${values[key]}`));
}

export function usage(message: string): UsageError {
  return new UsageError(message);
}

function listOf<T extends string>(option: string, raw: string, valid: readonly T[]): T[] {
  const values = raw
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const invalid = values.filter((v) => !(valid as readonly string[]).includes(v));
  if (invalid.length > 0) {
    throw usage(`${option} must be ${validList(valid)}; got ${invalid.map((v) => JSON.stringify(v)).join(', ')}.`);
  }
  return [...new Set(values)] as T[];
}

/** `a, b, or c`. */
export function validList(values: readonly string[]): string {
  if (values.length <= 2) return values.join(' or ');
  return `${values.slice(0, -1).join(', ')}, or ${values[values.length - 1]}`;
}

/** `--status s,…` of flows; blank means no filter, as in the original. */
export function parseFlowStatuses(raw: string | undefined): FlowStatus[] | undefined {
  if (raw === undefined) return undefined;
  const statuses = listOf('--status', raw, FLOW_STATUSES);
  return statuses.length > 0 ? statuses : undefined;
}

export function parseTaskStatuses(raw: string | undefined): TaskStatus[] | undefined {
  if (raw === undefined) return undefined;
  const statuses = listOf('--status', raw, TASK_STATUSES);
  return statuses.length > 0 ? statuses : undefined;
}

export function parseMode(raw: string | undefined): SyncMode | undefined {
  if (raw === undefined) return undefined;
  if (!(SYNC_MODES as readonly string[]).includes(raw)) throw usage(`--mode must be ${validList(SYNC_MODES)}; got ${JSON.stringify(raw)}.`);
  return raw as SyncMode;
}

export function parseEnum<T extends string>(option: string, raw: string | undefined, valid: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  if (!(valid as readonly string[]).includes(raw)) throw usage(`${option} must be ${validList(valid)}; got ${JSON.stringify(raw)}.`);
  return raw as T;
}

// An ISO-8601 date or date-time (with an optional zone); Date.parse alone accepts far too much.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseDurationOption(option: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!isDuration(raw.trim())) throw usage(`${option} must be a duration such as 30s, 15m, 2h or 7d; got ${JSON.stringify(raw)}.`);
  return raw.trim();
}

export function parseIsoTime(option: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const at = ISO_TIME.test(raw.trim()) ? Date.parse(raw.trim()) : Number.NaN;
  if (Number.isNaN(at)) throw usage(`${option} must be an ISO-8601 time such as 2026-01-31T12:00:00Z; got ${JSON.stringify(raw)}.`);
  return new Date(at).toISOString();
}

/** `--since 1h` (a window back from now) or `--since 2026-01-31T12:00:00Z`. */
export function parseSince(raw: string | undefined, now = Date.now()): Date | undefined {
  if (raw === undefined) return undefined;
  if (isDuration(raw.trim())) return new Date(now - parseDuration(raw));
  const at = ISO_TIME.test(raw.trim()) ? Date.parse(raw.trim()) : Number.NaN;
  if (Number.isNaN(at)) throw usage(`--since must be a duration such as 30s, 15m, 2h or 7d, or an ISO-8601 time; got ${JSON.stringify(raw)}.`);
  return new Date(at);
}

function integer(option: string, raw: string, min: number, example: string): number {
  if (!/^[+-]?\d+$/.test(raw.trim()) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    throw usage(`${option} must be ${min === 0 ? 'a whole number of at least 0' : 'a positive integer'}, for example ${option} ${example}; got ${JSON.stringify(raw)}.`);
  }
  return Number(raw);
}

export function parseLimit(raw: string | undefined, fallback = 50): number {
  return raw === undefined ? fallback : integer('--limit', raw, 1, '25');
}

/** `--rps 20`: a positive number of operations per second (fractions allowed: 0.5 is one every 2 s). */
export function parseRps(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw.trim());
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(value > 0)) throw usage(`--rps must be a number above 0, for example --rps 10; got ${JSON.stringify(raw)}.`);
  return value;
}

export function parseRevision(raw: string | undefined): number | undefined {
  return raw === undefined ? undefined : integer('--expect-revision', raw, 0, '3');
}

/** A JSON value given inline or as `@file` (relative to the working directory). */
export function parseJsonOption(option: string, raw: string | undefined, cwd = process.cwd()): unknown {
  if (raw === undefined) return undefined;
  let text = raw;
  if (raw.startsWith('@')) {
    const file = path.resolve(cwd, raw.slice(1));
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw usage(`${option} ${raw}: ${code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? String(err)})`}.`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usage(`${option} must be JSON (or @file holding JSON): ${(err as Error).message}.`);
  }
}

/** Both spellings of every flow command: `taskflow flow <verb>` and the original's `taskflow tasks flow <verb>`. */
export function flowPaths(verb: string): string[][] {
  return [
    ['flow', verb],
    ['tasks', 'flow', verb],
  ];
}

/**
 * The shape every flow and task command shares: `--json`, and one path from a result to the
 * output (text or JSON of the same value) and from an error to one sentence and an exit code.
 */
export abstract class TaskFlowCommand extends Command {
  json = jsonOption();
  timeout = Option.String('--timeout', {
    description: 'How long to wait for the Temporal server: a read fails after this (default 10s), a write stops retrying',
  });

  /** Does the command's work: a value to render, or an exit code when it wrote its own output (`--watch`). */
  abstract run(): Promise<Rendered | number>;

  async execute(): Promise<number> {
    try {
      // A write gets its idempotency id here, so a failure after sending can name the id a retry must reuse.
      const self = this as { requestId?: string };
      if ('requestId' in this && self.requestId === undefined) self.requestId = randomUUID();
      if (this.json && this.outputFormat() === 'jsonl') throw usage('--json and --jsonl cannot be combined; use --json for one answer, or --jsonl for one object per line.');
      const result = await this.run();
      return typeof result === 'number' ? result : emit(this.context.stdout, result, this.outputFormat());
    } catch (err) {
      const { renderError } = await import('./errors');
      return renderError(err, { json: this.json, stdout: this.context.stdout, stderr: this.context.stderr });
    }
  }

  /** `--json`, `--jsonl` (on the commands that take it), or text. */
  protected outputFormat(): OutputFormat {
    if ((this as { jsonl?: unknown }).jsonl === true) return 'jsonl';
    return this.json ? 'json' : 'text';
  }

  /** Loads temporal.yaml (+ environment), connects, runs `fn`, closes. Imports stay lazy so help and usage errors are instant. */
  protected async withClient<T>(fn: (client: FlowClient, config: LoadedConfig) => Promise<T>): Promise<T> {
    const timeoutMs = parseTimeout(this.timeout);
    const { loadConfig } = await import('../config');
    const config = loadConfig();
    const { FlowClient } = await import('../client/flow-client');
    const client = await FlowClient.connect(config, { timeoutMs });
    try {
      // A read answers within the timeout or fails; writes (and --watch) wait as long as they need.
      if (!this.isRead()) return await fn(client, config);
      return await client.client.connection.withDeadline(Date.now() + timeoutMs, () => fn(client, config));
    } catch (err) {
      const { requestId, id } = this as { requestId?: string; id?: string };
      const { explainFailure } = await import('../client/connection');
      throw explainFailure(err, config, requestId ? { requestId } : id ? { flowId: id } : {});
    } finally {
      await client.close();
    }
  }

  /** `list`, `show` (not `--watch`) and `ui` only read. */
  protected isRead(): boolean {
    const verb = this.path[this.path.length - 1];
    return ['list', 'show', 'ui'].includes(verb ?? '') && (this as { watch?: unknown }).watch !== true;
  }
}

/** `--timeout 30s`, in ms; 10 s by default. */
export function parseTimeout(raw: string | undefined): number {
  const value = parseDurationOption('--timeout', raw);
  if (value === undefined) return 10_000;
  const ms = parseDuration(value);
  if (ms < 100) throw usage(`--timeout must be at least 100ms; got ${JSON.stringify(raw)}.`);
  return ms;
}

/**
 * The flow filters of `flow list`, declared once: `flow list`, bulk `flow cancel`, and the task
 * commands (which read the flows these select). `--status` is each command's own (flow or task statuses).
 */
export abstract class FlowFilterCommand extends TaskFlowCommand {
  mode = modeOption();
  type = typeOption();
  lookupKey = lookupKeyFilterOption();
  since = sinceOption();
  parent = parentOption();
  roots = rootsOption();
}
