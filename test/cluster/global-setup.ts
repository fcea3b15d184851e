import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { ensureTemporalCli } from '../../src/server';

const root = path.resolve(__dirname, '..', '..');
export const CLUSTER_SCRIPT = path.join(root, 'deploy', 'cluster', 'cluster.sh');

/**
 * Brings up the recipe's cluster (building the server first if needed) and tells the suites where it
 * is: TASKFLOW_CLUSTER_STATE (the state directory cluster.sh takes), TASKFLOW_TEST_ADDRESS and
 * TASKFLOW_TEST_NAMESPACE. With TASKFLOW_CLUSTER_STATE already set, that running cluster is used.
 */
export default async function globalSetup(): Promise<void> {
  const config = loadConfig({ cwd: root, env: {} });
  const cli = await ensureTemporalCli({ config, projectRoot: root, onProgress: (line) => process.stderr.write(`[cluster] ${line}\n`) });
  process.env.TEMPORAL_CLI = cli.path;
  let state = process.env.TASKFLOW_CLUSTER_STATE;
  if (!state) {
    state = (await runScript(['up'])).trim().split('\n').pop()!;
    process.env.TASKFLOW_CLUSTER_OWNED = '1';
  }
  process.env.TASKFLOW_CLUSTER_STATE = state;
  const env = await runScript(['env', state]);
  process.env.TASKFLOW_TEST_ADDRESS = /TEMPORAL_ADDRESS=(\S+)/.exec(env)![1];
  process.env.TASKFLOW_TEST_NAMESPACE = /TEMPORAL_NAMESPACE=(\S+)/.exec(env)![1];
  process.env.TASKFLOW_TEST_UI_URL = '';
  process.stderr.write(`\n[cluster] Temporal cluster at ${process.env.TASKFLOW_TEST_ADDRESS} (state ${state})\n`);
}

/** Runs cluster.sh; its progress goes to stderr, its answer (stdout) is returned. */
export function runScript(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [CLUSTER_SCRIPT, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`cluster.sh ${args.join(' ')} exited with ${code}`))));
  });
}
