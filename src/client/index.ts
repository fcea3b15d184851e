export {
  FlowClient,
  type StartOptions,
  type WriteOptions,
  type ResumeOptions,
  type CancelOptions,
  type CancelResult,
  type FlowList,
  type FlowPressure,
  type ListOptions,
  type ReportAck,
  type RetryOptions,
  type ShowOptions,
} from './flow-client';
export * from './errors';
export type { FlowSnapshot, RecordSource } from './snapshot';
export type { FlowFilter } from './visibility';
export type { ChildFlowNode, ChildOutcome } from './children';
export type { BulkCancelOptions, BulkCancelOutcome, BulkCancelResult } from './bulk-cancel';
export type { FlowListUpdate, WatchListOptions } from './watch-list';
export type { ReportOptions, FinishOptions, FailOptions } from './mirrored';
export type { TaskReportInput, MirroredCreateInput, CancelHookInput, CancelHookResult } from '../model/transitions';
export type { FlowRecord, FlowListEntry, TaskRecord, FlowStatus, TaskStatus, SyncMode } from '../model/records';
export type { WriteResult, WriteAck } from '../model/messages';
export { loadConfig, parseConfig, type TaskFlowConfig, type LoadedConfig, type LoadConfigOptions } from '../config';
