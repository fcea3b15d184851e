import * as net from 'node:net';
import type { State } from '@temporalio/worker';
import { ConfigError } from '../../src/config';
import { serveHealth } from '../../src/worker';

const about = { namespace: 'default', taskQueue: 'health-check' };

test('/healthz answers 200 while the worker runs and 503 while it starts or drains; other paths 404', async () => {
  let state: State = 'INITIALIZED';
  const health = await serveHealth(() => state, '127.0.0.1:0', about);
  try {
    const url = `http://${health.address}/healthz`;
    expect((await fetch(url)).status).toBe(503);
    state = 'RUNNING';
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, state: 'RUNNING', ...about });
    state = 'DRAINING';
    expect(await (await fetch(url)).json()).toMatchObject({ ok: false, state: 'DRAINING' });
    expect((await fetch(`http://${health.address}/`)).status).toBe(404);
  } finally {
    await health.close();
  }
});

test('a health address already in use is one sentence naming worker.health', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as net.AddressInfo;
  try {
    const failure = await serveHealth(() => 'RUNNING', `127.0.0.1:${port}`, about).catch((err) => err);
    expect(failure).toBeInstanceOf(ConfigError);
    expect(failure.message).toBe(`worker.health could not listen on 127.0.0.1:${port} (EADDRINUSE); choose a free address or set it to null.`);
  } finally {
    taken.close();
  }
});
