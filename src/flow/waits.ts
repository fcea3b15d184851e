import type { z } from 'zod';
import type { BlockedInfo, FlowStatus } from '../model/records';
import { flowFailure } from './failures';

/** One open wait: a `waitFor` of the flow code, or a task that ended blocked (named after its task id). */
export interface OpenWait {
  name: string;
  kind: 'waiting' | 'blocked';
  /** What the resume data must match; none for a blocked task. */
  schema: z.ZodType | null;
  description: string | null;
  taskId?: string;
  /** Set by the resume that answered this wait. */
  resumed?: { data: unknown };
}

/** What one entry of a record's `wait.waits` holds (and a single wait's `wait`, without `blocked`). */
export interface WaitEntry {
  for: string;
  description: string | null;
  /** Present for a blocked task's wait, which is resumed without data. */
  blocked?: true;
}

/**
 * Every wait open at once, by name: parallel branches may each wait, and each blocked task is a
 * wait of its own, so one resume answers exactly one of them and wakes only its own waiter.
 */
export class OpenWaits {
  private readonly open = new Map<string, OpenWait>();

  get size(): number {
    return this.open.size;
  }

  names(): string[] {
    return [...this.open.keys()];
  }

  add(wait: OpenWait): void {
    if (this.open.has(wait.name)) {
      throw flowFailure('invalid_input', `A wait named ${wait.name} is already open; give each open wait its own name.`);
    }
    this.open.set(wait.name, wait);
  }

  /** Closes this wait (not another one that took its name since). */
  remove(wait: OpenWait): boolean {
    if (this.open.get(wait.name) !== wait) return false;
    this.open.delete(wait.name);
    return true;
  }

  /** The wait a resume answers: the one it names, or the only one open; else `ambiguous_wait` listing them. */
  pick(flowId: string, name: string | undefined): OpenWait {
    const waits = this.names();
    if (name !== undefined) {
      const wait = this.open.get(name);
      if (wait) return wait;
      throw flowFailure('ambiguous_wait', `Flow ${flowId} has no open wait named ${name}; open waits: ${waits.join(', ') || 'none'}.`, { waits });
    }
    if (this.open.size === 1) return this.open.values().next().value!;
    throw flowFailure(
      'ambiguous_wait',
      `Flow ${flowId} has ${waits.length} open waits (${waits.join(', ')}); name the one to resume with --wait <name>.`,
      { waits },
    );
  }

  /**
   * The record fields the open waits decide. One wait keeps the single-wait shape (`wait` for a
   * `waitFor`, only `blocked` for a blocked task); several are listed as `wait: { waits: [...] }`.
   */
  fields(): { status: FlowStatus; wait: unknown; blocked: BlockedInfo | null } {
    const open = [...this.open.values()];
    const firstBlocked = open.find((w) => w.kind === 'blocked');
    const status: FlowStatus = open.length === 0 ? 'running' : firstBlocked ? 'blocked' : 'waiting';
    const blocked = firstBlocked ? { taskId: firstBlocked.taskId ?? firstBlocked.name, summary: firstBlocked.description } : null;
    if (open.length > 1) return { status, wait: { waits: open.map(entryOf) }, blocked };
    const only = open[0];
    return { status, wait: only && only.kind === 'waiting' ? entryOf(only) : null, blocked };
  }
}

function entryOf(wait: OpenWait): WaitEntry {
  return { for: wait.name, description: wait.description, ...(wait.kind === 'blocked' ? { blocked: true as const } : {}) };
}
