import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { parseConfig, type LoadedConfig, type TaskFlowConfig } from '../../src/config';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object | null ? DeepPartial<NonNullable<T[K]>> | T[K] : T[K] };

/** Address of the dev server global setup started (or the one TASKFLOW_TEST_ADDRESS named). */
export function testAddress(): string {
  const address = process.env.TASKFLOW_TEST_ADDRESS;
  if (!address) throw new Error('TASKFLOW_TEST_ADDRESS is not set; run the tests through jest (its global setup starts the server).');
  return address;
}

export function testNamespace(): string {
  return process.env.TASKFLOW_TEST_NAMESPACE || 'default';
}

/** A client connection to the test server; close it in afterAll. */
export function testConnection(): Promise<Connection> {
  return Connection.connect({ address: testAddress() });
}

/** The default config pointed at the test server, on a task queue of its own, with `overrides` merged in. */
export function testConfig(overrides: DeepPartial<TaskFlowConfig> = {}): LoadedConfig {
  const base = parseConfig('');
  base.connection.address = testAddress();
  base.connection.namespace = testNamespace();
  base.taskQueue = `test-${randomUUID()}`;
  base.devServer.enabled = false;
  base.ui.url = process.env.TASKFLOW_TEST_UI_URL || null;
  return { ...merge(base, overrides), projectRoot: process.cwd(), configFile: null };
}

function merge<T>(base: T, overrides: DeepPartial<T>): T {
  const result = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides as Record<string, unknown>)) {
    const current = result[key];
    const bothObjects = value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object';
    result[key] = bothObjects ? merge(current, value as DeepPartial<unknown>) : value;
  }
  return result as T;
}

/**
 * Polls `read` until `ok` holds, backing off from 50 ms to 500 ms; a read that throws counts as not
 * yet (a flow mid-recovery may not answer). At the deadline it throws with the last value or error.
 */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    let last: { value: T } | { error: unknown };
    try {
      const value = await read();
      if (ok(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() + delay > deadline) {
      if ('error' in last) throw last.error;
      throw new Error(`Condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last.value)?.slice(0, 500)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
