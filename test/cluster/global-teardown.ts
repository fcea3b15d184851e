import { runScript } from './global-setup';

/** Tears down the cluster global setup brought up (one it was given stays up). */
export default async function globalTeardown(): Promise<void> {
  const state = process.env.TASKFLOW_CLUSTER_STATE;
  if (state && process.env.TASKFLOW_CLUSTER_OWNED === '1' && process.env.TASKFLOW_CLUSTER_KEEP !== '1') await runScript(['down', state]);
}
