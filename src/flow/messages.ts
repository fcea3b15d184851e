import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { MESSAGES, type CancelRequest, type PackedRecord, type PatchStateRequest, type RecordPage, type RecordPageRequest, type ResumeRequest, type RetriedSignal, type WriteAck } from '../model/messages';
import type { FlowRecord } from '../model/records';

export const recordQuery = defineQuery<RecordPage<FlowRecord> | PackedRecord, [RecordPageRequest?]>(MESSAGES.record);
export const resumeUpdate = defineUpdate<WriteAck, [ResumeRequest]>(MESSAGES.resume);
export const patchStateUpdate = defineUpdate<WriteAck, [PatchStateRequest]>(MESSAGES.patchState);
export const cancelUpdate = defineUpdate<WriteAck, [CancelRequest]>(MESSAGES.cancel);
export const retriedSignal = defineSignal<[RetriedSignal]>(MESSAGES.retried);
