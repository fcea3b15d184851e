/** Workflows TaskFlow itself ships, bundled beside the user's flows. */
export { mirroredFlow } from './mirrored';
export { cancelFlowExecution } from './execution-cancel';
