import type { WriteAck, WriteResult } from '../model/messages';
import type { FlowRecord } from '../model/records';
import type { ChildOutcome } from './children';

/** What `cancel` answers for both modes (spec §9): the write, the sentence of §5, the tasks left running or abandoned. */
export interface CancelResult extends WriteResult<FlowRecord> {
  message: string;
  stillActive: string[];
  abandoned: string[];
  /** The child flows the cancel reached (spec §12), each with the status it ended as (or still has). */
  children: ChildOutcome[];
}

/** The sentence of spec §5. */
export function cancelMessage(flow: Pick<FlowRecord, 'flowId' | 'syncMode' | 'status'>): string {
  return `Cancelled ${flow.flowId} (${flow.syncMode}) with status ${flow.status}.`;
}

export function cancelResult(ack: WriteAck, flow: FlowRecord, stillActive: string[], abandoned: string[], children: ChildOutcome[] = []): CancelResult {
  const { applied, reason } = ack;
  return { applied, ...(reason !== undefined ? { reason } : {}), flow, message: cancelMessage(flow), stillActive, abandoned, children };
}
