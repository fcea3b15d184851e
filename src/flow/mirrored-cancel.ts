import { log, proxyActivities } from '@temporalio/workflow';
import type { CancelHookInput, CancelHookResult } from '../model/transitions';
import { messageOf } from './tasks';

/**
 * Asks the external system, through the flow's cancel hook activity, to stop these tasks; answers
 * the ids it confirmed stopped. A hook that fails confirms none: those tasks stay active.
 */
export async function stopWithHook(hook: string | undefined, input: CancelHookInput): Promise<string[]> {
  if (!hook || input.tasks.length === 0) return [];
  const activities = proxyActivities<Record<string, (input: CancelHookInput) => Promise<CancelHookResult>>>({
    startToCloseTimeout: '1m',
    retry: { maximumAttempts: 3, initialInterval: '1s' },
    summary: `Cancel hook ${hook}: stop ${input.tasks.length} task(s)`,
  });
  try {
    const result = await activities[hook]!(input);
    return Array.isArray(result?.cancelled) ? result.cancelled.filter((id): id is string => typeof id === 'string') : [];
  } catch (err) {
    log.warn('The cancel hook failed; its tasks stay active.', { hook, error: messageOf(err) });
    return [];
  }
}
