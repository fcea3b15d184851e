import { FlowClient, RevisionConflictError, FlowError } from '../../src/client';
import { flowTestEnv, eventually, type FlowTestEnv } from '../helpers/flows';

let env: FlowTestEnv;

beforeAll(async () => {
  env = await flowTestEnv();
  await env.startWorker();
});
afterAll(() => env?.teardown());

async function waitingApproval(documentId: string) {
  const started = await env.client.start('documentApproval', { documentId, title: 'Q3 report' });
  const { flow } = await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.status === 'waiting');
  return flow;
}

test('a flow waiting for approval is waiting in its record, its search attributes and by lookup key', async () => {
  const flow = await waitingApproval('doc-wait');
  expect(flow.wait).toMatchObject({ for: 'approval' });
  expect(flow.currentStep).toBe('approval');
  expect(flow.state).toEqual({ words: expect.any(Number), approver: null });
  expect(flow.tasks.map((t) => [t.kind, t.status])).toEqual([['draftDocument', 'succeeded']]);

  const listed = await eventually(
    () => env.client.list({ statuses: ['waiting'], lookupKey: 'doc-wait' }),
    (l) => l.flows.some((f) => f.flowId === flow.flowId && f.revision === flow.revision),
  );
  expect(listed.flows.find((f) => f.flowId === flow.flowId)).toMatchObject({ status: 'waiting', lookupKey: 'doc-wait', currentStep: 'approval' });
  expect(await env.client.resolve('doc-wait')).toBe(flow.flowId);
});

test('invalid resume data is rejected with the schema message and the flow keeps waiting, unchanged', async () => {
  const flow = await waitingApproval('doc-invalid');
  const rejected = await env.client.resume(flow.flowId, { approved: 'yes' }).catch((e) => e);
  expect(rejected).toBeInstanceOf(FlowError);
  expect(rejected).toMatchObject({ type: 'invalid_input' });
  expect(rejected.message).toMatch(/approved/);
  const { flow: after } = await env.client.snapshot(flow.flowId);
  expect(after).toMatchObject({ status: 'waiting', revision: flow.revision });
});

test('a stale expected revision is rejected with the current one; a fresh one resumes and the flow completes', async () => {
  const flow = await waitingApproval('doc-revision');
  const stale = await env.client.resume(flow.flowId, { approved: true, approver: 'Grace' }, { expectedRevision: flow.revision - 1 }).catch((e) => e);
  expect(stale).toBeInstanceOf(RevisionConflictError);
  expect(stale.details).toEqual({ currentRevision: flow.revision, expectedRevision: flow.revision - 1 });
  expect((await env.client.snapshot(flow.flowId)).flow).toMatchObject({ status: 'waiting', revision: flow.revision });

  const resumed = await env.client.resume(flow.flowId, { approved: true, approver: 'Grace' }, { expectedRevision: flow.revision });
  expect(resumed.applied).toBe(true);
  // The reply is the record as it stands right after the write; the flow may already have moved on.
  expect(resumed.flow.revision).toBeGreaterThanOrEqual(flow.revision + 1);
  expect(resumed.flow.tasks).toHaveLength(resumed.flow.taskSummary.total);

  const { flow: done } = await eventually(() => env.client.snapshot(flow.flowId), (s) => s.flow.status === 'succeeded');
  expect(done.result).toEqual({ published: true, receipt: 'Q3 report published, approved by Grace' });
  expect(done.state).toMatchObject({ approver: 'Grace' });
  expect(done.tasks.map((t) => t.kind)).toEqual(['draftDocument', 'publishDocument']);
  const writes = await env.client.resume(flow.flowId, { approved: true, approver: 'Grace' }).catch((e) => e);
  expect(writes).toMatchObject({ type: 'flow_terminal', message: 'Flow is already succeeded.' });
});

test('N applied writes add N to the revision; two racing writers with one expected revision: exactly one wins', async () => {
  const flow = await waitingApproval('doc-race');
  const base = flow.revision;
  for (let i = 1; i <= 3; i++) {
    const written = await env.client.patchState(flow.flowId, { words: 1000 + i }, { expectedRevision: base + i - 1 });
    expect(written.flow.revision).toBe(base + i);
  }
  const other = await FlowClient.connect(env.config);
  try {
    const outcomes = await Promise.allSettled([
      env.client.patchState(flow.flowId, { words: 1 }, { expectedRevision: base + 3 }),
      other.patchState(flow.flowId, { words: 2 }, { expectedRevision: base + 3 }),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(RevisionConflictError);
    expect(lost[0]!.reason.currentRevision).toBe(base + 4);
  } finally {
    await other.close();
  }
  expect((await env.client.snapshot(flow.flowId)).flow.revision).toBe(base + 4);
});

test('a retried write with the same request id applies once; an identical patch does not bump the revision', async () => {
  const flow = await waitingApproval('doc-idempotent');
  const first = await env.client.patchState(flow.flowId, { words: 7 }, { requestId: 'patch-once' });
  const again = await env.client.patchState(flow.flowId, { words: 7 }, { requestId: 'patch-once' });
  expect(first.flow.revision).toBe(flow.revision + 1);
  expect(again.flow.revision).toBe(flow.revision + 1);
  const identical = await env.client.patchState(flow.flowId, { words: 7 });
  expect(identical).toMatchObject({ applied: false, reason: 'identical' });
  expect(identical.flow.revision).toBe(flow.revision + 1);
});

test('input that fails the flow schema is rejected before anything starts; so is an unknown type', async () => {
  const invalid = await env.client.start('documentApproval', { documentId: '' }).catch((e) => e);
  expect(invalid).toMatchObject({ type: 'invalid_input' });
  const unknown = await env.client.start('nope', {}).catch((e) => e);
  expect(unknown).toMatchObject({ type: 'invalid_input' });
  expect(unknown.message).toMatch(/documentApproval/);
  expect((await env.client.list({ flowType: 'documentApproval', lookupKey: '' })).flows.some((f) => f.flowId.startsWith('documentApproval') && f.lookupKey === '')).toBe(false);
});

test('a write retried with its request id after the flow ended answers as the first try did', async () => {
  const flow = await waitingApproval('doc-retry-after-end');
  const first = await env.client.resume(flow.flowId, { approved: false, approver: 'Ada' }, { requestId: 'resume-doc-retry' });
  await eventually(() => env.client.snapshot(flow.flowId), (s) => s.flow.status === 'succeeded');
  const retried = await env.client.resume(flow.flowId, { approved: false, approver: 'Ada' }, { requestId: 'resume-doc-retry' });
  expect(retried.flow.revision).toBe(first.flow.revision);
  const fresh = await env.client.resume(flow.flowId, { approved: false, approver: 'Ada' }).catch((e) => e);
  expect(fresh).toMatchObject({ type: 'flow_terminal' });
});

test('a write with no worker polling the task queue fails with a clear sentence instead of hanging', async () => {
  const idle = await flowTestEnv();
  try {
    const started = await idle.client.start('documentApproval', { documentId: 'doc-no-worker', title: 'Nobody home' });
    const stuck = await idle.client.patchState(started.flowId, { words: 1 }).catch((e) => e);
    expect(stuck).toMatchObject({ type: 'server_unavailable' });
    expect(stuck.message).toContain(`No TaskFlow worker polls task queue ${idle.config.taskQueue}`);
    expect((await idle.client.snapshot(started.flowId)).flow).toMatchObject({ status: 'queued', revision: 0 });
  } finally {
    await idle.teardown();
  }
}, 30_000);
