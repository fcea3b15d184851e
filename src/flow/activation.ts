import { CancellationScope, condition } from '@temporalio/workflow';

/**
 * Microtask hops a hook waits after the conditions woke: enough for flow code woken in the same
 * round (a resumed wait, an ended task) to make its next changes first, so they publish together.
 */
const SETTLE_HOPS = 16;

/**
 * Runs a hook late in the current workflow activation, after the code it woke has made its
 * changes, so a burst of record changes reaches Temporal as one search-attribute and one memo
 * upsert. Public APIs only: a condition that is already true resolves when the SDK next unblocks
 * conditions, and the SDK drains every microtask before it concludes the activation, so the
 * hook's commands land in this activation (test/flow/publish.test.ts fails if that changes).
 */
export function atActivationEnd(hook: () => void): void {
  // Not cancellable: a publish scheduled from a cancelled scope must still happen.
  void CancellationScope.nonCancellable(() => condition(() => true)).then(async () => {
    for (let hop = 0; hop < SETTLE_HOPS; hop++) await Promise.resolve();
    hook();
  });
}
