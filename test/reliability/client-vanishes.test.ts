import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { cliEnv, cliHarness, root, type CliHarness } from '../cli/helpers';
import { eventually } from '../helpers/server';
import { exited } from '../helpers/processes';

/** Starts `taskflow <args>` and SIGKILLs it after `afterMs`, wherever it is in its call. */
async function killedMidCall(h: CliHarness, args: string[], afterMs: number): Promise<void> {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'taskflow.js'), ...args], { cwd: root, env: cliEnv(h.env.config), stdio: 'ignore' });
  const timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
  await exited(child);
  clearTimeout(timer);
}

let h: CliHarness;
beforeAll(async () => {
  h = await cliHarness();
}, 120_000);
afterAll(() => h?.teardown());

test('a report killed mid-call applied once or not at all; its retry with the same id applies once', async () => {
  for (const afterMs of [150, 400, 700, 1000, 1500]) {
    const flowId = `vanish-${randomUUID().slice(0, 8)}`;
    const report = ['flow', 'report', flowId, '--task', 'build', '--status', 'running', '--kind', 'ci', '--event-id', 'e1', '--request-id', `r-${flowId}`, '--create', '--json'];
    await killedMidCall(h, report, afterMs);
    const between = await h.env.client.show(flowId).then((s) => s.flow, () => null);
    expect(between === null || between.revision === 1).toBe(true);

    const retried = await h.cli(report);
    expect(retried.code).toBe(0);
    const { flow } = retried.json();
    expect(flow).toMatchObject({ flowId, revision: 1, status: 'running' });
    expect(flow.tasks).toHaveLength(1);
  }
}, 180_000);

test('a cancel killed mid-call leaves the flow consistent; its retry with the same id finishes the cancel once', async () => {
  for (const afterMs of [200, 600, 1200]) {
    const started = await h.env.client.start('dataExport', { tables: ['v1', 'v2'], rowsPerTable: 50_000_000, msPerChunk: 200 });
    await eventually(() => h.env.client.snapshot(started.flowId), (s) => s.flow.tasks.filter((t) => t.status === 'running').length === 2, 60_000);
    const cancel = ['flow', 'cancel', started.flowId, '--reason', 'vanish', '--request-id', `c-${started.flowId}`, '--json'];
    await killedMidCall(h, cancel, afterMs);

    const retried = await h.cli(cancel);
    const { flow } = await eventually(() => h.env.client.snapshot(started.flowId), (s) => s.flow.status === 'cancelled', 60_000);
    expect([0, 1]).toContain(retried.code); // 1 only when the first try had already ended it: "Flow is already cancelled."
    expect(flow).toMatchObject({ status: 'cancelled', cancelReason: 'vanish' });
    expect(flow.tasks.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
    const history = await h.env.client.client.workflow.getHandle(started.flowId).fetchHistory();
    const accepted = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'cancel');
    expect(accepted).toHaveLength(1);
  }
}, 240_000);
