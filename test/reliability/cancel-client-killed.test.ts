import { flowTestEnv, eventually, type FlowTestEnv } from '../helpers/flows';
import { exited, processEnv, spawnTs } from '../helpers/processes';

let env: FlowTestEnv;

beforeAll(async () => {
  env = await flowTestEnv();
  await env.startWorker();
}, 60_000);
afterAll(() => env?.teardown());

test('a flow cancelled by update ends Canceled even if the client is SIGKILLed right after the update', async () => {
  const started = await env.client.start('dataExport', { tables: ['k1', 'k2'], rowsPerTable: 50_000_000, msPerChunk: 200 });
  await eventually(() => env.client.snapshot(started.flowId), (s) => s.flow.tasks.filter((t) => t.status === 'running').length === 2, 60_000);

  const client = await spawnTs('test/fixtures/cancel-process.ts', processEnv(env.config, { FLOW_ID: started.flowId }), 'cancel sent');
  client.kill('SIGKILL');
  await exited(client);

  const handle = env.client.client.workflow.getHandle(started.flowId);
  const closed = await eventually(() => handle.describe(), (d) => d.status.name !== 'RUNNING', 60_000);
  expect(closed.status.name).toBe('CANCELLED');
  const { flow } = await env.client.snapshot(started.flowId);
  expect(flow).toMatchObject({ status: 'cancelled', cancelReason: 'client killed after cancel' });
  expect(flow.tasks.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
  // Nobody but the flow asked for the execution's cancel: its own child workflow did.
  const history = await handle.fetchHistory();
  const request = history.events!.find((e) => e.workflowExecutionCancelRequestedEventAttributes);
  expect(request?.workflowExecutionCancelRequestedEventAttributes?.externalWorkflowExecution?.workflowId).toBe(`${started.flowId}/cancel`);
}, 120_000);
