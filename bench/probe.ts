import { Client, Connection } from '@temporalio/client';
import { BenchFlowClient, type BenchContext } from './context';

/**
 * Runs `fn` on a connection that records every gRPC method it calls: how many round trips a
 * TaskFlow operation costs compared with the one call its baseline makes.
 */
export async function rpcCalls(ctx: BenchContext, fn: (flows: BenchFlowClient, client: Client) => Promise<unknown>): Promise<string[]> {
  const calls: string[] = [];
  const connection = await Connection.connect({
    address: ctx.server.address,
    interceptors: [
      (options: { method_definition: { path: string } }, next: (o: unknown) => unknown) => {
        const method = options.method_definition.path.split('/').pop()!;
        // Asked once per new connection, not per operation.
        if (method !== 'GetSystemInfo') calls.push(method);
        return next(options);
      },
    ] as never,
  });
  try {
    const client = new Client({ connection, namespace: ctx.server.namespace });
    await fn(new BenchFlowClient(client, ctx.config), client);
    return calls;
  } finally {
    await connection.close();
  }
}

/** `DescribeWorkflowExecution×2, UpdateWorkflowExecution`. */
export const rpcs = (calls: string[]) => `${calls.length} RPC${calls.length === 1 ? '' : 's'} (${callList(calls)})`;

export function callList(calls: string[]): string {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts].map(([name, n]) => (n > 1 ? `${name}×${n}` : name)).join(', ');
}
