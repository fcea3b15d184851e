import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Connection } from '@temporalio/client';
import { FLOW_SEARCH_ATTRIBUTES } from '../../src/model/search-attributes';
import { registerSearchAttributes, SearchAttributeError } from '../../src/server';
import { eventually, testAddress, testConnection } from '../helpers/server';

/**
 * SQL visibility (and the dev server's SQLite) allow 3 Int search attributes per namespace. On a
 * namespace where others already hold Int slots, registering TaskFlow's fails; the error names what
 * holds them and the two ways out, in one sentence, and registers nothing.
 */
let connection: Connection;
beforeAll(async () => {
  connection = await testConnection();
});
afterAll(() => connection.close());

test('a namespace whose Int slots are taken: one sentence naming what to free, or a dedicated namespace', async () => {
  const namespace = `sa-full-${randomUUID().slice(0, 8)}`;
  await promisify(execFile)(process.env.TEMPORAL_CLI!, ['operator', 'namespace', 'create', '--namespace', namespace, '--address', testAddress()]);
  // A new namespace reaches the operator service after its next cache refresh.
  await eventually(
    () => connection.operatorService.listSearchAttributes({ namespace }).then(() => true, () => false),
    (ok) => ok,
    30_000,
  );
  await registerSearchAttributes(connection, namespace, [
    { name: 'OrderPriority', type: 'INT' },
    { name: 'RetryBudget', type: 'INT' },
  ]);

  const intNeeded = FLOW_SEARCH_ATTRIBUTES.filter(({ type }) => type === 'INT').map(({ name }) => name);
  const attempt = registerSearchAttributes(connection, namespace);
  await expect(attempt).rejects.toThrow(SearchAttributeError);
  const message = String(await attempt.catch((err: Error) => err.message));
  expect(message).toBe(
    `Namespace ${namespace} has no room for TaskFlow's Int search attributes ${intNeeded.join(', ')} ` +
      '(the server allows 3 of type Int per namespace and OrderPriority, RetryBudget hold 2); ' +
      `remove ${intNeeded.length - 1} Int attribute${intNeeded.length - 1 === 1 ? '' : 's'} you no longer need ` +
      '(temporal operator search-attribute remove --name NAME) or give TaskFlow a namespace of its own (TEMPORAL_NAMESPACE).',
  );
  expect(message.split('. ')).toHaveLength(1);
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  expect(Object.keys(customAttributes ?? {}).filter((name) => name.startsWith('TaskFlow'))).toEqual([]);
}, 90_000);
