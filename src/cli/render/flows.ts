import type { FlowList, FlowPressure, FlowSnapshot } from '../../client';
import type { FlowListEntry, FlowRecord } from '../../model/records';
import { isTerminalFlow } from '../../model/status';
import { openWaitsOf, type OpenWaitEntry } from '../../flow/details';
import type { Rendered } from './output';
import { renderTaskTable } from './tasks';
import { jsonLines, sanitize, table, timeWithAge, type Column } from './text';

/** `A active · W waiting · B blocked · I issues · C cancel-requested · N total` — all six, always (spec §11). */
export function pressureLine(p: FlowPressure): string {
  return [
    `${p.active} active`,
    `${p.waiting} waiting`,
    `${p.blocked} blocked`,
    `${p.issues} issues`,
    `${p.cancelRequested} cancel-requested`,
    `${p.total} total`,
  ].join(' · ');
}

export const tasksCell = (flow: Pick<FlowListEntry, 'taskSummary'>): string => `${flow.taskSummary.active} active/${flow.taskSummary.total} total`;

const FLOW_COLUMNS: Array<Column<FlowListEntry>> = [
  { header: 'FLOW ID', width: 40, value: (f) => f.flowId },
  { header: 'MODE', width: 8, value: (f) => f.syncMode },
  { header: 'STATUS', width: 10, value: (f) => (f.cancelRequestedAt && !isTerminalFlow(f) ? `${f.status}*` : f.status) },
  { header: 'REV', width: 6, value: (f) => f.revision },
  { header: 'TASKS', width: 20, value: tasksCell },
  { header: 'GOAL', width: 60, value: (f) => f.goal },
];

export interface FlowListView {
  list: FlowList;
  /** Counted only for text output: the JSON shape has no pressure line. */
  pressure: FlowPressure | null;
  /** The filters as the user gave them, for the header (`status running,waiting`). */
  filters: string[];
}

export function renderFlowList({ list, pressure, filters }: FlowListView): Rendered {
  const text = pressure ? [pressureLine(pressure)] : [];
  if (filters.length > 0) text.push(`Filters: ${sanitize(filters.join(' · '))}`);
  if (list.flows.length === 0) {
    text.push(
      filters.length > 0
        ? 'No TaskFlows match these filters.'
        : "No TaskFlows found. Start one with taskflow flow start <type> --input '<json>' (or report an external task with taskflow flow report <id> --create …).",
    );
  } else {
    text.push('', ...table(FLOW_COLUMNS, list.flows));
    if (list.flows.some((f) => f.cancelRequestedAt && !isTerminalFlow(f))) text.push('* cancel requested');
    if (list.more) text.push(`Showing ${list.count} of ${list.total} flows; use --limit to see more, or filter with --status, --type or --since.`);
  }
  return { json: list, text, jsonl: list.flows };
}

export interface FlowShowOptions {
  uiLink: string | null;
  now?: number;
}

/** The flow's Web UI page, when a UI is configured. */
export function uiLinkOf(uiUrl: string | null, namespace: string, flowId: string): string | null {
  if (!uiUrl) return null;
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(flowId)}`;
}

function field(label: string, value: string): string {
  return `  ${`${label}:`.padEnd(18)}${value}`;
}

function inlineJson(value: unknown): string {
  return sanitize(JSON.stringify(value));
}

/** What the flow waits for, in one line: the wait's name and the hint the flow gave. */
function waitLine(wait: unknown): string {
  if (wait && typeof wait === 'object' && !Array.isArray(wait)) {
    const { for: name, description, ...rest } = wait as Record<string, unknown>;
    const parts = [name !== undefined ? sanitize(name) : null, description ? sanitize(description) : null].filter(Boolean);
    if (Object.keys(rest).length > 0) parts.push(inlineJson(rest));
    if (parts.length > 0) return parts.join(' — ');
  }
  return inlineJson(wait);
}

/** `taskflow flow resume <id> [--wait NAME] [--data '<json>']`, quoted where the shell needs it. */
function resumeCommand(flowId: string, wait: OpenWaitEntry, named: boolean): string {
  const quote = (text: string) => (/^[\w.:@/-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);
  return sanitize(`taskflow flow resume ${quote(flowId)}${named ? ` --wait ${quote(wait.for)}` : ''}${wait.blocked ? '' : " --data '<json>'"}`);
}

/** One open wait of several: its name, what it expects, and the command that answers it alone. */
function waitWithCommand(flowId: string, wait: OpenWaitEntry): string[] {
  const what = `${sanitize(wait.for)}${wait.blocked ? ' (blocked task)' : ''}${wait.description ? ` — ${sanitize(wait.description)}` : ''}`;
  return [`    ${what}`, `      ${resumeCommand(flowId, wait, true)}`];
}

export function flowShowLines(snapshot: FlowSnapshot, { uiLink, now = Date.now() }: FlowShowOptions): string[] {
  const f = snapshot.flow;
  const lines = [
    `TaskFlow ${sanitize(f.flowId)}`,
    field('type', sanitize(f.flowType)),
    field('mode', f.syncMode),
    field('status', f.status),
    field('revision', String(f.revision)),
    field('lookup key', f.lookupKey === null ? 'none' : sanitize(f.lookupKey)),
    field('goal', sanitize(f.goal)),
    field('step', f.currentStep === null ? 'n/a' : sanitize(f.currentStep)),
    field('created', timeWithAge(f.createdAt, now)),
    field('updated', timeWithAge(f.updatedAt, now)),
    field('ended', timeWithAge(f.endedAt, now)),
  ];
  // How the Temporal execution closed (completed, failed, cancelled, terminated, timed out).
  if (snapshot.executionStatus !== 'RUNNING') lines.push(field('execution', snapshot.executionStatus.toLowerCase().replace('_', ' ')));
  const waits = f.syncMode === 'managed' ? openWaitsOf(f) : [];
  if (waits.length > 1) lines.push(field('open waits', waits.map((w) => sanitize(w.for)).join(', ')), ...waits.flatMap((w) => waitWithCommand(f.flowId, w)));
  else {
    if (f.wait !== null) lines.push(field('waiting for', waitLine(f.wait)));
    if (f.blocked !== null) {
      const by = f.blocked.taskId ? `task ${sanitize(f.blocked.taskId)}` : 'a task';
      lines.push(field('blocked', `by ${by}${f.blocked.summary ? `: ${sanitize(f.blocked.summary)}` : ''}`));
    }
    if (waits.length === 1) lines.push(field('resume with', resumeCommand(f.flowId, waits[0]!, false)));
  }
  if (f.cancelRequestedAt !== null) {
    lines.push(field('cancel requested', `${timeWithAge(f.cancelRequestedAt, now)}${f.cancelReason ? ` — ${sanitize(f.cancelReason)}` : ''}`));
  }
  if (f.retriedFrom !== null) {
    lines.push(field('retried from', `run ${sanitize(f.retriedFrom.runId)}${f.retriedFrom.reason ? ` — ${sanitize(f.retriedFrom.reason)}` : ''}`));
  }
  if (f.error !== null) lines.push(field('error', sanitize(f.error)));
  if (f.result !== null) lines.push(field('result', inlineJson(f.result)));
  if (snapshot.source === 'start') lines.push('State: set once a worker picks the flow up');
  else lines.push(f.state === null ? 'State: none' : 'State:', ...(f.state === null ? [] : jsonLines(f.state)));
  const s = f.taskSummary;
  lines.push(`Tasks: ${s.total} total · ${s.active} active · ${s.failures} issues`);
  if (f.tasks.length > 0) lines.push(...renderTaskTable(f.tasks, { now, withFlow: false }).map((l) => `  ${l}`));
  for (const [taskId, late] of Object.entries(snapshot.lateHeartbeats ?? {})) {
    lines.push(
      `Late heartbeat: ${sanitize(taskId)} last heard from ${Math.round(late.silentForMs / 1000)} s ago; its worker may be gone, or its code blocks the event loop.`,
    );
  }
  if (uiLink) lines.push(`Web UI: ${uiLink}`);
  if (snapshot.source === 'start') lines.push('Note: no worker has picked this flow up yet; start one with taskflow worker.');
  return lines;
}

export function renderFlowShow(snapshot: FlowSnapshot, options: FlowShowOptions): Rendered {
  return { json: snapshot.flow, text: flowShowLines(snapshot, options) };
}

/** One line per change when `--watch` does not draw on a terminal. */
export function watchLine(flow: FlowRecord, now = Date.now()): string {
  const parts = [
    new Date(now).toISOString(),
    sanitize(flow.flowId),
    flow.status,
    `rev ${flow.revision}`,
    `step ${flow.currentStep === null ? 'n/a' : sanitize(flow.currentStep)}`,
    `tasks ${tasksCell(flow)}`,
  ];
  const running = flow.tasks.find((t) => t.status === 'running' && t.progressSummary);
  if (running) parts.push(`${sanitize(running.taskId)}: ${sanitize(running.progressSummary)}`);
  if (flow.cancelRequestedAt && !isTerminalFlow(flow)) parts.push('cancel requested');
  if (flow.error) parts.push(`error: ${sanitize(flow.error)}`);
  return parts.join(' · ');
}
