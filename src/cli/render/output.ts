import type { Writable } from 'node:stream';

/**
 * What a command answers, built once: `json` is printed with `--json`, `text` otherwise, so the two
 * are views of the same value and cannot drift.
 */
export interface Rendered {
  json: unknown;
  text: string[];
  /** What `--jsonl` prints, one object per line (a list's records), on commands that take it. */
  jsonl?: unknown[];
  /** 0 unless the outcome itself is a failure (e.g. a watched flow that did not succeed). */
  exitCode?: number;
}

export type OutputFormat = 'text' | 'json' | 'jsonl';

export function emit(stdout: Writable, rendered: Rendered, format: OutputFormat): number {
  if (format === 'json') stdout.write(`${JSON.stringify(rendered.json, null, 2)}\n`);
  else if (format === 'jsonl') stdout.write((rendered.jsonl ?? [rendered.json]).map(jsonLine).join(''));
  else if (rendered.text.length > 0) stdout.write(`${rendered.text.join('\n')}\n`);
  return rendered.exitCode ?? 0;
}

/** One record of a `--jsonl` stream: compact JSON and a newline. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
