export { FlowClient, type StartOptions, type WriteOptions, type CancelOptions, type FlowList, type FlowPressure } from './flow-client';
export * from './errors';
export type { FlowSnapshot, RecordSource } from './snapshot';
export type { FlowFilter } from './visibility';
