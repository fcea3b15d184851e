/**
 * Terminal-safe text: user data (goals, summaries, errors, state) may carry escape sequences that
 * would move the cursor, recolour or retitle the user's terminal. Text output shows them inert;
 * JSON output keeps the raw values.
 */

// CSI (ESC [ … final), OSC (ESC ] … BEL|ST), DCS/SOS/PM/APC strings, two-byte ESC sequences, and
// their 8-bit C1 forms (0x9b CSI, 0x9d OSC, 0x90/0x98/0x9e/0x9f strings).
const ESCAPE_SEQUENCES = new RegExp(
  [
    '(?:\\u001b\\[|\\u009b)[0-?]*[ -/]*[@-~]?',
    '(?:\\u001b[\\]PX^_]|[\\u009d\\u0090\\u0098\\u009e\\u009f])[^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?',
    '\\u001b[ -/]*[0-~]?',
  ].join('|'),
  'g',
);
// What is left of C0 (but newline, carriage return and tab, shown below), DEL and C1.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** One line of user data made inert: escape sequences and control characters removed, line breaks shown as `\n`. */
export function sanitize(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : String(value);
  return text
    .replace(ESCAPE_SEQUENCES, '')
    .replace(CONTROL_CHARACTERS, '')
    .replace(/\r\n|\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, ' ');
}

/** Cuts `text` to `width` characters (code points), ending a cut text with `…`. */
export function truncate(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  if (width <= 0) return '';
  return `${chars.slice(0, width - 1).join('')}…`;
}

function pad(text: string, width: number): string {
  const length = Array.from(text).length;
  return length >= width ? text : text + ' '.repeat(width - length);
}

/** A table cell: sanitised user data cut to the column width. */
export function cell(value: unknown, width: number): string {
  return truncate(sanitize(value), width);
}

export interface Column<Row> {
  header: string;
  /** The widest the column may grow; the last column is cut here too. */
  width: number;
  value(row: Row): unknown;
}

/**
 * A table whose columns are as wide as their widest cell (up to the column width), two spaces
 * apart; every cell sanitised and cut, so a row is always one terminal line.
 */
export function table<Row>(columns: Array<Column<Row>>, rows: readonly Row[]): string[] {
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row), column.width)));
  const widths = columns.map((column, i) =>
    Math.min(column.width, Math.max(Array.from(column.header).length, ...cells.map((r) => Array.from(r[i]!).length))),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : pad(v, widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => truncate(c.header, c.width))), ...cells.map(line)];
}

/** How long ago `iso` was, for people: `just now`, `42s`, `5m`, `3h 12m`, `2d 4h` (future times the same, prefixed `in`). */
export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'n/a';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return 'n/a';
  const ms = now - at;
  const span = duration(Math.abs(ms));
  if (span === null) return 'just now';
  return ms >= 0 ? `${span} ago` : `in ${span}`;
}

/** A duration for people: `42s`, `5m`, `3h 12m`, `2d 4h`; null under a second. */
export function duration(ms: number): string | null {
  const s = Math.floor(ms / 1000);
  if (s < 1) return null;
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** An ISO time with how long ago it was: `2026-01-02T03:04:05.000Z (5m ago)`. */
export function timeWithAge(iso: string | null | undefined, now = Date.now()): string {
  return iso ? `${sanitize(iso)} (${age(iso, now)})` : 'n/a';
}

/**
 * A JSON value shown as indented lines, each sanitised: JSON.stringify escapes C0 characters but
 * not DEL or C1 ones, nor does it know that `\u001b` should not come back as an escape.
 */
export function jsonLines(value: unknown, indent = '  '): string[] {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  return text.split('\n').map((line) => indent + sanitize(line));
}

/** Joins counts as people read them: `2 running, 1 queued`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
