import type { FlowClient } from '../../../src/client';
import type { TaskFlowConfig } from '../../../src/config';
import { eventually } from '../../helpers/flows';
import { exited, processEnv, spawnTs } from '../../helpers/processes';
import { emptyMetrics, type ScenarioMetrics } from './metrics';

interface WriteLog {
  writer: number;
  value: number;
  expected: number;
  accepted?: number;
  conflict?: number;
  ms: number;
}

/**
 * Concurrent writers: separate client processes race revision-checked writes at one waiting flow.
 * Every accepted write must have made exactly the next revision, every rejected one must have been
 * told a newer current revision, and the final state must be the last accepted write.
 */
export async function concurrentWriters(client: FlowClient, config: TaskFlowConfig, size: { writers: number; writes: number }): Promise<ScenarioMetrics> {
  const metrics = emptyMetrics('concurrent writers');
  const started = await client.start('documentApproval', { documentId: `race-${Date.now()}`, title: 'Race' });
  const { flow: before } = await eventually(() => client.snapshot(started.flowId), (s) => s.flow.status === 'waiting');
  metrics.flows = 1;

  const logs = await Promise.all(
    Array.from({ length: size.writers }, async (_, writer) => {
      const child = await spawnTs('test/fixtures/writer-process.ts', processEnv(config, { FLOW_ID: started.flowId, WRITER_ID: String(writer), WRITES: String(size.writes) }));
      let out = '';
      child.stdout!.on('data', (chunk) => (out += chunk));
      const code = await exited(child);
      if (code !== 0) metrics.notes.push(`writer ${writer} exited ${code}`);
      return out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as WriteLog);
    }),
  );
  const all = logs.flat();
  metrics.writes = all.length;
  metrics.recoveryMs = all.map((w) => w.ms);

  metrics.rejected = all.filter((w) => w.conflict !== undefined).length;
  const accepted = all.filter((w) => w.accepted !== undefined).sort((a, b) => a.accepted! - b.accepted!);
  const { flow: after } = await client.snapshot(started.flowId);
  if (after.revision !== before.revision + accepted.length) metrics.notes.push(`final revision ${after.revision}, expected ${before.revision} + ${accepted.length} accepted`);
  accepted.forEach((w, i) => {
    if (w.accepted !== before.revision + i + 1 || w.accepted !== w.expected + 1) {
      metrics.duplicated++;
      metrics.notes.push(`write ${w.writer}/${w.value} expected ${w.expected} but made revision ${w.accepted}`);
    }
  });
  for (const w of all.filter((x) => x.conflict !== undefined)) {
    if (w.conflict! <= w.expected) metrics.notes.push(`write ${w.writer}/${w.value} was rejected at ${w.expected} with current ${w.conflict}`);
  }
  const last = accepted.at(-1);
  if (last && (after.state as { words: number }).words !== last.value) {
    metrics.lost++;
    metrics.notes.push(`final state ${JSON.stringify(after.state)} is not the last accepted write ${last.value}`);
  }
  if (accepted.length === 0) metrics.notes.push('no write was accepted');
  return metrics;
}
