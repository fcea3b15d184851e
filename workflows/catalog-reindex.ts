import { z } from 'zod';
import { defineFlow } from '../src/flow';
import type * as catalog from '../activities/catalog';

/**
 * A long flow: reindexes a catalog page by page, many tasks per page. Its state holds the cursor,
 * so `flow.checkpoint()` can continue-as-new between pages without losing its place.
 */
export const catalogReindex = defineFlow({
  name: 'catalogReindex',
  input: z.object({ catalog: z.string().min(1), items: z.number().int().positive(), pageSize: z.number().int().min(1).max(1000).default(100) }),
  state: z.object({ nextItem: z.number().int().min(0), reindexed: z.number().int().min(0) }),
  initialState: () => ({ nextItem: 0, reindexed: 0 }),
  goal: ({ catalog, items }) => `Reindex ${items} items of ${catalog}`,
  lookupKey: ({ catalog }) => `reindex:${catalog}`,
  async run(flow, { catalog: name, items, pageSize }) {
    const { reindexItem } = flow.tasks<typeof catalog>({ startToCloseTimeout: '1m' });
    while (flow.state.nextItem < items) {
      const first = flow.state.nextItem;
      const last = Math.min(first + pageSize, items);
      flow.setStep(`items ${first + 1}–${last}`);
      const page = Array.from({ length: last - first }, (_, i) => first + i);
      // A bounded fan-out: at most 25 items in flight, however large the page.
      await flow.map(page, (item) => reindexItem(name, item), { concurrency: 25 });
      flow.patchState({ nextItem: last, reindexed: flow.state.reindexed + page.length });
      await flow.checkpoint();
    }
    return { reindexed: flow.state.reindexed };
  },
});
