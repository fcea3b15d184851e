import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { cliEnv, ensureBuilt, root, runCli } from '../cli/helpers';
import { flowTestEnv, type FlowTestEnv } from '../helpers/flows';

/**
 * The producers docs/mirrored-flows.md quotes, run as a user would against the real test server: the
 * Python one with the official temporalio package (in a venv its venv.sh makes with pip), the shell one
 * with the official Temporal CLI. `flow show --json` must agree with what they saw.
 */

jest.setTimeout(180_000);

const run = promisify(execFile);
const PYTHON_EXAMPLE = path.join(root, 'examples', 'python-producer');
const SHELL_PRODUCER = path.join(root, 'examples', 'shell-producer', 'producer.sh');
const TASKFLOW_CI = path.join(root, 'examples', 'taskflow-cli', 'ci.sh');

let env: FlowTestEnv;
let python: string;
/** `temporal` and `taskflow` as a user has them on PATH. */
let binDir: string;

beforeAll(async () => {
  const venv = run(path.join(PYTHON_EXAMPLE, 'venv.sh'), [], { timeout: 170_000 });
  const [, , made] = await Promise.all([ensureBuilt(), (async () => (env = await flowTestEnv()))(), venv]);
  python = made.stdout.trim();
  const temporal = process.env.TEMPORAL_CLI;
  if (!temporal) throw new Error('TEMPORAL_CLI is not set; run through jest (its global setup provides it).');
  binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-producer-bin-'));
  fs.symlinkSync(temporal, path.join(binDir, 'temporal'));
  fs.symlinkSync(path.join(root, 'bin', 'taskflow.js'), path.join(binDir, 'taskflow'));
  await env.startWorker();
}, 180_000);
afterAll(async () => {
  await env?.teardown();
  if (binDir) fs.rmSync(binDir, { recursive: true, force: true });
});

function producerEnv(): NodeJS.ProcessEnv {
  return cliEnv(env.config, { PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` });
}

async function flowShow(flowId: string) {
  const shown = await runCli(['flow', 'show', flowId, '--json'], { env: producerEnv() });
  expect(shown.code).toBe(0);
  return shown.json();
}

async function metadata(flowId: string) {
  const handle = env.client.client.workflow.getHandle(flowId);
  const description = await handle.describe();
  return { summary: await description.staticSummary(), details: await description.staticDetails() };
}

test('the Python producer creates with update-with-start, keeps 8 in flight, survives a conflict and a retry, and finishes', async () => {
  const flowId = `py-export-${randomUUID().slice(0, 8)}`;
  const { stdout } = await run(python, [path.join(PYTHON_EXAMPLE, 'producer.py'), flowId, '20'], { env: producerEnv(), timeout: 120_000 });
  const seen = JSON.parse(stdout.trim().split('\n').pop()!);
  expect(seen).toMatchObject({
    flowId,
    createdApplied: true,
    shardsApplied: 20,
    extractApplied: true,
    finishApplied: true,
    lateReport: 'flow_ended',
    lateCreate: 'flow_ended',
    status: 'succeeded',
    tasks: 22,
  });
  // The extract's check used the revision of its creation; twenty shard reports came between.
  expect(seen.conflicts).toBeGreaterThanOrEqual(1);
  expect(seen.retryRevisions[1]).toBe(seen.retryRevisions[0]);

  const flow = await flowShow(flowId);
  expect(flow).toMatchObject({ flowId, lookupKey: flowId, goal: `Nightly export ${flowId}`, status: 'succeeded', syncMode: 'mirrored' });
  expect(flow.revision).toBe(seen.revision);
  expect(flow.revision).toBe(seen.finishRevision);
  expect(flow.result).toEqual({ shards: 20 });
  expect(flow.tasks).toHaveLength(22);
  expect(flow.tasks.every((t: { status: string }) => t.status === 'succeeded')).toBe(true);
  expect(flow.tasks.find((t: { taskId: string }) => t.taskId === 'extract')).toMatchObject({ terminalSummary: '20 shards' });
  await expect(metadata(flowId)).resolves.toEqual({
    summary: `Nightly export ${flowId}`,
    details: `**TaskFlow** mirrored flow · lookup key \`${flowId}\` · reported by producer.py`,
  });
});

test('the shell producer reports CI jobs with the Temporal CLI, finishes failed when a job failed, and refuses an ended flow', async () => {
  const flowId = `sh-ci-${randomUUID().slice(0, 8)}`;
  const args = [flowId, 'lint=true', 'unit=echo unit ok', 'e2e=exit 2'];
  const { stdout } = await run(SHELL_PRODUCER, args, { env: producerEnv(), timeout: 120_000 });
  expect(stdout.trim().split('\n')).toEqual(['unit ok', '{"applied":true}']);

  const flow = await flowShow(flowId);
  expect(flow).toMatchObject({ flowId, lookupKey: flowId, goal: `CI run ${flowId}`, status: 'failed', error: expect.stringContaining('e2e') });
  expect(flow.tasks.map((t: { taskId: string; status: string }) => [t.taskId, t.status])).toEqual([
    ['lint', 'succeeded'],
    ['unit', 'succeeded'],
    ['e2e', 'failed'],
  ]);
  await expect(metadata(flowId)).resolves.toEqual({ summary: `CI run ${flowId}`, details: '**TaskFlow** mirrored flow · reported by producer.sh' });

  // The same run again sends the same update ids: every one is answered as the first time, nothing changes.
  const again = await run(SHELL_PRODUCER, args, { env: producerEnv(), timeout: 120_000 });
  expect(again.stdout.trim().split('\n')).toEqual(['unit ok', '{"applied":true}']);
  expect((await flowShow(flowId)).revision).toBe(flow.revision);

  // A new job for the ended flow: update-with-start is refused (the id is never reused), exit 3.
  const late = await run(SHELL_PRODUCER, [flowId, 'deploy=true'], { env: producerEnv(), timeout: 60_000 }).catch((err) => err);
  expect(late).toMatchObject({ code: 3, stderr: `Flow ${flowId} has already ended.\n` });
  expect((await flowShow(flowId)).tasks).toHaveLength(3);
});

test('the taskflow CLI loop of the docs reports each job with --create and finishes failed when a job failed', async () => {
  const flowId = `cli-ci-${randomUUID().slice(0, 8)}`;
  await run(TASKFLOW_CI, [flowId, 'lint=true', 'unit=exit 1'], { env: producerEnv(), timeout: 150_000 });
  const flow = await flowShow(flowId);
  expect(flow).toMatchObject({ flowId, lookupKey: flowId, status: 'failed', error: expect.stringContaining('unit') });
  expect(flow.tasks.map((t: { taskId: string; status: string }) => [t.taskId, t.status])).toEqual([
    ['lint', 'succeeded'],
    ['unit', 'failed'],
  ]);
  // Created by taskflow, so it has the Web UI's summary without a producer setting one.
  await expect(metadata(flowId)).resolves.toMatchObject({ summary: expect.stringContaining('lint') });
});
