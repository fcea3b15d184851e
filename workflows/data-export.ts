import { z } from 'zod';
import { defineFlow } from '../src/flow';
import type * as exportsTasks from '../activities/exports';

/**
 * Long tasks that heartbeat their progress (see `flow show`): one export per table, in parallel.
 * `flow cancel` stops them within about a second, and each task records how it really ended.
 */
export const dataExport = defineFlow({
  name: 'dataExport',
  input: z.object({
    tables: z.array(z.string().min(1)).min(1).max(20),
    rowsPerTable: z.number().int().positive(),
    msPerChunk: z.number().int().min(0).default(500),
  }),
  goal: ({ tables, rowsPerTable }) => `Export ${rowsPerTable} rows from each of ${tables.join(', ')}`,
  lookupKey: ({ tables }) => `export:${tables.join('+')}`,
  async run(flow, { tables, rowsPerTable, msPerChunk }) {
    const { exportRows } = flow.tasks<typeof exportsTasks>({ startToCloseTimeout: '1h' });
    flow.setStep('export');
    const exported = await Promise.all(tables.map((table) => exportRows.with({ name: `export ${table}` })(table, rowsPerTable, msPerChunk)));
    return { tables: exported.length, rows: exported.reduce((sum, e) => sum + e.rows, 0) };
  },
});
