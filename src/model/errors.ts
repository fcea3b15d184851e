/** Error types of spec §9: the `type` of every failure a flow write or lookup can answer with. */
export const FLOW_ERROR_TYPES = [
  'not_found',
  'ambiguous_lookup',
  'revision_conflict',
  'flow_terminal',
  'not_waiting',
  'not_managed',
  'not_mirrored',
  'flow_exists',
  'invalid_input',
  'server_unavailable',
  'config_error',
  'usage',
  'tasks_still_active',
  'wait_timeout',
  'task_limit',
  'record_unavailable',
  'ambiguous_wait',
  'not_ended',
  'not_replayable',
  'internal',
] as const;
export type FlowErrorType = (typeof FLOW_ERROR_TYPES)[number];

export function isFlowErrorType(value: unknown): value is FlowErrorType {
  return typeof value === 'string' && (FLOW_ERROR_TYPES as readonly string[]).includes(value);
}
