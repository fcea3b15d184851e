import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { writeMetricsInterceptor } from './metrics';

/** The workflow interceptors every flow worker bundles (a public SDK extension point): write metrics. */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [writeMetricsInterceptor],
});
