import * as fs from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { ConfigError } from './errors';
import type { TaskFlowConfig } from './schema';

/** Accepted as is by both `Connection.connect` (client) and `NativeConnection.connect` (worker). */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
  metadata?: Record<string, string>;
}

/** Connection options for the configured server; reads the TLS files now, so a missing one fails here. */
export function connectionOptions(config: Pick<TaskFlowConfig, 'connection'>): TemporalConnectionOptions {
  const { address, apiKey, namespace, tls } = config.connection;
  const options: TemporalConnectionOptions = { address };
  if (apiKey !== null) {
    options.apiKey = apiKey;
    // Temporal Cloud routes API-key requests by this header when the endpoint is not namespace-specific.
    options.metadata = { 'temporal-namespace': namespace };
  }
  if (!tls.enabled) return options;

  if (tls.disableHostVerification) {
    throw new ConfigError(
      'connection.tls.disableHostVerification is not supported by the Temporal TypeScript SDK; set connection.tls.serverName to the name in the server certificate instead.',
      undefined,
      'connection.tls.disableHostVerification',
    );
  }
  const ca = material(tls.caFile, tls.caData, 'connection.tls.caFile');
  const cert = material(tls.certFile, tls.certData, 'connection.tls.certFile');
  const key = material(tls.keyFile, tls.keyData, 'connection.tls.keyFile');
  options.tls = {
    ...(tls.serverName !== null && { serverNameOverride: tls.serverName }),
    ...(ca && { serverRootCACertificate: ca }),
    ...(cert && key && { clientCertPair: { crt: cert, key } }),
  };
  return options;
}

function material(file: string | null, data: string | null, key: string): Buffer | undefined {
  if (data !== null) return Buffer.from(data);
  if (file === null) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new ConfigError(`${key} points at ${file}, which ${reason}; fix the path or remove the setting.`, undefined, key);
  }
}

const REDACTED = '***';

/** The config as it may be printed: the API key and TLS key material replaced by `***`. */
export function describeConfig<T extends TaskFlowConfig>(config: T): T {
  const printable = structuredClone(config);
  const { connection } = printable;
  if (connection.apiKey !== null) connection.apiKey = REDACTED;
  if (connection.tls.keyData !== null) connection.tls.keyData = REDACTED;
  return printable;
}
