import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';

/** Tasks of the `reportPublish` example flow: its third task fails until the outbox folder exists. */

export async function gatherFigures(report: string): Promise<{ rows: number }> {
  return { rows: [...report].reduce((sum, c) => sum + c.charCodeAt(0), 0) };
}

export async function renderReport(report: string, figures: { rows: number }): Promise<string> {
  return `Report ${report}: ${figures.rows} rows\n`;
}

/** Writes the report into the outbox folder; fails (without retrying) while that folder does not exist. */
export async function publishReport(report: string, document: string, outbox: string): Promise<string> {
  const folder = path.resolve(outbox);
  if (!fs.existsSync(folder)) {
    throw ApplicationFailure.nonRetryable(`Outbox folder ${folder} does not exist; create it, then run taskflow flow retry.`, 'OutboxMissing');
  }
  const file = path.join(folder, `${report}.txt`);
  fs.writeFileSync(file, document);
  return file;
}

export async function notifyReaders(report: string, location: string): Promise<string> {
  return `Readers of ${report} were told about ${location}`;
}
