import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { TaskFlowConfig } from '../../src/config';

const root = path.resolve(__dirname, '..', '..');
const register = path.join(__dirname, 'ts-register.js');

/** Environment that points a TaskFlow process at a test config's server, namespace and task queue. */
export function processEnv(config: TaskFlowConfig, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: config.connection.address,
    TEMPORAL_NAMESPACE: config.connection.namespace,
    TASKFLOW_TASK_QUEUE: config.taskQueue,
    ...extra,
  };
}

/** Runs a TypeScript file of this project in its own Node process; resolves once it prints `readyLine`. */
export async function spawnTs(file: string, env: NodeJS.ProcessEnv, readyLine?: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', register, path.resolve(root, file)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  if (!readyLine) return child;
  await new Promise<void>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes(readyLine)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready: ${stderr.slice(-2000)}`)));
  });
  return child;
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
