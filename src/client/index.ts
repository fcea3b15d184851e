export { FlowClient, type StartOptions, type WriteOptions, type ResumeOptions, type CancelOptions, type FlowList, type FlowPressure } from './flow-client';
export * from './errors';
export type { FlowSnapshot, RecordSource } from './snapshot';
export type { FlowFilter } from './visibility';
export type { ReportOptions, FinishOptions, FailOptions } from './mirrored';
export type { TaskReportInput, MirroredCreateInput, MirroredCancelResult, CancelHookInput, CancelHookResult } from '../model/transitions';
export type { FlowRecord, TaskRecord, FlowStatus, TaskStatus, SyncMode } from '../model/records';
export type { WriteResult } from '../model/messages';
