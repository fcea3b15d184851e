import type { Writable } from 'node:stream';

/**
 * What a command answers, built once: `json` is printed with `--json`, `text` otherwise, so the two
 * are views of the same value and cannot drift.
 */
export interface Rendered {
  json: unknown;
  text: string[];
  /** 0 unless the outcome itself is a failure (e.g. a watched flow that did not succeed). */
  exitCode?: number;
}

export function emit(stdout: Writable, rendered: Rendered, json: boolean): number {
  if (json) stdout.write(`${JSON.stringify(rendered.json, null, 2)}\n`);
  else if (rendered.text.length > 0) stdout.write(`${rendered.text.join('\n')}\n`);
  return rendered.exitCode ?? 0;
}
