import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { getActivator } from '@temporalio/workflow/lib/global-attributes';
import { writeMetricsInterceptor } from './metrics';

/**
 * Runs hooks at the end of a workflow activation, once every job and microtask of it is done, so a
 * burst of record changes reaches Temporal as one search-attribute and one memo upsert.
 * Hooks are kept per workflow execution (the activator), never in module state.
 */
const hooksByActivation = new WeakMap<object, Set<() => void>>();

export function atActivationEnd(hook: () => void): void {
  const activator = getActivator();
  let hooks = hooksByActivation.get(activator);
  if (!hooks) hooksByActivation.set(activator, (hooks = new Set()));
  hooks.add(hook);
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [writeMetricsInterceptor],
  internals: [
    {
      concludeActivation(input, next) {
        const activator = getActivator() as unknown as { commands: typeof input.commands };
        const hooks = hooksByActivation.get(activator);
        if (!hooks?.size) return next(input);
        const pending = [...hooks];
        hooks.clear();
        for (const hook of pending) hook();
        // The hooks' commands land in the SDK's buffer after it collected this activation's
        // commands (it has no later hook); move them into this activation, in issue order.
        const issued = activator.commands.splice(0);
        return next({ ...input, commands: [...input.commands, ...issued] });
      },
    },
  ],
});
