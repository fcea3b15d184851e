import { MAX_PENDING_TASKS } from '../model/limits';

export interface MapOptions {
  /** How many items run at once (default 100, at most 500). */
  concurrency?: number;
}

const DEFAULT_CONCURRENCY = 100;

/**
 * Runs `fn` over every item with at most `concurrency` in flight and returns the results in item
 * order. The first failure stops new items from starting and is thrown once the running ones end
 * (as `Promise.all` would throw it).
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>, options: MapOptions = {}): Promise<R[]> {
  const limit = Math.max(1, Math.min(Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY), MAX_PENDING_TASKS));
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const lanes = Array.from({ length: Math.min(limit, items.length) }, lane);
  const settled = await Promise.allSettled(lanes);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  return results;
}
