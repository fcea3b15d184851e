import type { ChildFlowNode, ChildOutcome } from '../../client';
import { sanitize } from './text';

/**
 * A flow's child flows as a tree under its task table (`flow show`, spec §12): each child's id,
 * status, task counts and goal; deeper levels indented beneath their parent.
 */
export function childTreeLines(children: readonly ChildFlowNode[], depth: number): string[] {
  if (children.length === 0) return [];
  const counts = new Map<string, number>();
  for (const child of children) counts.set(child.status, (counts.get(child.status) ?? 0) + 1);
  const summary = [...counts].map(([status, n]) => `${n} ${status}`).join(' · ');
  const levels = depth > 1 ? ` (${depth} levels)` : '';
  return [`Child flows: ${children.length} · ${summary}${levels}`, ...branchLines(children, '  ')];
}

function branchLines(children: readonly ChildFlowNode[], indent: string): string[] {
  return children.flatMap((child, i) => {
    const last = i === children.length - 1;
    const lines = [`${indent}${last ? '└─' : '├─'} ${nodeLine(child)}`];
    if (child.children?.length) lines.push(...branchLines(child.children, `${indent}${last ? '   ' : '│  '}`));
    return lines;
  });
}

/** `release-1/buildPackage-2  failed  tasks 0 active/4 total · 1 issue  Build web@1.0.0`. */
function nodeLine(child: ChildFlowNode): string {
  const s = child.taskSummary;
  const tasks = s === null ? 'not started' : `tasks ${s.active} active/${s.total} total · ${s.failures} ${s.failures === 1 ? 'issue' : 'issues'}`;
  return `${sanitize(child.flowId)}  ${child.status}  ${tasks}  ${sanitize(child.goal)}`;
}

/** One line per child a cancel reached: what it ended as. */
export function cancelledChildLines(children: readonly ChildOutcome[]): string[] {
  return children.map((child) => `Child flow ${sanitize(child.flowId)}: ${child.status}.`);
}
