import { startChild } from '@temporalio/workflow';
import type { FlowStartOptions } from '../model/start';
import { flowDefinitionOf, goalOf, type FlowWorkflow } from './define';
import { checkWriteSize, flowFailure, zodMessage } from './failures';
import { managedStartOf } from './start';
import type { TaskRunner } from './tasks';

/** Options of one child flow (`flow.child(definition, input, options)`). */
export interface ChildOptions {
  /** The child's flow id (default: `<parent flow id>/<task id>`, e.g. `release-1a2b/buildPackage-3`). */
  id?: string;
  /** The child's lookup key (default: what its definition derives from the input). */
  lookupKey?: string;
  /** The task's name in the parent's record (default: the child's goal). */
  name?: string;
}

export interface ChildParent {
  flowId: string;
  /** The parent's start options: a child runs its tasks with the same defaults. */
  start: FlowStartOptions;
  now(): string;
}

/**
 * Runs a managed flow as a Temporal child workflow and one task of its parent (spec §12): the task's
 * `kind` is the child's flow type and `childFlowId` its id; its status follows the child's end. The
 * child is started as `FlowClient.start` starts a flow, plus its parent; a parent that closes first
 * has Temporal cancel it (never a silently orphaned child).
 */
export async function runChildFlow(runner: TaskRunner, parent: ChildParent, workflow: FlowWorkflow<any, any, any>, input: unknown, options: ChildOptions = {}): Promise<unknown> {
  const definition = flowDefinitionOf(workflow);
  if (!definition) throw flowFailure('invalid_input', 'flow.child takes a flow made with defineFlow (the exported workflow), not a plain function.');
  // Checked before anything starts, as `flow start` does: a bad input is the parent's error, not a failed child.
  const parsed = definition.input.safeParse(input);
  if (!parsed.success) throw flowFailure('invalid_input', zodMessage(`Input for child flow ${definition.name}`, parsed.error));
  checkWriteSize(`Input for child flow ${definition.name}`, input);
  const goal = goalOf(definition, parsed.data);
  const childFlowId = (taskId: string) => options.id ?? `${parent.flowId}/${taskId}`;
  return runner.child(definition.name, options.name ?? goal, childFlowId, async (task, started) => {
    const { record: _record, ...startWith } = managedStartOf({
      definition,
      flowId: task.childFlowId!,
      rawInput: input,
      input: parsed.data,
      lookupKey: options.lookupKey,
      start: parent.start,
      createdAt: parent.now(),
      parentFlowId: parent.flowId,
    });
    const child = await startChild(definition.name, {
      workflowId: task.childFlowId!,
      args: [input],
      // A flow id is never reused for a second flow, child or not.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      parentClosePolicy: 'REQUEST_CANCEL',
      // The parent's task records how the child really ended, after its own tasks stopped.
      cancellationType: 'WAIT_CANCELLATION_COMPLETED',
      ...startWith,
    });
    started();
    return child.result();
  });
}
