/** The library flows are written with. Deterministic workflow-side code only. */
export { defineFlow, type FlowDefinition, type FlowWorkflow, type FlowInput, type FlowResult } from './define';
export { defineWait, type FlowContext, type WaitDefinition, type WaitOptions } from './context';
export type { TaskOptions, FlowTasks, TaskFunction } from './tasks';
export type { MapOptions } from './fan-out';
export type { ChildOptions } from './children';
export { recordQuery, resumeUpdate, patchStateUpdate, cancelUpdate } from './messages';
