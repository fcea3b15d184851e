// Mirrors a nightly export into a TaskFlow flow from a project that depends on the `taskflow` package.
// Usage: node producer.js <flow-id>; connects as `taskflow` does (temporal.yaml, TEMPORAL_ADDRESS, ...).
// docs:start producer
import { FlowClient, FlowTerminalError, RevisionConflictError, loadConfig } from 'taskflow/client';

async function main(flowId: string): Promise<void> {
  const flows = await FlowClient.connect(loadConfig());
  try {
    const create = { goal: 'Nightly export', lookupKey: flowId, autoComplete: false };
    await flows.report(flowId, { taskId: 'extract', status: 'running', lease: '15m' }, { create });
    const seen = (await flows.show(flowId)).flow; // the whole record, every task included
    const { applied, reason } = await flows.report(flowId, {
      taskId: 'extract', status: 'succeeded', summary: '1.2M rows', eventId: `${flowId}/extract/done`,
    });
    console.log(applied ? 'extract recorded' : `no-op: ${reason}`);
    try {
      // Checked against the revision we looked at: the report since moved it on, so this is refused.
      await flows.finish(flowId, { result: { rows: 1_200_000 }, expectedRevision: seen.revision });
    } catch (err) {
      if (!(err instanceof RevisionConflictError)) throw err;
      console.log(`conflict: the flow is at revision ${err.currentRevision}`);
      await flows.finish(flowId, { result: { rows: 1_200_000 }, expectedRevision: err.currentRevision });
    }
    const { flow } = await flows.show(flowId);
    console.log(`${flow.flowId} ${flow.status} at revision ${flow.revision}`);
    await flows.report(flowId, { taskId: 'late', status: 'running' }).catch((err: unknown) => {
      if (!(err instanceof FlowTerminalError)) throw err;
      console.log('late report refused: the flow has ended');
    });
  } finally {
    await flows.close();
  }
}
// docs:end producer

main(process.argv[2] ?? 'export-2026-05-01').catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
