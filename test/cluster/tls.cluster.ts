import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FlowRecord } from '../../src/model/records';
import { ensureBuilt } from '../cli/helpers';
import { runScript } from './global-setup';
import { bareDir, startWorker, taskflow, until, userEnv, type WorkerProcess } from './support';

/**
 * The recipe's cluster with mutual TLS on its frontend, certificates made here with openssl: the
 * worker and the CLI connect through TEMPORAL_TLS_*; a missing or foreign client certificate is one
 * clear sentence; no key material is ever printed.
 */

const certs = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-tls-'));
const rogue = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-tls-rogue-'));
let state: string;
let address: string;
let worker: WorkerProcess | undefined;
const cwd = bareDir();

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA, and certificates it signs: one for the server (localhost, 127.0.0.1), one for clients. */
function makeCertificates(dir: string, withServer: boolean): void {
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=TaskFlow test CA ${path.basename(dir)}`);
  const sign = (name: string, subject: string, ext: string) => {
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  };
  if (withServer) sign('server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  sign('client', '/CN=taskflow-client', 'extendedKeyUsage=clientAuth\n');
}

const keyTexts = () =>
  [path.join(certs, 'client-key.pem'), path.join(rogue, 'client-key.pem')].flatMap((file) =>
    fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 20 && !line.startsWith('-----')),
  );

function expectNoKeyMaterial(text: string): void {
  expect(text).not.toContain('PRIVATE KEY');
  for (const line of keyTexts()) expect(text.includes(line)).toBe(false);
}

beforeAll(async () => {
  await ensureBuilt();
  makeCertificates(certs, true);
  makeCertificates(rogue, false);
  state = (await runScript(['up', '--tls', certs])).trim().split('\n').pop()!;
  address = /TEMPORAL_ADDRESS=(\S+)/.exec(await runScript(['env', state]))![1]!;
}, 900_000);

afterAll(async () => {
  await worker?.kill();
  if (state) await runScript(['down', state]);
  for (const dir of [certs, rogue]) fs.rmSync(dir, { recursive: true, force: true });
});

const tlsEnv = (extra: Record<string, string> = {}) =>
  userEnv({ TEMPORAL_TLS_CA: path.join(certs, 'ca.pem'), TEMPORAL_TLS_SERVER_NAME: 'localhost', ...extra }, address);
const clientCert = { TEMPORAL_TLS_CERT: path.join(certs, 'client.pem'), TEMPORAL_TLS_KEY: path.join(certs, 'client-key.pem') };

test('the worker and the CLI connect through TEMPORAL_TLS_* and a flow runs', async () => {
  const env = tlsEnv(clientCert);
  worker = await startWorker(env, cwd);
  const started = await taskflow(['flow', 'start', 'greeting', '--input', '{"name":"TLS"}', '--json'], env, cwd);
  expect(started.code).toBe(0);
  const flowId = started.json().flow.flowId as string;
  const flow = await until(
    () => taskflow(['flow', 'show', flowId, '--json'], env, cwd).then((r) => r.json<FlowRecord>()),
    (f) => f.status === 'succeeded',
    120_000,
    'greeting over TLS',
  );
  expect(flow.result).toBeTruthy();
  expectNoKeyMaterial(worker.output());
});

test('no client certificate: one sentence saying the server requires one', async () => {
  const run = await taskflow(['flow', 'list'], tlsEnv(), cwd);
  expect(run.code).toBe(1);
  expect(run.stderr.trim()).toBe(
    `The Temporal server at ${address} requires a client certificate; set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (or connection.tls.certFile and keyFile).`,
  );
});

test('a client certificate from another CA: one sentence saying the server refused it, and no key printed', async () => {
  const env = tlsEnv({ TEMPORAL_TLS_CERT: path.join(rogue, 'client.pem'), TEMPORAL_TLS_KEY: path.join(rogue, 'client-key.pem') });
  const [text, json] = await Promise.all([taskflow(['flow', 'list'], env, cwd), taskflow(['flow', 'show', `x-${randomUUID()}`, '--json'], env, cwd)]);
  expect(text.code).toBe(1);
  expect(text.stderr.trim()).toBe(
    `The Temporal server at ${address} refused the client certificate (TEMPORAL_TLS_CERT / connection.tls.certFile); use one signed by a CA the server trusts.`,
  );
  expect(json.json().error).toMatchObject({ type: 'server_unavailable', reason: 'tls' });
  expectNoKeyMaterial(text.stdout + text.stderr + json.stdout + json.stderr);
});

test('a server certificate the configured CA did not sign: one sentence saying so', async () => {
  const run = await taskflow(['flow', 'list'], tlsEnv({ ...clientCert, TEMPORAL_TLS_CA: path.join(rogue, 'ca.pem') }), cwd);
  expect(run.code).toBe(1);
  expect(run.stderr.trim()).toBe(
    `The server certificate of ${address} is not trusted or does not match; set TEMPORAL_TLS_CA to the CA that signed it (and TEMPORAL_TLS_SERVER_NAME to the name it was issued for).`,
  );
});

test('inline key data that is not a key: the error does not echo it', async () => {
  const secret = `not-a-key-${randomUUID()}`;
  const env = tlsEnv({ TEMPORAL_TLS_CERT_DATA: fs.readFileSync(path.join(certs, 'client.pem'), 'utf8'), TEMPORAL_TLS_KEY_DATA: secret });
  const run = await taskflow(['flow', 'list', '--json'], env, cwd);
  expect(run.code).toBe(1);
  expect(run.stdout + run.stderr).not.toContain(secret);
  expect(run.stderr).toBe('');
  expect(run.json().error).toEqual({
    type: 'config_error',
    message:
      'The TLS certificate or key (TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY or connection.tls in temporal.yaml) is not usable PEM; give the PEM files of the CA, of the client certificate and of its key.',
    reason: 'tls_material',
  });
});

test('plain text against the TLS frontend: one sentence saying the server wants TLS', async () => {
  const run = await taskflow(['flow', 'list'], userEnv({}, address), cwd);
  expect(run.code).toBe(1);
  expect(run.stderr.trim()).toBe(
    `The connection to ${address} failed in the TLS handshake; the server seems to want TLS, so set TEMPORAL_TLS=true (and TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY if it asks for a client certificate).`,
  );
});
