import { defineSignal, defineUpdate } from '@temporalio/workflow';
import { MESSAGES, type CancelRequest, type WriteResult } from '../model/messages';
import type { FlowRecord } from '../model/records';
import {
  MIRRORED_MESSAGES,
  type DescribeFlowRequest,
  type FailRequest,
  type FinishRequest,
  type MirroredCancelResult,
  type ReportRequest,
  type TaskReportInput,
} from '../model/transitions';

/** Messages only a mirrored flow answers; the record query and `patchState` are shared (./messages). */
export const reportUpdate = defineUpdate<WriteResult<FlowRecord>, [ReportRequest]>(MESSAGES.report);
export const reportSignal = defineSignal<[TaskReportInput]>(MESSAGES.reportSignal);
export const finishUpdate = defineUpdate<WriteResult<FlowRecord>, [FinishRequest]>(MESSAGES.finish);
export const failUpdate = defineUpdate<WriteResult<FlowRecord>, [FailRequest]>(MESSAGES.fail);
export const mirroredCancelUpdate = defineUpdate<MirroredCancelResult, [CancelRequest]>(MESSAGES.cancel);
export const describeFlowUpdate = defineUpdate<WriteResult<FlowRecord>, [DescribeFlowRequest]>(MIRRORED_MESSAGES.describeFlow);
