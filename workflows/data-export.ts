import { z } from 'zod';
import { defineFlow } from '../src/flow';
import type * as exportsTasks from '../activities/exports';

/** One long task that heartbeats its progress (see `flow show`) and stops promptly on `flow cancel`. */
export const dataExport = defineFlow({
  name: 'dataExport',
  input: z.object({ table: z.string().min(1), rows: z.number().int().positive(), msPerChunk: z.number().int().min(0).default(500) }),
  goal: ({ table, rows }) => `Export ${rows} rows of ${table}`,
  lookupKey: ({ table }) => `export:${table}`,
  async run(flow, { table, rows, msPerChunk }) {
    const { exportRows } = flow.tasks<typeof exportsTasks>({ startToCloseTimeout: '1h', heartbeatTimeout: '10s' });
    flow.setStep('export');
    return exportRows(table, rows, msPerChunk);
  },
});
