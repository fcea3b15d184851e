/** Stops the dev server global-setup started (none when TASKFLOW_TEST_ADDRESS pointed at another). */
export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__TASKFLOW_TEST_SERVER__;
  globalThis.__TASKFLOW_TEST_SERVER__ = undefined;
  await server?.stop();
}
