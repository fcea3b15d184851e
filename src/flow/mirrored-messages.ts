import { defineSignal, defineUpdate } from '@temporalio/workflow';
import { MESSAGES, type CancelRequest, type WriteAck } from '../model/messages';
import {
  MIRRORED_MESSAGES,
  type DescribeFlowRequest,
  type FailRequest,
  type FinishRequest,
  type MirroredCancelAck,
  type ReportRequest,
  type TaskReportInput,
} from '../model/transitions';

/** Messages only a mirrored flow answers; the record query and `patchState` are shared (./messages). */
export const reportUpdate = defineUpdate<WriteAck, [ReportRequest]>(MESSAGES.report);
export const reportSignal = defineSignal<[TaskReportInput]>(MESSAGES.reportSignal);
export const finishUpdate = defineUpdate<WriteAck, [FinishRequest]>(MESSAGES.finish);
export const failUpdate = defineUpdate<WriteAck, [FailRequest]>(MESSAGES.fail);
export const mirroredCancelUpdate = defineUpdate<MirroredCancelAck, [CancelRequest]>(MESSAGES.cancel);
export const describeFlowUpdate = defineUpdate<WriteAck, [DescribeFlowRequest]>(MIRRORED_MESSAGES.describeFlow);
