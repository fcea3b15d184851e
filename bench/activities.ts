import { workFor } from '../src/task';

/** Activities shared by the TaskFlow flows and the plain baseline workflows: identical work on both sides. */

export async function benchPrepare(n: number): Promise<number> {
  return n + 1;
}

export async function benchTransform(n: number): Promise<number> {
  return n * 2;
}

export async function benchStore(n: number): Promise<string> {
  return `stored ${n}`;
}

/** Works for `ms`, heartbeating every 250 ms, so a cancellation reaches it within the heartbeat throttle. */
export async function benchHeartbeat(ms: number): Promise<void> {
  await workFor(ms, 'working');
}

/** Works for `ms` without a heartbeat of its own: what a task that never calls progress() looks like. */
export async function benchQuiet(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
