import type { Duration } from '@temporalio/common';
import type { CarriedRecord } from './carry';

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

/**
 * The second argument of every flow workflow. Optional: a flow started by any plain Temporal client
 * with just its input works too, with defaults derived from the input.
 */
export interface FlowStart {
  lookupKey?: string | null;
  taskDefaults?: TaskDefaults;
  /** Continue-as-new after this many history events even if Temporal does not suggest it yet. */
  continueAsNewAfterEvents?: number;
  /** The record carried over from the previous run after continue-as-new. */
  carried?: CarriedRecord;
}
