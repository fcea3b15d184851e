import { Context } from '@temporalio/activity';
import { progress } from '../src/task';

/** Tasks of the `dataExport` example flow. */

/** Exports rows in chunks, heartbeating progress; a cancelled flow stops it at the next heartbeat. */
export async function exportRows(table: string, rows: number, msPerChunk: number): Promise<{ table: string; rows: number }> {
  const chunk = 1000;
  for (let done = 0; done < rows; done += chunk) {
    progress(`${done}/${rows} rows of ${table}`, { done });
    await Context.current().sleep(msPerChunk);
  }
  return { table, rows };
}
