import type { FlowClient } from '../../../src/client';
import { eventually } from '../../helpers/flows';
import { emptyMetrics, type ScenarioMetrics } from './metrics';

/**
 * Cancel storm: many running flows whose tasks heartbeat, all cancelled at once (flows × tasks
 * per flow kept within the worker's activity slots, so every task really runs). Each must end
 * `cancelled` with every task's real outcome recorded; recovery is request-to-closed per flow.
 */
export async function cancelStorm(client: FlowClient, size: { flows: number; tasksPerFlow: number }): Promise<ScenarioMetrics> {
  const metrics = emptyMetrics('cancel storm');
  const started = await Promise.all(
    Array.from({ length: size.flows }, (_, i) => client.start('dataExport', { tables: Array.from({ length: size.tasksPerFlow }, (_, t) => `s${i}t${t}`), rowsPerTable: 10_000_000, msPerChunk: 200 })),
  );
  metrics.flows = started.length;
  await eventually(
    () => Promise.all(started.map((f) => client.snapshot(f.flowId))),
    (all) => all.every((s) => s.flow.tasks.filter((t) => t.status === 'running').length === size.tasksPerFlow),
    60_000,
  );

  metrics.faults = started.length;
  const outcomes = await Promise.all(
    started.map(async (f) => {
      const began = Date.now();
      try {
        const { flow } = await client.cancel(f.flowId, { reason: 'storm', wait: true });
        return { flow, ms: Date.now() - began };
      } catch (err) {
        metrics.notes.push(`${f.flowId}: ${(err as Error).message}`);
        return null;
      }
    }),
  );
  for (const outcome of outcomes) {
    if (!outcome) {
      metrics.stuck++;
      continue;
    }
    metrics.recoveryMs.push(outcome.ms);
    const { flow } = outcome;
    if (flow.status !== 'cancelled' || !flow.tasks.every((t) => t.status === 'cancelled')) {
      metrics.lost++;
      metrics.notes.push(`${flow.flowId} ended ${flow.status} with tasks ${flow.tasks.map((t) => t.status).join(',')}`);
    }
  }
  return metrics;
}
