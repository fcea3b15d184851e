import type { Context } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';

/** Longest gap between automatic heartbeats; a short heartbeat timeout makes it shorter. */
const MAX_INTERVAL_MS = 1_000;
const MIN_INTERVAL_MS = 50;

/** How often a running task is heartbeated for: every second, or a third of its heartbeat timeout if shorter. */
export function autoHeartbeatInterval(heartbeatTimeoutMs: number | undefined): number {
  if (!heartbeatTimeoutMs) return MAX_INTERVAL_MS;
  return Math.max(MIN_INTERVAL_MS, Math.min(MAX_INTERVAL_MS, Math.floor(heartbeatTimeoutMs / 3)));
}

/**
 * Heartbeats every running task in the background, so the server notices a dead worker within the
 * task's heartbeat timeout and a cancel reaches a task that never calls `progress()`. Each beat
 * re-sends the details the task last gave (or its previous attempt's), so progress is never wiped.
 * A task that blocks the event loop blocks these beats too: it needs a heartbeat timeout longer
 * than its longest blocking stretch.
 */
export function autoHeartbeat(ctx: Context): ActivityInterceptors {
  if (ctx.info.isLocal) return {};
  let details: unknown = ctx.info.heartbeatDetails;
  let lastBeat = 0;
  const send = ctx.heartbeat;
  // `heartbeat` is a per-execution function property of the context: wrap it on this context only, so
  // whatever the task sends through `progress()`, `heartbeat()` or `Context.heartbeat` is remembered.
  Object.defineProperty(ctx, 'heartbeat', {
    value: (next?: unknown) => {
      details = next;
      lastBeat = Date.now();
      send(next);
    },
    configurable: true,
  });
  return {
    inbound: {
      async execute(input, next) {
        const interval = autoHeartbeatInterval(ctx.info.heartbeatTimeoutMs);
        const timer = setInterval(() => {
          if (Date.now() - lastBeat < interval) return; // the task heartbeated itself just now
          lastBeat = Date.now();
          send(details);
        }, interval);
        try {
          return await next(input);
        } finally {
          clearInterval(timer);
        }
      },
    },
  };
}
