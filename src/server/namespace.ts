import type { Connection } from '@temporalio/client';
import { openConnection } from '../client/connection';
import type { LoadedConfig, TaskFlowConfig } from '../config';
import { registerSearchAttributes } from './search-attributes';

type ServerConfig = Pick<TaskFlowConfig, 'connection'> & Partial<Pick<LoadedConfig, 'devServer' | 'addressSource'>>;

/** Opens a client connection to the configured server; a failure says whether anything answered there. */
export function connectToTemporal(config: ServerConfig): Promise<Connection> {
  return openConnection(config);
}

/** Makes the configured namespace ready for flows: the custom search attributes are registered. */
export async function prepareNamespace(config: ServerConfig): Promise<{ added: string[] }> {
  const connection = await connectToTemporal(config);
  try {
    return await registerSearchAttributes(connection, config.connection.namespace);
  } finally {
    await connection.close();
  }
}
