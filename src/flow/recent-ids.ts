/**
 * A bounded window of ids already seen (event ids, update ids), each with what it was answered,
 * oldest forgotten first. Carried across continue-as-new as plain entries, so a retried write
 * stays a duplicate in the next run.
 */
export class RecentIds<V = true> {
  private readonly seen: Map<string, V>;

  constructor(
    private readonly capacity: number,
    carried: ReadonlyArray<readonly [string, V]> = [],
  ) {
    this.seen = new Map(carried.slice(-capacity).map(([id, value]) => [id, value]));
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }

  get(id: string): V | undefined {
    return this.seen.get(id);
  }

  add(id: string, value: V): void {
    if (this.seen.has(id)) return;
    this.seen.set(id, value);
    // A Map iterates in insertion order, so the first key is the oldest.
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
  }

  ids(): string[] {
    return [...this.seen.keys()];
  }

  entries(): Array<[string, V]> {
    return [...this.seen.entries()];
  }
}
