import type { FlowRecord, SyncMode, TaskRecord } from '../model/records';
import { isTerminalFlow } from '../model/status';

/** Active tasks listed by name; the rest are only counted. */
const LISTED_TASKS = 5;
/** Task statuses that make a flow fail: a failed flow names its tasks in these. */
const FAILING: readonly TaskRecord['status'][] = ['failed', 'timed_out', 'lost'];

/**
 * The Web UI's "current details" for a flow, in Markdown: where it stands, what it waits for and
 * how to move it on. The UI keeps line breaks, so lines are joined by single newlines to stay
 * compact; everything that comes from flow code or users is escaped, so it shows as written.
 */
export function describeForUi(record: FlowRecord, activeTasks?: readonly TaskRecord[], childTasks: readonly TaskRecord[] = []): string {
  const lines = [`**${record.status}** · revision ${record.revision} · ${record.syncMode} flow`];
  if (record.currentStep) lines.push(`Step: ${plain(record.currentStep)}`);
  const waits = openWaitsOf(record);
  if (record.syncMode === 'managed' && waits.length > 1) {
    // Several open waits: each with the command that answers it alone.
    lines.push(`Open waits: ${waits.length}`);
    for (const wait of waits) {
      const options = resumeOptions(wait, true);
      const hint = options === null ? undefined : commandHint('resume with', 'resume', record.flowId, options)[0];
      lines.push(`- ${waitText(wait)}${wait.blocked ? ' (blocked task)' : ''}${hint ? ` · ${hint}` : ''}`);
    }
  } else if (record.wait) {
    lines.push(`Waiting for: ${waitText(record.wait)}`);
    const data = ` --data '${exampleData(record.wait) ?? '<json>'}'`;
    const hint =
      record.syncMode === 'managed'
        ? commandHint('Resume', 'resume', record.flowId, data)
        : commandHint('Once no more tasks will come, end it', 'finish', record.flowId);
    lines.push(...hint);
  }
  if (record.blocked && waits.length <= 1) {
    const by = record.blocked.taskId ? `task ${plain(record.blocked.taskId)}` : 'a task';
    lines.push(`Blocked by ${by}: ${plain(record.blocked.summary ?? 'needs follow-up')}`);
    if (record.syncMode === 'managed' && !record.endedAt) lines.push(...commandHint('Resume', 'resume', record.flowId));
  }
  if (record.cancelRequestedAt) {
    const stopping = isTerminalFlow(record) ? '' : ` (waiting for ${count(record.taskSummary.active, 'active task')} to stop)`;
    lines.push(`**Cancel requested** ${when(record.cancelRequestedAt)}${record.cancelReason ? ` — ${plain(record.cancelReason)}` : ''}${stopping}`);
  }
  if (record.error) lines.push(`Error: ${plain(record.error, 300)}`);
  if (record.status === 'failed') {
    const failing = record.tasks.filter((t) => FAILING.includes(t.status));
    for (const task of failing.slice(0, LISTED_TASKS)) {
      lines.push(`Failed task: ${taskLine(task)}${task.error ? ` — ${plain(task.error)}` : ''}`);
    }
    if (failing.length > LISTED_TASKS) lines.push(`… and ${failing.length - LISTED_TASKS} more failed tasks`);
  }
  if (record.retriedFrom) {
    const why = record.retriedFrom.reason ? ` — ${plain(record.retriedFrom.reason)}` : '';
    lines.push(`Retried from run ${code(record.retriedFrom.runId)}${why}`);
  }
  if (record.endedAt) lines.push(`Ended ${when(record.endedAt)}`);

  const s = record.taskSummary;
  const tasks = [`Tasks: ${s.total} total · ${s.active} active · ${count(s.failures, 'issue')}`];
  // The caller may pass the first few active tasks, so the details cost the same at any flow size.
  const active = activeTasks ?? record.tasks.filter((t) => t.status === 'queued' || t.status === 'running');
  for (const task of active.slice(0, LISTED_TASKS)) tasks.push(`- ${taskLine(task)}`);
  if (s.active > LISTED_TASKS) tasks.push(`- … and ${s.active - LISTED_TASKS} more`);
  const children = childTasks.length > 0 ? `\n\n${childLines(childTasks).join('\n')}` : '';
  return `${lines.join('\n')}\n\n${tasks.join('\n')}${children}`;
}

/** Child flows listed by name in the current details; the rest are counted. */
const LISTED_CHILDREN = 10;

/** `Child flows: 3 · 1 running · 1 succeeded · 1 failed`, then one line per child: its id and status. */
function childLines(children: readonly TaskRecord[]): string[] {
  const byStatus = new Map<string, number>();
  for (const child of children) byStatus.set(child.status, (byStatus.get(child.status) ?? 0) + 1);
  const counts = [...byStatus].map(([status, n]) => `${n} ${status}`).join(' · ');
  const lines = [`Child flows: ${children.length} · ${counts}`];
  for (const child of children.slice(0, LISTED_CHILDREN)) {
    const outcome = child.terminalOutcome === 'blocked' ? 'blocked' : child.status;
    lines.push(`- ${code(child.childFlowId ?? child.taskId)} · ${plain(child.kind)} · ${outcome}`);
  }
  if (children.length > LISTED_CHILDREN) lines.push(`- … and ${children.length - LISTED_CHILDREN} more`);
  return lines;
}

export interface StartDetails {
  syncMode: SyncMode;
  flowType: string;
  lookupKey: string | null;
  /** Managed: the input as the caller sent it, shown shortened. */
  input?: unknown;
  /** Mirrored: how the flow was created. */
  autoComplete?: boolean;
  cancelHook?: string | null;
  /** A child flow's parent (spec §12). */
  parentFlowId?: string | null;
}

/** The Web UI's static "details" of a flow, set when it starts: what kind of flow it is and how to find it. */
export function describeStartForUi(start: StartDetails): string {
  const mirrored = start.syncMode === 'mirrored';
  const lines = [`**TaskFlow** ${start.syncMode} flow ${code(start.flowType)}${mirrored ? ': records tasks another system runs; it never creates them.' : ''}`];
  lines.push(`Lookup key: ${start.lookupKey ? code(start.lookupKey) : 'none'}`);
  if (start.parentFlowId) lines.push(`Child flow of ${code(start.parentFlowId)}`);
  if (start.input !== undefined) lines.push(`Input: ${code(shorten(JSON.stringify(start.input) ?? 'null', 400))}`);
  if (mirrored) lines.push(`Auto-complete: ${start.autoComplete === false ? 'off' : 'on'} · Cancel hook: ${start.cancelHook ? code(start.cancelHook) : 'none'}`);
  return lines.join('\n');
}

/** One open wait of a flow, as `openWaitsOf` lists it. */
export interface OpenWaitEntry {
  for: string;
  description: string | null;
  /** A blocked task's wait: resumed without data. */
  blocked?: boolean;
}

/**
 * Every wait open on a flow, from its record: the `wait.waits` list when several are open, else
 * the single `wait` (`{for, description}`), else the blocked task's wait (named after its task id).
 */
export function openWaitsOf(record: Pick<FlowRecord, 'wait' | 'blocked' | 'endedAt'>): OpenWaitEntry[] {
  if (record.endedAt) return [];
  const wait = record.wait as { waits?: unknown; for?: unknown; description?: unknown } | null;
  if (wait && typeof wait === 'object' && Array.isArray(wait.waits)) {
    return (wait.waits as Array<Record<string, unknown>>).map((w) => ({
      for: String(w.for),
      description: typeof w.description === 'string' ? w.description : null,
      ...(w.blocked ? { blocked: true } : {}),
    }));
  }
  if (wait && typeof wait === 'object' && 'for' in wait) {
    return [{ for: String(wait.for), description: typeof wait.description === 'string' ? wait.description : null }];
  }
  if (record.blocked) return [{ for: record.blocked.taskId ?? 'blocked', description: record.blocked.summary, blocked: true }];
  return [];
}

/**
 * The options of the `flow resume` command that answers this wait (` --wait NAME --data '<json>'`);
 * null for a name that would need quoting, so no hint is a command that does not work as shown.
 */
export function resumeOptions(wait: OpenWaitEntry, named: boolean): string | null {
  if (named && !/^[\w.:@/-]+$/.test(wait.for)) return null;
  return `${named ? ` --wait ${wait.for}` : ''}${wait.blocked ? '' : " --data '<json>'"}`;
}

/** The name of what a flow waits for (`approval`, `reports`). */
export function waitLabel(wait: unknown): string {
  if (wait && typeof wait === 'object' && 'for' in wait) return String((wait as { for: unknown }).for);
  return JSON.stringify(wait);
}

/** `approval — Send {…}`: the wait's name and the hint the flow gave; its JSON as code, so it copies as typed. */
function waitText(wait: unknown): string {
  const description = waitDescription(wait);
  if (!description) return plain(waitLabel(wait));
  const json = jsonIn(description);
  if (!json) return `${plain(waitLabel(wait))} — ${plain(description)}`;
  const hint = [json.before && plain(json.before), code(json.text), json.after && plain(json.after)].filter(Boolean).join(' ');
  return `${plain(waitLabel(wait))} — ${hint}`;
}

function waitDescription(wait: unknown): string | null {
  const description = wait && typeof wait === 'object' ? (wait as { description?: unknown }).description : null;
  return typeof description === 'string' && description ? description : null;
}

/** The hint's JSON object, when it is valid JSON that fits in single quotes: the resume command's example data. */
function exampleData(wait: unknown): string | null {
  const json = jsonIn(waitDescription(wait) ?? '');
  return json?.valid && !/['\r\n]/.test(json.text) ? json.text : null;
}

/** The `{…}` in a hint (first `{` to last `}`), the text around it, and whether it parses as JSON. */
function jsonIn(text: string): { before: string; text: string; after: string; valid: boolean } | null {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return null;
  const json = text.slice(start, end + 1);
  let valid = true;
  try {
    JSON.parse(json);
  } catch {
    valid = false;
  }
  return { before: text.slice(0, start).trim(), text: json, after: text.slice(end + 1).trim(), valid };
}

function taskLine(task: TaskRecord): string {
  const name = task.name === task.taskId ? plain(task.name) : `${plain(task.name)} (${plain(task.taskId)})`;
  const kind = task.kind && task.kind !== task.name ? ` · ${plain(task.kind)}` : '';
  const attempt = task.attempt > 1 ? ` · attempt ${task.attempt}` : '';
  const progress = task.progressSummary ? `: ${plain(task.progressSummary)}` : '';
  return `${name}${kind} · ${task.status}${attempt}${progress}`;
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** One line of user text, shortened, with Markdown and HTML characters escaped. */
function plain(text: string, max = 200): string {
  return shorten(text.replace(/\s+/g, ' ').trim(), max).replace(/[\\`*_{}[\]()<>#+|~!&]/g, (c) => `\\${c}`).replace(/^(\d+)([.)])/, '$1\\$2').replace(/^-/, '\\-');
}

/** A code span that holds any text: its fence is longer than every run of backticks inside. */
function code(text: string): string {
  const line = text.replace(/[\r\n]+/g, ' ');
  const fence = '`'.repeat(Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = line.startsWith('`') || line.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}

/** A `taskflow flow <verb> <id>` command in a code span to copy; none for an id that would need quoting. */
function commandHint(action: string, verb: string, flowId: string, options = ''): string[] {
  return /[\s`'"\\$;&|<>]/.test(flowId) ? [] : [`${action} with \`taskflow flow ${verb} ${flowId}${options}\``];
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `2026-05-04 10:11:12 UTC`: an ISO time without the noise. */
function when(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : plain(iso);
}
