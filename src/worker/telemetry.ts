import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { TaskFlowConfig } from '../config';
import { CANCEL_LATENCY_BUCKETS, METRIC_NAMES } from '../flow/metrics';

/**
 * Runtime options that serve the SDK's metrics and TaskFlow's own (src/flow/metrics.ts) on
 * `worker.metrics.prometheus`, named the Prometheus way: counters end in `_total`, durations in seconds.
 */
export function workerRuntimeOptions(config: Pick<TaskFlowConfig, 'worker'>, base: RuntimeOptions = {}): RuntimeOptions {
  const bindAddress = config.worker.metrics.prometheus;
  if (!bindAddress) return base;
  return {
    ...base,
    telemetryOptions: {
      ...base.telemetryOptions,
      metrics: {
        prometheus: {
          bindAddress,
          countersTotalSuffix: true,
          useSecondsForDurations: true,
          histogramBucketOverrides: { [METRIC_NAMES.cancelLatency]: CANCEL_LATENCY_BUCKETS },
        },
      },
    },
  };
}

/**
 * Installs the SDK runtime with the worker's telemetry when metrics are configured. Call it before
 * anything opens a connection or a worker (the runtime is created once per process).
 */
export function installWorkerRuntime(config: Pick<TaskFlowConfig, 'worker'>): void {
  if (config.worker.metrics.prometheus) Runtime.install(workerRuntimeOptions(config));
}
