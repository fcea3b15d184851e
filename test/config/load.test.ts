import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { projectWith } from '../helpers/project';

function loadError(yaml: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  const cwd = projectWith(yaml);
  try {
    loadConfig({ cwd, env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('applies every default when there is no temporal.yaml', () => {
    const cwd = projectWith(null);
    const config = loadConfig({ cwd, env: {} });

    expect(config.configFile).toBeNull();
    expect(config.projectRoot).toBe(cwd);
    expect(config.connection).toEqual({
      address: '127.0.0.1:7233',
      namespace: 'default',
      apiKey: null,
      tls: {
        enabled: false,
        serverName: null,
        caFile: null,
        certFile: null,
        keyFile: null,
        caData: null,
        certData: null,
        keyData: null,
        disableHostVerification: false,
      },
    });
    expect(config.taskQueue).toBe('taskflow');
    expect(config.ui.url).toBe('http://127.0.0.1:8233');
    expect(config.devServer).toEqual({
      enabled: true,
      cliVersion: '1.9.1',
      dbFile: '.temporal/taskflow.db',
      ip: '127.0.0.1',
      port: 7233,
      uiPort: 8233,
      headless: false,
      logLevel: 'warn',
    });
    expect(config.worker).toEqual({
      maxConcurrentActivityTaskExecutions: 100,
      maxConcurrentWorkflowTaskExecutions: 40,
      maxCachedWorkflows: 1000,
      shutdownGraceTime: '10s',
      maxHeartbeatThrottleInterval: '250ms',
      autoHeartbeat: true,
      metrics: { prometheus: null },
      health: null,
    });
    expect(config.flowDefaults).toEqual({
      startToCloseTimeout: '10m',
      heartbeatTimeout: '5s',
      retry: { maximumAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
      cancelGracePeriod: '10s',
    });
  });

  it("accepts the project's own temporal.yaml unchanged as the defaults", () => {
    const repoRoot = path.resolve(__dirname, '../..');
    const fromFile = loadConfig({ cwd: repoRoot, env: {} });
    const defaults = loadConfig({ cwd: projectWith(null), env: {} });

    expect(fromFile.configFile).toBe(path.join(repoRoot, 'temporal.yaml'));
    const { projectRoot: _a, configFile: _b, ...fileSettings } = fromFile;
    const { projectRoot: _c, configFile: _d, ...defaultSettings } = defaults;
    expect(fileSettings).toEqual(defaultSettings);
  });

  it('reads a complete file found by walking up from a nested directory', () => {
    const root = projectWith(`
connection:
  address: temporal.internal:7233
  namespace: flows
  tls:
    serverName: temporal.internal
    caFile: certs/ca.pem
taskQueue: billing
ui:
  url: https://temporal.example.com
devServer:
  enabled: false
  port: 7300
  dbFile: null
worker:
  maxCachedWorkflows: 0
  shutdownGraceTime: 500ms
flowDefaults:
  heartbeatTimeout: 2h
  retry:
    maximumAttempts: 0
    backoffCoefficient: 1.5
`);
    const nested = path.join(root, 'a', 'b');
    fs.mkdirSync(nested, { recursive: true });

    const config = loadConfig({ cwd: nested, env: {} });

    expect(config.configFile).toBe(path.join(root, 'temporal.yaml'));
    expect(config.projectRoot).toBe(root);
    expect(config.connection.address).toBe('temporal.internal:7233');
    expect(config.connection.namespace).toBe('flows');
    expect(config.connection.tls.enabled).toBe(true);
    expect(config.connection.tls.caFile).toBe(path.join(root, 'certs/ca.pem'));
    expect(config.taskQueue).toBe('billing');
    expect(config.ui.url).toBe('https://temporal.example.com');
    expect(config.devServer).toMatchObject({ enabled: false, port: 7300, dbFile: null, uiPort: 8233 });
    expect(config.worker).toMatchObject({ maxCachedWorkflows: 0, shutdownGraceTime: '500ms' });
    expect(config.flowDefaults.heartbeatTimeout).toBe('2h');
    expect(config.flowDefaults.retry).toEqual({
      maximumAttempts: 0,
      initialInterval: '1s',
      backoffCoefficient: 1.5,
      maximumInterval: '1m',
    });
  });

  it('points the connection and the UI link at the dev server when no address is given', () => {
    const config = loadConfig({ cwd: projectWith('devServer: { ip: 0.0.0.0, port: 7400, uiPort: 8400 }'), env: {} });
    expect(config.connection.address).toBe('127.0.0.1:7400');
    expect(config.ui.url).toBe('http://127.0.0.1:8400');

    const headless = loadConfig({ cwd: projectWith('devServer: { headless: true }'), env: {} });
    expect(headless.ui.url).toBeNull();
  });

  it('reads the file named by TASKFLOW_CONFIG instead of searching', () => {
    const elsewhere = projectWith(null);
    const file = path.join(elsewhere, 'staging.yaml');
    fs.writeFileSync(file, 'taskQueue: staging\n');

    const config = loadConfig({ cwd: projectWith('taskQueue: ignored'), env: { TASKFLOW_CONFIG: file } });

    expect(config.configFile).toBe(file);
    expect(config.projectRoot).toBe(elsewhere);
    expect(config.taskQueue).toBe('staging');
  });

  it('says so when TASKFLOW_CONFIG names a file that does not exist', () => {
    const missing = path.join(projectWith(null), 'nope.yaml');
    expect(() => loadConfig({ env: { TASKFLOW_CONFIG: missing } })).toThrow(
      new ConfigError(`The settings file ${missing} does not exist; fix TASKFLOW_CONFIG or create the file.`),
    );
  });

  it('treats an empty file as all defaults', () => {
    expect(loadConfig({ cwd: projectWith('# nothing yet\n'), env: {} }).taskQueue).toBe('taskflow');
  });
});

describe('loadConfig on an invalid temporal.yaml', () => {
  it('names an unknown key and the keys it could have been', () => {
    const err = loadError('devServer:\n  prot: 7233\n');
    expect(err.message).toBe(
      'temporal.yaml: devServer.prot is not a known key; expected one of enabled, cliVersion, dbFile, ip, port, uiPort, headless, logLevel.',
    );
    expect(err.type).toBe('config_error');
    expect(err.key).toBe('devServer.prot');
    expect(err.file).toBe('temporal.yaml');
  });

  it('names an unknown top-level key', () => {
    expect(loadError('taskqueue: x\n').message).toBe(
      'temporal.yaml: taskqueue is not a known key; expected one of connection, taskQueue, ui, devServer, worker, flowDefaults.',
    );
  });

  it('names the key, the value found and the type expected', () => {
    expect(loadError('devServer:\n  port: abc\n').message).toBe(
      'temporal.yaml: devServer.port must be an integer between 1 and 65535, found "abc".',
    );
    expect(loadError('devServer:\n  port: 70000\n').message).toBe(
      'temporal.yaml: devServer.port must be an integer between 1 and 65535, found 70000.',
    );
    expect(loadError('devServer:\n  headless: sometimes\n').message).toBe(
      'temporal.yaml: devServer.headless must be true or false, found "sometimes".',
    );
    expect(loadError('devServer:\n  logLevel: loud\n').message).toBe(
      'temporal.yaml: devServer.logLevel must be one of debug, info, warn, error, never, found "loud".',
    );
    expect(loadError('connection: 5\n').message).toBe(
      'temporal.yaml: connection must be a mapping of connection settings, found 5.',
    );
    expect(loadError('connection:\n  address: just-a-host\n').message).toBe(
      'temporal.yaml: connection.address must be a host:port address such as "127.0.0.1:7233", found "just-a-host".',
    );
    expect(loadError('ui:\n  url: [a, b]\n').message).toBe(
      'temporal.yaml: ui.url must be an http(s) URL or null, found a list.',
    );
    expect(loadError('- a\n- b\n').message).toBe('temporal.yaml must be a mapping of settings, found a list.');
  });

  it('rejects a malformed duration, saying what a duration looks like', () => {
    const err = loadError('flowDefaults:\n  retry:\n    maximumInterval: 10 minutes\n');
    expect(err.message).toBe(
      'temporal.yaml: flowDefaults.retry.maximumInterval must be a duration such as "500ms", "30s", "15m", "2h" or "7d", found "10 minutes".',
    );
    expect(err.key).toBe('flowDefaults.retry.maximumInterval');
    expect(loadError('worker:\n  shutdownGraceTime: 10\n').message).toBe(
      'temporal.yaml: worker.shutdownGraceTime must be a duration such as "500ms", "30s", "15m", "2h" or "7d", found 10.',
    );
  });

  it('names the file and line of a YAML syntax error', () => {
    const err = loadError('taskQueue: flows\ndevServer:\n  port: 7233\n bad: indent\n');
    expect(err.message).toBe(
      'temporal.yaml line 4, column 1: invalid YAML (all mapping items must start at the same column); fix the syntax there.',
    );
    expect(loadError('taskQueue: a\ntaskQueue: b\n').message).toMatch(/^temporal\.yaml line 2, column 1: invalid YAML \(map keys must be unique\)/);
  });

  it('names the file relative to the directory it was searched from', () => {
    const root = projectWith('devServer: { port: 0 }\n');
    const nested = path.join(root, 'src');
    fs.mkdirSync(nested);
    expect(() => loadConfig({ cwd: nested, env: {} })).toThrow(
      `${path.join(root, 'temporal.yaml')}: devServer.port must be an integer between 1 and 65535, found 0.`,
    );
  });

  it('reports each message as one sentence', () => {
    for (const yaml of ['devServer: { prot: 1 }', 'worker: { maxCachedWorkflows: -1 }', 'a: b: c']) {
      const { message } = loadError(yaml);
      expect(message).toMatch(/^[^\n]+\.$/);
      expect(message.match(/\. /g)).toBeNull();
    }
  });

  it('requires a client certificate and its key together', () => {
    expect(loadError('connection:\n  tls:\n    certFile: client.pem\n').message).toBe(
      'temporal.yaml: connection.tls.certFile is set but connection.tls.keyFile is not; a client certificate needs both.',
    );
  });
});
