import { Connection } from '@temporalio/client';
import { ServerUnavailableError } from '../client/errors';
import { connectionOptions, type TaskFlowConfig } from '../config';
import { registerSearchAttributes } from './search-attributes';

/** Opens a client connection to the configured server; a failure names the address tried. */
export async function connectToTemporal(config: Pick<TaskFlowConfig, 'connection'>): Promise<Connection> {
  const options = connectionOptions(config);
  const connection = Connection.lazy({ ...options, connectTimeout: 5_000 });
  try {
    await connection.ensureConnected();
    return connection;
  } catch (err) {
    await connection.close();
    throw new ServerUnavailableError(options.address, (err as Error).message.split('\n')[0]);
  }
}

/** Makes the configured namespace ready for flows: the custom search attributes are registered. */
export async function prepareNamespace(config: Pick<TaskFlowConfig, 'connection'>): Promise<{ added: string[] }> {
  const connection = await connectToTemporal(config);
  try {
    return await registerSearchAttributes(connection, config.connection.namespace);
  } finally {
    await connection.close();
  }
}
