import type { Duration } from '@temporalio/common';

/** Activity options a flow's tasks default to (temporal.yaml `flowDefaults`), carried in the start. */
export interface TaskDefaults {
  startToCloseTimeout?: Duration;
  heartbeatTimeout?: Duration;
  retry?: {
    maximumAttempts?: number;
    initialInterval?: Duration;
    backoffCoefficient?: number;
    maximumInterval?: Duration;
  };
}

/** The memo key the client stores a managed flow's start options under (not the user's input). */
export const START_MEMO_KEY = 'taskflowStart';

/**
 * TaskFlow's own options for a managed flow, kept in the memo so the workflow's arguments are the
 * user's input alone. Optional: a flow started by any plain Temporal client with just its input
 * works too, with the built-in defaults. Continue-as-new keeps the memo, so every run sees them.
 */
export interface FlowStartOptions {
  taskDefaults?: TaskDefaults;
  /** Continue-as-new after this many history events even if Temporal does not suggest it yet. */
  continueAsNewAfterEvents?: number;
}
