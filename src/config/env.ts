import * as path from 'node:path';
import { ConfigError } from './errors';
import { ADDRESS_PATTERN, type TaskFlowConfig } from './schema';

type Tls = TaskFlowConfig['connection']['tls'];

/**
 * TLS material the Temporal CLI accepts from the environment, each as a path or as inline data.
 * Several spellings exist across Temporal CLI versions; all of them are honoured.
 */
const TLS_MATERIAL: Array<{ file: keyof Tls; data: keyof Tls; paths: string[]; inline: string[] }> = [
  {
    file: 'caFile',
    data: 'caData',
    paths: ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CA_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'],
    inline: ['TEMPORAL_TLS_CA_DATA', 'TEMPORAL_TLS_SERVER_CA_CERT_DATA'],
  },
  {
    file: 'certFile',
    data: 'certData',
    paths: ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_CLIENT_CERT_PATH'],
    inline: ['TEMPORAL_TLS_CERT_DATA', 'TEMPORAL_TLS_CLIENT_CERT_DATA'],
  },
  {
    file: 'keyFile',
    data: 'keyData',
    paths: ['TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CLIENT_KEY_PATH'],
    inline: ['TEMPORAL_TLS_KEY_DATA', 'TEMPORAL_TLS_CLIENT_KEY_DATA'],
  },
];

/** What the environment set, so defaults derived later can tell an explicit value from a default one. */
export interface EnvOverrides {
  address: boolean;
  tlsEnabled: boolean;
}

/** Applies TEMPORAL_* and TASKFLOW_* overrides to a validated config (mutates and returns it). */
export function applyEnvOverrides(config: TaskFlowConfig, env: NodeJS.ProcessEnv, cwd: string): EnvOverrides {
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const { connection } = config;

  const address = read('TEMPORAL_ADDRESS');
  if (address !== undefined) {
    if (!ADDRESS_PATTERN.test(address)) {
      throw new ConfigError(
        `TEMPORAL_ADDRESS must be a host:port address such as "127.0.0.1:7233", found ${JSON.stringify(address)}.`,
        undefined,
        'TEMPORAL_ADDRESS',
      );
    }
    connection.address = address;
  }
  connection.namespace = read('TEMPORAL_NAMESPACE') ?? connection.namespace;
  connection.apiKey = env.TEMPORAL_API_KEY ? env.TEMPORAL_API_KEY.trim() : connection.apiKey;
  config.taskQueue = read('TASKFLOW_TASK_QUEUE') ?? config.taskQueue;

  const tls = connection.tls;
  const tlsEnabled = readBoolean(read, 'TEMPORAL_TLS');
  if (tlsEnabled !== undefined) tls.enabled = tlsEnabled;
  tls.disableHostVerification = readBoolean(read, 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION') ?? tls.disableHostVerification;
  tls.serverName = read('TEMPORAL_TLS_SERVER_NAME') ?? tls.serverName;

  for (const material of TLS_MATERIAL) {
    const given = [...material.paths, ...material.inline].filter((name) => read(name) !== undefined);
    if (given.length === 0) continue;
    if (given.length > 1) {
      throw new ConfigError(
        `Only one of ${given.join(' and ')} may be set, found both; unset all but one.`,
        undefined,
        given[0],
      );
    }
    const name = given[0]!;
    // An environment setting replaces whatever temporal.yaml said about the same certificate or key.
    const isPath = material.paths.includes(name);
    (tls[material.file] as string | null) = isPath ? path.resolve(cwd, read(name)!) : null;
    (tls[material.data] as string | null) = isPath ? null : env[name]!;
  }

  return { address: address !== undefined, tlsEnabled: tlsEnabled !== undefined };
}

function readBoolean(read: (name: string) => string | undefined, name: string): boolean | undefined {
  const value = read(name);
  if (value === undefined) return undefined;
  if (/^(true|1|t|yes)$/i.test(value)) return true;
  if (/^(false|0|f|no)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false, found ${JSON.stringify(value)}.`, undefined, name);
}
