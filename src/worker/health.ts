import * as http from 'node:http';
import type { State } from '@temporalio/worker';
import { ConfigError } from '../config';

export interface HealthServer {
  /** host:port actually listened on (a port 0 in the config is resolved). */
  address: string;
  close(): Promise<void>;
}

/**
 * `GET /healthz` for orchestrators: 200 while the worker polls its task queue, 503 while it starts,
 * drains or after it failed. The Prometheus exporter owns its own port, so this listens on another.
 */
export async function serveHealth(stateOf: () => State, bind: string, about: { namespace: string; taskQueue: string }): Promise<HealthServer> {
  const server = http.createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/healthz') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found; the health check is GET /healthz.\n');
      return;
    }
    const state = stateOf();
    const ok = state === 'RUNNING';
    response
      .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
      .end(`${JSON.stringify({ ok, state, namespace: about.namespace, taskQueue: about.taskQueue })}\n`);
  });
  const separator = bind.lastIndexOf(':');
  const host = bind.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(bind.slice(separator + 1));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new ConfigError(
          `worker.health could not listen on ${bind} (${err.code ?? err.message}); choose a free address or set it to null.`,
          undefined,
          'worker.health',
        ),
      ),
    );
    server.listen(port, host, resolve);
  });
  const { port: actual } = server.address() as { port: number };
  return {
    address: `${host.includes(':') ? `[${host}]` : host}:${actual}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
