import { parseDuration } from '../config/duration';

/** One task's lease: it is marked lost when no report for it arrives by `deadline` (epoch ms, workflow time). */
export interface Lease {
  taskId: string;
  /** As the producer wrote it, e.g. "10m"; it names the lease in the task's terminal summary. */
  lease: string;
  deadline: number;
}

/**
 * The leases of a flow's active tasks; the flow arms one durable timer for the earliest deadline.
 * Deadlines sit in a min-heap (a renewed lease leaves its old entry behind, skipped when it comes
 * up), so a report that renews a lease costs the same however many tasks hold one.
 */
export class LeaseBook {
  private readonly leases = new Map<string, Lease>();
  private heap: Lease[] = [];

  constructor(carried: readonly Lease[] = []) {
    for (const lease of carried) this.set(lease);
  }

  /** Counts the task's lease again from `now`, with `lease` when the report names one, else the one it had. */
  renew(taskId: string, lease: string | undefined, now: number): Lease | undefined {
    const duration = lease ?? this.leases.get(taskId)?.lease;
    if (duration === undefined) return undefined;
    const renewed = { taskId, lease: duration, deadline: now + parseDuration(duration) };
    this.set(renewed);
    return renewed;
  }

  drop(taskId: string): void {
    this.leases.delete(taskId);
  }

  /** Removes and returns the leases that ran out by `now`. */
  takeExpired(now: number): Lease[] {
    const expired: Lease[] = [];
    for (let top = this.peek(); top && top.deadline <= now; top = this.peek()) {
      this.pop();
      this.leases.delete(top.taskId);
      expired.push(top);
    }
    return expired;
  }

  nextDeadline(): number | undefined {
    return this.peek()?.deadline;
  }

  toArray(): Lease[] {
    return [...this.leases.values()];
  }

  private set(lease: Lease): void {
    this.leases.set(lease.taskId, lease);
    this.push(lease);
    // Entries of renewed or dropped leases pile up between expiries: rebuild when they outnumber live ones.
    if (this.heap.length > 2 * this.leases.size + 64) {
      this.heap = [];
      for (const live of this.leases.values()) this.push(live);
    }
  }

  /** The earliest live lease, dropping entries that a renewal or a drop made stale. */
  private peek(): Lease | undefined {
    while (this.heap.length > 0 && this.leases.get(this.heap[0]!.taskId) !== this.heap[0]) this.pop();
    return this.heap[0];
  }

  private push(lease: Lease): void {
    const heap = this.heap;
    heap.push(lease);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.deadline <= heap[i]!.deadline) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && heap[left]!.deadline < heap[least]!.deadline) least = left;
      if (right < heap.length && heap[right]!.deadline < heap[least]!.deadline) least = right;
      if (least === i) return;
      [heap[least], heap[i]] = [heap[i]!, heap[least]!];
      i = least;
    }
  }
}
