import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  getExternalWorkflowHandle,
  startChild,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';

/** How long a cancelled flow waits for the server-side cancel that makes its execution end Canceled. */
const EXECUTION_CANCEL_GRACE = '30s';

/**
 * Asks the server to cancel a flow's execution. A workflow cannot request its own cancellation
 * (the server answers "not found"), so a flow cancelled by update starts this as a child.
 */
export async function cancelFlowExecution(flowId: string): Promise<void> {
  await getExternalWorkflowHandle(flowId).cancel();
}

/**
 * Ends a flow's execution Canceled once its record says cancelled — for managed and mirrored flows
 * alike. Only a server-side cancel request lets an execution end Canceled; unless one already came
 * (Web UI, `temporal workflow cancel`), the flow asks for it itself through a child workflow, so
 * nothing depends on the client that sent the cancel update staying alive.
 */
export async function endExecutionCancelled(flowId: string, serverCancelled: () => boolean): Promise<never> {
  return CancellationScope.nonCancellable(async () => {
    if (!serverCancelled()) {
      try {
        await startChild(cancelFlowExecution, { workflowId: `${flowId}/cancel`, args: [flowId], parentClosePolicy: 'ABANDON' });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }
    if (!(await condition(serverCancelled, EXECUTION_CANCEL_GRACE))) {
      throw ApplicationFailure.create({ type: 'cancelled', message: 'Flow cancelled.', nonRetryable: true });
    }
    throw new CancelledFailure('Flow cancelled.');
  });
}
