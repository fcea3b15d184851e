import type { Writable } from 'node:stream';

/** The `error` object of `{"ok": false, "error": …}`: a type of spec §9, one sentence, and any fields a script needs. */
export interface ErrorPayload {
  type: string;
  message: string;
  [field: string]: unknown;
}

export interface ErrorOutput {
  json: boolean;
  stdout: Writable;
  stderr: Writable;
  /** Print the stack of an unexpected error too (TASKFLOW_DEBUG=1). */
  debug?: boolean;
}

const NOT_FIELDS = new Set(['name', 'message', 'stack', 'cause', 'type', 'details', 'clipanion']);

/**
 * Renders any error the one way the CLI does: one sentence on stderr, or the JSON error object on
 * stdout with `--json`. Returns the exit code: 2 for usage errors, 1 for everything else.
 */
export function renderError(err: unknown, output: ErrorOutput): number {
  const payload = errorPayload(err);
  if (output.json) {
    output.stdout.write(`${JSON.stringify({ ok: false, error: payload }, null, 2)}\n`);
  } else {
    output.stderr.write(`${stripControl(payload.message)}\n`);
  }
  if (payload.type === 'internal' && (output.debug ?? Boolean(process.env.TASKFLOW_DEBUG)) && err instanceof Error) {
    output.stderr.write(`${err.stack}\n`);
  }
  return exitCodeOf(payload);
}

export function exitCodeOf(payload: Pick<ErrorPayload, 'type'>): number {
  return payload.type === 'usage' ? 2 : 1;
}

/** What an error says, as the stable JSON shape; errors without a `type` become `usage`, `server_unavailable` or `internal`. */
export function errorPayload(err: unknown): ErrorPayload {
  if (isClipanionUsageError(err)) {
    return { type: 'usage', message: usageSentence(err.message) };
  }
  const type = (err as { type?: unknown } | null)?.type;
  if (err instanceof Error && typeof type === 'string') {
    return { type, message: err.message, ...extraFields(err) };
  }
  if (isConnectionFailure(err)) {
    return {
      type: 'server_unavailable',
      message: `Could not reach the Temporal server (${firstLine(err)}); check that it runs and that TEMPORAL_ADDRESS or connection.address in temporal.yaml names it.`,
    };
  }
  return {
    type: 'internal',
    message: `Unexpected error: ${firstLine(err)}. Run again with TASKFLOW_DEBUG=1 to see where it came from, and report it if it persists.`,
  };
}

function extraFields(err: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const details = (err as { details?: unknown }).details;
  if (details && typeof details === 'object' && !Array.isArray(details)) Object.assign(fields, details);
  for (const [key, value] of Object.entries(err)) {
    if (!NOT_FIELDS.has(key) && value !== undefined) fields[key] = value;
  }
  return fields;
}

/** Errors clipanion raises while parsing: unknown command or option, missing argument, bad value. */
function isClipanionUsageError(err: unknown): err is Error {
  const meta = (err as { clipanion?: { type?: string } } | null)?.clipanion;
  return err instanceof Error && (meta !== undefined || err.name === 'UsageError');
}

/**
 * clipanion's own parse errors span several lines (a headline, candidate commands, the usage line,
 * "While running …"); they become one sentence that keeps what helps.
 */
function usageSentence(message: string): string {
  const lines = message.split('\n').map((line) => line.trim()).filter(Boolean);
  if (lines.length === 1) return lines[0]!;
  const headline = lines[0]!.replace(/[.:]$/, '');
  const running = lines.find((line) => line.startsWith('While running '))?.slice('While running '.length);
  const usageLines = lines.filter((line) => line.startsWith('$ ')).map((line) => line.slice(2));
  if (headline.startsWith('Command not found')) {
    if (usageLines.length === 1) {
      return `"taskflow ${running ?? ''}" does not fit the usage ${usageLines[0]}; run taskflow ${usageLines[0]!.split(' ').slice(1).filter((word) => /^[a-z]/.test(word)).join(' ')} --help for details.`;
    }
    return `Unknown command "taskflow ${running ?? ''}"; run taskflow --help to see the commands.`;
  }
  return usageLines.length === 1 ? `${headline}; usage: ${usageLines[0]}.` : `${headline}; run taskflow --help for usage.`;
}

const CONNECTION_FAILURE =
  /Failed to connect before the deadline|ECONNREFUSED|ENOTFOUND|No connection established|UNAVAILABLE|transport error|failed to connect/i;

function isConnectionFailure(err: unknown): boolean {
  const e = err as { code?: unknown; name?: string; message?: string; cause?: unknown } | null;
  if (!e) return false;
  if (e.code === 14 || e.name === 'TransportError') return true; // 14 = gRPC UNAVAILABLE
  if (CONNECTION_FAILURE.test(e.message ?? '')) return true;
  return e.cause !== undefined && e.cause !== err && isConnectionFailure(e.cause);
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? '').replace(/\.$/, '') || 'no details';
}

// Terminal control characters (including ESC sequences) from user data must not reach a terminal.
const CONTROL = /\u001b\[[0-9;?]*[ -/]*[@-~]|[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function stripControl(text: string): string {
  return text.replace(CONTROL, '');
}
