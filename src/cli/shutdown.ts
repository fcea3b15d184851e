import type { Worker } from '@temporalio/worker';
import type { LoadedConfig } from '../config';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export interface ShutdownRequest {
  /** Aborted on the first SIGINT/SIGTERM: finish the current step, then stop in order. */
  signal: AbortSignal;
  dispose(): void;
}

/**
 * Takes over SIGINT/SIGTERM for a long-running command. The first asks for an orderly stop; the
 * second calls `force` (which should kill what must not outlive us) and exits at once.
 */
export function handleShutdownSignals(notify: (line: string) => void, force: () => void): ShutdownRequest {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      notify('Stopping; running tasks get their grace period (Ctrl-C again to force)...');
      controller.abort();
      return;
    }
    notify(`${signal} again: stopping now.`);
    force();
    process.exit(130);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const signal of SIGNALS) process.off(signal, onSignal);
    },
  };
}

/** Runs the worker until `stop` is aborted, then lets it drain (running tasks get `worker.shutdownGraceTime`). */
export async function runWorkerUntil(worker: Worker, stop: AbortSignal): Promise<void> {
  // The SDK's Runtime reacts to the same signals; whichever comes first starts the shutdown.
  const shutdown = () => worker.getState() === 'RUNNING' && worker.shutdown();
  // Run even when already stopped: run() is what releases the worker's connection once it has drained.
  const running = worker.run();
  if (stop.aborted) shutdown();
  else stop.addEventListener('abort', shutdown, { once: true });
  try {
    await running;
  } finally {
    stop.removeEventListener('abort', shutdown);
  }
}

/**
 * What `taskflow worker` and `taskflow dev` both do once connected: prepare the namespace, run the
 * flow worker, say it is ready, and return when `stop` has drained it.
 */
export async function serveFlows(config: LoadedConfig, stop: AbortSignal, ready: () => void | Promise<void>): Promise<void> {
  const { prepareNamespace } = await import('../server');
  await prepareNamespace(config);
  const { createFlowWorker } = await import('../worker');
  const worker = await createFlowWorker({ config });
  const running = runWorkerUntil(worker, stop);
  await ready();
  await running;
}
