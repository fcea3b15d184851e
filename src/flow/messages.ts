import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { MESSAGES, type CancelRequest, type PatchStateRequest, type ResumeRequest, type WriteResult } from '../model/messages';
import type { FlowRecord } from '../model/records';

export const recordQuery = defineQuery<FlowRecord>(MESSAGES.record);
export const resumeUpdate = defineUpdate<WriteResult<FlowRecord>, [ResumeRequest]>(MESSAGES.resume);
export const patchStateUpdate = defineUpdate<WriteResult<FlowRecord>, [PatchStateRequest]>(MESSAGES.patchState);
export const cancelUpdate = defineUpdate<WriteResult<FlowRecord>, [CancelRequest]>(MESSAGES.cancel);
