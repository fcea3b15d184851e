import { parseDuration } from '../config/duration';

/** One task's lease: it is marked lost when no report for it arrives by `deadline` (epoch ms, workflow time). */
export interface Lease {
  taskId: string;
  /** As the producer wrote it, e.g. "10m"; it names the lease in the task's terminal summary. */
  lease: string;
  deadline: number;
}

/** The leases of a flow's active tasks; the flow arms one durable timer for the earliest deadline. */
export class LeaseBook {
  private readonly leases = new Map<string, Lease>();

  constructor(carried: readonly Lease[] = []) {
    for (const lease of carried) this.leases.set(lease.taskId, lease);
  }

  /** Counts the task's lease again from `now`, with `lease` when the report names one, else the one it had. */
  renew(taskId: string, lease: string | undefined, now: number): void {
    const duration = lease ?? this.leases.get(taskId)?.lease;
    if (duration === undefined) return;
    this.leases.set(taskId, { taskId, lease: duration, deadline: now + parseDuration(duration) });
  }

  drop(taskId: string): void {
    this.leases.delete(taskId);
  }

  /** Removes and returns the leases that ran out by `now`. */
  takeExpired(now: number): Lease[] {
    const expired = [...this.leases.values()].filter((l) => l.deadline <= now);
    for (const lease of expired) this.leases.delete(lease.taskId);
    return expired;
  }

  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const { deadline } of this.leases.values()) if (next === undefined || deadline < next) next = deadline;
    return next;
  }

  toArray(): Lease[] {
    return [...this.leases.values()];
  }
}
