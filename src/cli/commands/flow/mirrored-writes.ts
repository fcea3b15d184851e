import type { FlowClient, WriteOptions } from '../../../client';
import type { FlowRecord, TaskStatus, TerminalOutcome } from '../../../model/records';
import type { WriteOutcome } from '../../render/writes';

/** One external task update, as `flow report` sends it (spec §10); an absent field keeps the task's value. */
export interface TaskReport {
  taskId: string;
  status: TaskStatus;
  externalId?: string;
  kind?: string;
  name?: string;
  summary?: string;
  terminalOutcome?: TerminalOutcome;
  error?: string;
  eventId?: string;
  occurredAt?: string;
  lease?: string;
}

export interface ReportCreate {
  lookupKey?: string;
  goal?: string;
  autoComplete?: boolean;
}

/** The mirrored-flow writes of FlowClient (report, finish, fail), as the CLI calls them. */
export interface MirroredWrites {
  report(lookupOrId: string, report: TaskReport, options: WriteOptions & { create?: ReportCreate }): Promise<WriteOutcome>;
  finish(lookup: string, options: WriteOptions & { result?: unknown }): Promise<WriteOutcome>;
  fail(lookup: string, options: WriteOptions & { error: string }): Promise<WriteOutcome>;
}

export function mirroredWrites(client: FlowClient): MirroredWrites {
  return client as unknown as MirroredWrites;
}

export type { FlowRecord };
