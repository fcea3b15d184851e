import {
  CancellationScope,
  CancelledFailure,
  condition,
  getExternalWorkflowHandle,
  startChild,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { expectedFailure } from './failures';

/** How long a cancelled flow waits for the server-side cancel that makes its execution end Canceled. */
const EXECUTION_CANCEL_GRACE = '30s';

/**
 * Asks the server to cancel a flow's execution: a workflow cannot request its own cancellation
 * (the server answers "not found"), so a cancelled flow starts this as a child.
 */
export async function cancelFlowExecution(flowId: string): Promise<void> {
  await getExternalWorkflowHandle(flowId).cancel();
}

/**
 * Starts the child that asks the server to cancel this flow's execution. Only a server-side cancel
 * request lets an execution end Canceled, and the flow asks for it itself, so nothing depends on
 * the client that sent the cancel update staying alive. Not cancellable: it runs while cancelled.
 */
export function requestExecutionCancel(flowId: string): Promise<void> {
  return CancellationScope.nonCancellable(async () => {
    try {
      await startChild(cancelFlowExecution, { workflowId: `${flowId}/cancel`, args: [flowId], parentClosePolicy: 'ABANDON' });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  });
}

/**
 * Ends a flow's execution Canceled once its record says cancelled — managed and mirrored flows
 * alike: unless a server-side cancel already came (Web UI, `temporal workflow cancel`, or the one
 * `request` asked for earlier), `request` asks for it now; then the execution ends Canceled.
 */
export async function endExecutionCancelled(serverCancelled: () => boolean, request: () => Promise<void>): Promise<never> {
  return CancellationScope.nonCancellable(async () => {
    if (!serverCancelled()) await request();
    if (!(await condition(serverCancelled, EXECUTION_CANCEL_GRACE))) {
      throw expectedFailure('cancelled', 'Flow cancelled.');
    }
    throw new CancelledFailure('Flow cancelled.');
  });
}
