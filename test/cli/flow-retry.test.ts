import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FlowRecord } from '../../src/model/records';
import { retryLedger } from '../fixtures/retry-flows/retry-ledger';
import * as activities from '../fixtures/retry-activities';
import { flowTestEnv, type FlowTestEnv } from '../helpers/flows';
import { cliEnv, ensureBuilt, eventually, runCli } from './helpers';

// Each spawned CLI is a cold Node start; on a busy machine a test with several of them takes a while.
jest.setTimeout(180_000);

let env: FlowTestEnv;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-cli-retry-'));

beforeAll(async () => {
  [env] = await Promise.all([flowTestEnv({}, path.join(__dirname, '..', 'fixtures', 'retry-flows')), ensureBuilt()]);
  await env.startWorker({ ...activities });
}, 150_000);
afterAll(async () => {
  await env?.teardown();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, { env: cliEnv(env.config) });

async function runsOf(flowId: string): Promise<string[]> {
  const runs: string[] = [];
  for await (const info of env.client.client.workflow.list({ query: `WorkflowId = '${flowId}'` })) runs.push(info.runId);
  return runs;
}

test('two flow retry processes at once start exactly one new run; show names it and --run shows the old one', async () => {
  const started = await env.client.start(retryLedger, { dir, failAt: 'publish' });
  const { flow: failed } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status === 'failed', 30_000);
  fs.writeFileSync(path.join(dir, 'fixed'), '');

  const [a, b] = await Promise.all([
    cli(['flow', 'retry', started.flowId, '--reason', 'flag created', '--json']),
    cli(['flow', 'retry', started.flowId, '--reason', 'flag created', '--json']),
  ]);
  const answers = [a, b].map((run) => ({ code: run.code, json: run.json() }));
  const succeeded = answers.filter((x) => x.code === 0);
  expect(succeeded.length).toBeGreaterThanOrEqual(1);
  for (const { json } of succeeded) {
    expect(json).toMatchObject({ ok: true, flow: { flowId: started.flowId, retriedFrom: { runId: failed.runId, reason: 'flag created' } } });
  }
  // The other one either joined the same retry or found the flow already running again.
  for (const { code, json } of answers.filter((x) => x.code !== 0)) expect({ code, ...json.error }).toMatchObject({ code: 1, type: 'not_ended' });
  expect(new Set(succeeded.map(({ json }) => (json.flow as FlowRecord).runId)).size).toBe(1);

  const { flow: done } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status === 'succeeded', 30_000);
  const runs = await runsOf(started.flowId);
  expect(runs).toHaveLength(2);
  expect(runs).toEqual(expect.arrayContaining([failed.runId, done.runId]));
  expect(fs.readFileSync(path.join(dir, 'ledger'), 'utf8').trim().split('\n')).toEqual(['gather', 'render', 'publish', 'publish', 'publish', 'notify']);

  const shown = await cli(['flow', 'show', started.flowId]);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toContain(`retried from:     run ${failed.runId} — flag created`);
  const old = await cli(['flow', 'show', started.flowId, '--run', failed.runId, '--json']);
  expect(old.code).toBe(0);
  expect(old.json()).toMatchObject({ runId: failed.runId, status: 'failed', revision: failed.revision, retriedFrom: null });

  const again = await cli(['flow', 'retry', started.flowId]);
  expect(again).toMatchObject({ code: 1, stdout: '' });
  expect(again.stderr).toBe(`Flow ${started.flowId} succeeded, so there is nothing to retry; use --from-step STEP to run it again from a step.\n`);
  const noRun = await cli(['flow', 'show', started.flowId, '--run', '00000000-0000-4000-8000-000000000000', '--json']);
  expect(noRun.code).toBe(1);
  expect(noRun.json().error.type).toBe('not_found');
});

test('text output of a retry names the new run and how to follow it', async () => {
  const runDir = fs.mkdtempSync(path.join(dir, 'text-'));
  const started = await env.client.start(retryLedger, { dir: runDir, failAt: 'render' });
  const { flow: failed } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status === 'failed', 30_000);
  fs.writeFileSync(path.join(runDir, 'fixed'), '');
  const retried = await cli(['tasks', 'flow', 'retry', started.flowId]);
  expect(retried.code).toBe(0);
  const { flow } = await env.client.snapshot(started.flowId);
  expect(retried.stdout).toMatch(
    new RegExp(`^Retried ${started.flowId} from run ${failed.runId} as run ${flow.runId}; now \\w+ at revision \\d+\\.\\nFollow it with taskflow flow show ${started.flowId} --watch\\.\\n$`),
  );
});
