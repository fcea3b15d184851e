import { randomUUID } from 'node:crypto';
import type { FlowTestEnv } from '../helpers/flows';

/** A flow id no other test uses. */
export function newFlowId(prefix = 'mirrored'): string {
  return `${prefix}-${randomUUID().slice(0, 12)}`;
}

/** Temporal's own status of the flow's execution (RUNNING, COMPLETED, FAILED, CANCELLED, …). */
export async function executionStatus(env: FlowTestEnv, flowId: string): Promise<string> {
  return (await env.client.client.workflow.getHandle(flowId).describe()).status.name;
}

/** The authoritative record (describe + query). */
export async function recordOf(env: FlowTestEnv, flowId: string) {
  return (await env.client.snapshot(flowId)).flow;
}
