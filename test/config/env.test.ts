import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, connectionOptions, describeConfig, loadConfig } from '../../src/config';
import { projectWith } from '../helpers/project';

const API_KEY = 'tf-secret-api-key-6f1c2e';
const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n';
const CERT_PEM = '-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----\n';
const CA_PEM = '-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n';

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('environment overrides', () => {
  it('uses the Temporal CLI variables for address, namespace and API key, and TASKFLOW_TASK_QUEUE', () => {
    const cwd = projectWith('connection: { address: 127.0.0.1:7233, namespace: default }\ntaskQueue: local\n');
    const config = loadConfig({
      cwd,
      env: {
        TEMPORAL_ADDRESS: 'flows.a1b2c.tmprl.cloud:7233',
        TEMPORAL_NAMESPACE: 'flows.a1b2c',
        TEMPORAL_API_KEY: API_KEY,
        TASKFLOW_TASK_QUEUE: 'cloud-queue',
      },
    });

    expect(config.connection.address).toBe('flows.a1b2c.tmprl.cloud:7233');
    expect(config.connection.namespace).toBe('flows.a1b2c');
    expect(config.connection.apiKey).toBe(API_KEY);
    expect(config.connection.tls.enabled).toBe(true);
    expect(config.taskQueue).toBe('cloud-queue');
    expect(config.ui.url).toBeNull(); // the local dev server's UI would not show this server's flows
    expect(connectionOptions(config)).toEqual({
      address: 'flows.a1b2c.tmprl.cloud:7233',
      apiKey: API_KEY,
      metadata: { 'temporal-namespace': 'flows.a1b2c' },
      tls: {},
    });
  });

  it('lets TEMPORAL_TLS=false switch off the TLS an API key would imply', () => {
    const config = loadConfig({ cwd: projectWith(null), env: { TEMPORAL_API_KEY: API_KEY, TEMPORAL_TLS: 'false' } });
    expect(config.connection.tls.enabled).toBe(false);
    expect(connectionOptions(config).tls).toBeUndefined();
  });

  it('overrides an explicit tls.enabled in the file', () => {
    const cwd = projectWith('connection: { tls: { enabled: false } }');
    expect(loadConfig({ cwd, env: { TEMPORAL_TLS: 'true' } }).connection.tls.enabled).toBe(true);
    expect(loadConfig({ cwd, env: { TEMPORAL_API_KEY: API_KEY } }).connection.tls.enabled).toBe(false);
  });

  it('reads TLS paths from the old and the current variable names, relative to the working directory', () => {
    const cwd = projectWith(null);
    fs.mkdirSync(path.join(cwd, 'certs'));
    for (const [name, text] of [['ca.pem', CA_PEM], ['client.pem', CERT_PEM], ['client.key', KEY_PEM]]) {
      fs.writeFileSync(path.join(cwd, 'certs', name!), text!);
    }
    const variants: NodeJS.ProcessEnv[] = [
      { TEMPORAL_TLS_CA: 'certs/ca.pem', TEMPORAL_TLS_CERT: 'certs/client.pem', TEMPORAL_TLS_KEY: 'certs/client.key' },
      {
        TEMPORAL_TLS_CA_PATH: 'certs/ca.pem',
        TEMPORAL_TLS_CLIENT_CERT_PATH: 'certs/client.pem',
        TEMPORAL_TLS_CLIENT_KEY_PATH: 'certs/client.key',
      },
      {
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: 'certs/ca.pem',
        TEMPORAL_TLS_CLIENT_CERT_PATH: 'certs/client.pem',
        TEMPORAL_TLS_CLIENT_KEY_PATH: 'certs/client.key',
      },
    ];
    for (const env of variants) {
      const config = loadConfig({ cwd, env: { ...env, TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' } });
      expect(config.connection.tls).toMatchObject({
        enabled: true,
        caFile: path.join(cwd, 'certs/ca.pem'),
        certFile: path.join(cwd, 'certs/client.pem'),
        keyFile: path.join(cwd, 'certs/client.key'),
        serverName: 'temporal.internal',
      });
      expect(connectionOptions(config).tls).toEqual({
        serverNameOverride: 'temporal.internal',
        serverRootCACertificate: Buffer.from(CA_PEM),
        clientCertPair: { crt: Buffer.from(CERT_PEM), key: Buffer.from(KEY_PEM) },
      });
    }
  });

  it('reads inline TLS data, replacing the files named in temporal.yaml', () => {
    const cwd = projectWith('connection: { tls: { caFile: missing-ca.pem, certFile: c.pem, keyFile: k.pem } }');
    const config = loadConfig({
      cwd,
      env: {
        TEMPORAL_TLS_CA_DATA: CA_PEM,
        TEMPORAL_TLS_CLIENT_CERT_DATA: CERT_PEM,
        TEMPORAL_TLS_CLIENT_KEY_DATA: KEY_PEM,
      },
    });
    expect(config.connection.tls).toMatchObject({ caFile: null, certFile: null, keyFile: null });
    expect(connectionOptions(config).tls).toEqual({
      serverRootCACertificate: Buffer.from(CA_PEM),
      clientCertPair: { crt: Buffer.from(CERT_PEM), key: Buffer.from(KEY_PEM) },
    });
  });

  it('rejects a value that does not parse, naming the variable', () => {
    expect(thrown(() => loadConfig({ cwd: projectWith(null), env: { TEMPORAL_TLS: 'maybe' } })).message).toBe(
      'TEMPORAL_TLS must be true or false, found "maybe".',
    );
    expect(thrown(() => loadConfig({ cwd: projectWith(null), env: { TEMPORAL_ADDRESS: 'nohost' } })).message).toBe(
      'TEMPORAL_ADDRESS must be a host:port address such as "127.0.0.1:7233", found "nohost".',
    );
    const both = thrown(() =>
      loadConfig({ cwd: projectWith(null), env: { TEMPORAL_TLS_CLIENT_KEY_PATH: 'k.pem', TEMPORAL_TLS_CLIENT_KEY_DATA: KEY_PEM } }),
    );
    expect(both.message).toBe(
      'Only one of TEMPORAL_TLS_CLIENT_KEY_PATH and TEMPORAL_TLS_CLIENT_KEY_DATA may be set, found both; unset all but one.',
    );
  });

  it('ignores empty variables', () => {
    const config = loadConfig({ cwd: projectWith(null), env: { TEMPORAL_ADDRESS: '', TEMPORAL_API_KEY: '' } });
    expect(config.connection.address).toBe('127.0.0.1:7233');
    expect(config.connection.apiKey).toBeNull();
  });
});

describe('connectionOptions', () => {
  it('names the key of a TLS file that does not exist', () => {
    const cwd = projectWith('connection: { tls: { caFile: certs/ca.pem } }');
    const config = loadConfig({ cwd, env: {} });
    const err = thrown(() => connectionOptions(config));
    expect(err.message).toBe(
      `connection.tls.caFile points at ${path.join(cwd, 'certs/ca.pem')}, which does not exist; fix the path or remove the setting.`,
    );
    expect(err.key).toBe('connection.tls.caFile');
  });

  it('connects without TLS or credentials by default', () => {
    expect(connectionOptions(loadConfig({ cwd: projectWith(null), env: {} }))).toEqual({ address: '127.0.0.1:7233' });
  });

  it('refuses disableHostVerification, which the TypeScript SDK cannot honour', () => {
    const config = loadConfig({
      cwd: projectWith(null),
      env: { TEMPORAL_TLS: 'true', TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' },
    });
    expect(thrown(() => connectionOptions(config)).key).toBe('connection.tls.disableHostVerification');
  });
});

describe('secrets', () => {
  const env = { TEMPORAL_API_KEY: API_KEY, TEMPORAL_TLS_CLIENT_CERT_DATA: CERT_PEM, TEMPORAL_TLS_CLIENT_KEY_DATA: KEY_PEM };

  it('are replaced by *** in describeConfig', () => {
    const config = loadConfig({ cwd: projectWith(null), env });
    const printed = JSON.stringify(describeConfig(config));

    expect(printed).not.toContain(API_KEY);
    expect(printed).not.toContain('c2VjcmV0LWtleS1tYXRlcmlhbA');
    expect(describeConfig(config).connection.apiKey).toBe('***');
    expect(describeConfig(config).connection.tls.keyData).toBe('***');
    expect(config.connection.apiKey).toBe(API_KEY);
  });

  it('never appear in error messages', () => {
    const messages = [
      thrown(() => loadConfig({ cwd: projectWith(`connection: { apiKey: ${API_KEY}, bogus: 1 }`), env: {} })).message,
      thrown(() => loadConfig({ cwd: projectWith('connection: { apiKey: [1234567] }'), env: {} })).message,
      thrown(() => loadConfig({ cwd: projectWith('connection: { tls: { keyData: 1234567 } }'), env: {} })).message,
      thrown(() => loadConfig({ cwd: projectWith(null), env: { TEMPORAL_TLS_CLIENT_KEY_DATA: KEY_PEM } })).message,
      thrown(() => loadConfig({ cwd: projectWith('devServer: { port: x }'), env })).message,
    ];
    expect(messages[1]).toBe('temporal.yaml: connection.apiKey must be an API key or null, found a list.');
    expect(messages[2]).toBe('temporal.yaml: connection.tls.keyData must be PEM text or null, found a value that is not shown.');
    for (const message of messages) {
      expect(message).not.toContain(API_KEY);
      expect(message).not.toContain('1234567');
      expect(message).not.toContain('c2VjcmV0LWtleS1tYXRlcmlhbA');
    }
  });
});
