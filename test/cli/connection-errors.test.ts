import * as net from 'node:net';
import { randomUUID } from 'node:crypto';
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { FlowClient } from '../../src/client';
import { connectionFailure, withRetryAdvice } from '../../src/client/connection';
import { FlowError } from '../../src/client/errors';
import { freePorts } from '../global-setup';
import { testAddress, testConfig } from '../helpers/server';
import { CLI_TEST_YAML, cliEnv, ensureBuilt, projectDir, runCli } from './helpers';

/**
 * The errors a cluster gives, each told apart in one sentence: nothing answers at the address (with
 * advice that fits where the address came from), a namespace that does not exist, a server that does
 * not answer in time, and a write that failed after it was sent. (UNAVAILABLE from a running server
 * whose history service is down is checked against a real cluster in test/cluster.)
 */

beforeAll(() => ensureBuilt(), 180_000);

const noTemporalEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('TEMPORAL_') && name !== 'TEMPORAL_CLI') delete env[name];
  delete env.TASKFLOW_CONFIG;
  return env;
};

describe('an address nothing listens on', () => {
  let port: number;
  beforeAll(async () => {
    [port] = await freePorts(1);
  });

  test('from TEMPORAL_ADDRESS: names the address and the variable, never npm start', async () => {
    const cwd = projectDir(CLI_TEST_YAML);
    const run = await runCli(['flow', 'list'], { env: { ...noTemporalEnv(), TEMPORAL_ADDRESS: `127.0.0.1:${port}` }, cwd });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `Nothing answers at 127.0.0.1:${port} (connection refused); check that the Temporal frontend runs there and that TEMPORAL_ADDRESS names it.`,
    );
  });

  test('from temporal.yaml pointing away from the dev server: names connection.address, never npm start', async () => {
    const cwd = projectDir(`connection:\n  address: 127.0.0.1:${port}\n`);
    const run = await runCli(['flow', 'show', 'anything', '--json'], { env: noTemporalEnv(), cwd });
    expect(run.code).toBe(1);
    expect(run.json().error).toEqual({
      type: 'server_unavailable',
      message: `Nothing answers at 127.0.0.1:${port} (connection refused); check that the Temporal frontend runs there and that connection.address in temporal.yaml names it.`,
      address: `127.0.0.1:${port}`,
      reason: 'nothing_answers',
    });
  });

  test("the project's own dev server address: npm start is the advice", async () => {
    const cwd = projectDir(`devServer:\n  port: ${port}\n`);
    const run = await runCli(['flow', 'list'], { env: noTemporalEnv(), cwd });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `Nothing answers at 127.0.0.1:${port} (connection refused); start the dev server with npm start (or taskflow dev), or point TEMPORAL_ADDRESS at your Temporal server.`,
    );
  });

  test('through the library: FlowClient.connect says the same', async () => {
    const config = testConfig({ connection: { address: `127.0.0.1:${port}` } });
    const failure = await FlowClient.connect(config, { timeoutMs: 4_000 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(FlowError);
    expect(failure).toMatchObject({ type: 'server_unavailable', details: { address: `127.0.0.1:${port}`, reason: 'nothing_answers' } });
    expect((failure as Error).message).not.toContain('npm start');
  });
});

test('something listening that never answers: a read fails within --timeout, not after the SDK retries', async () => {
  const sockets: net.Socket[] = [];
  const silent = net.createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
  try {
    const started = Date.now();
    const run = await runCli(['flow', 'list', '--timeout', '2s', '--json'], { env: { ...noTemporalEnv(), TEMPORAL_ADDRESS: address }, cwd: projectDir(CLI_TEST_YAML) });
    const tookMs = Date.now() - started;
    expect(run.code).toBe(1);
    expect(run.json().error).toMatchObject({ type: 'server_unavailable', address });
    expect(run.json().error.message).toMatch(new RegExp(`^Nothing answers at ${address} \\(no connection\\); check that`));
    // Node start-up and the build check take a few seconds on a busy machine; the SDK's default retries take 20-40 s.
    expect(tookMs).toBeLessThan(15_000);
  } finally {
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('--timeout that is not a duration is a usage error, before anything is sent', async () => {
  const run = await runCli(['flow', 'list', '--timeout', 'soon'], { env: { ...noTemporalEnv(), TEMPORAL_ADDRESS: '127.0.0.1:1' }, cwd: projectDir(CLI_TEST_YAML) });
  expect(run.code).toBe(2);
  expect(run.stderr.trim()).toBe('--timeout must be a duration such as 30s, 15m, 2h or 7d; got "soon".');
});

test('a namespace that does not exist on the server is said so, for reads and writes', async () => {
  const namespace = `no-such-${randomUUID().slice(0, 8)}`;
  const config = testConfig({ connection: { namespace } });
  const cwd = projectDir(CLI_TEST_YAML);
  const expected = `Namespace ${namespace} does not exist on ${testAddress()}; create it (temporal operator namespace create --namespace ${namespace}) or set TEMPORAL_NAMESPACE to one that exists.`;
  const [list, show, start] = await Promise.all([
    runCli(['flow', 'list'], { env: cliEnv(config), cwd }),
    runCli(['flow', 'show', 'anything', '--json'], { env: cliEnv(config), cwd }),
    runCli(['flow', 'start', 'greeting', '--input', '{"name":"Ada"}', '--json'], { env: cliEnv(config), cwd }),
  ]);
  expect(list.code).toBe(1);
  expect(list.stderr.trim()).toBe(expected);
  expect(show.json().error).toEqual({ type: 'config_error', message: expected, address: testAddress(), namespace, reason: 'namespace_not_found' });
  expect(start.json().error).toMatchObject({ type: 'config_error', message: expected });
});

describe('a write that failed after it was sent', () => {
  const config = testConfig({ connection: { address: '10.0.0.1:7233' } });
  const grpc = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });

  test('UNAVAILABLE from the server: may have been applied, and a retry with the same request id is safe', () => {
    const sent = new ServiceError('Workflow Update failed', { cause: grpc(14, 'Not enough hosts to serve the request') });
    const failure = withRetryAdvice(connectionFailure(sent, config), { requestId: 'req-1' });
    expect(failure).toMatchObject({
      type: 'server_unavailable',
      message:
        'The Temporal server at 10.0.0.1:7233 answered UNAVAILABLE: Not enough hosts to serve the request, after the write was sent, so it may or may not have been applied; retrying with --request-id req-1 is safe, it is applied at most once.',
      details: { mayHaveBeenApplied: true, requestId: 'req-1', serverMessage: 'Not enough hosts to serve the request' },
    });
  });

  test('no answer in time: the same, and a start names the flow id to retry with', () => {
    const late = new WorkflowUpdateRPCTimeoutOrCancelledError('Deadline exceeded', { cause: grpc(4, 'Deadline exceeded') });
    expect((withRetryAdvice(connectionFailure(late, config), { requestId: 'req-2' }) as Error).message).toBe(
      'The Temporal server at 10.0.0.1:7233 did not answer in time after the write was sent, so it may or may not have been applied; retrying with --request-id req-2 is safe, it is applied at most once.',
    );
    const start = new ServiceError('Failed to start Workflow', { cause: grpc(14, 'Not enough hosts to serve the request') });
    expect((withRetryAdvice(connectionFailure(start, config), { flowId: 'greeting-1' }) as Error).message).toMatch(
      /may or may not have been applied; running the same start with --id greeting-1 is safe: if the first one started, it answers flow_exists\.$/,
    );
  });

  test('a read that got UNAVAILABLE says the server answered, and makes no claim about writes', () => {
    const read = new ServiceError('Failed to describe workflow', { cause: grpc(14, 'Not enough hosts to serve the request') });
    expect(connectionFailure(read, config)).toMatchObject({
      type: 'server_unavailable',
      message:
        'The Temporal server at 10.0.0.1:7233 answered UNAVAILABLE: Not enough hosts to serve the request; it runs but cannot serve this now (part of the cluster may be down), so try again once it has recovered.',
    });
  });
});
