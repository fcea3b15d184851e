import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { SA_LOOKUP_KEY, SA_SYNC_MODE } from '../model/search-attributes';
import { AmbiguousLookupError, FlowNotFoundError } from './errors';
import { IS_FLOW, quote } from './visibility';
import { LIST_MEMO_KEY, type FlowListMemo } from '../model/listing';

const MIN_PREFIX = 6;
const MAX_MATCHES_LISTED = 10;

/**
 * Resolves `<lookup>` (spec §4): an exact flow id; else a lookup key → the newest open flow with it,
 * falling back to the newest; else a unique flow-id prefix of at least six characters.
 */
export async function resolveLookup(client: Client, lookup: string): Promise<string> {
  return (await resolveDescribed(client, lookup)).flowId;
}

/** The same, also handing back the execution's description when the lookup was a flow id (no second describe). */
export async function resolveDescribed(client: Client, lookup: string): Promise<{ flowId: string; description?: WorkflowExecutionDescription }> {
  const token = lookup.trim();
  if (!token) throw new FlowNotFoundError(lookup);

  try {
    const description = await client.workflow.getHandle(token).describe();
    if (description.typedSearchAttributes.get(SA_SYNC_MODE)) return { flowId: token, description };
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }

  const byKey = await newestByLookupKey(client, token);
  if (byKey) return { flowId: byKey };

  if (token.length >= MIN_PREFIX) {
    const matches: string[] = [];
    for await (const info of client.workflow.list({ query: `${IS_FLOW} AND WorkflowId STARTS_WITH ${quote(token)}`, pageSize: MAX_MATCHES_LISTED + 1 })) {
      if (!matches.includes(info.workflowId)) matches.push(info.workflowId);
      if (matches.length > MAX_MATCHES_LISTED) break;
    }
    if (matches.length === 1) return { flowId: matches[0]! };
    if (matches.length > 1) throw new AmbiguousLookupError(token, matches);
  }
  throw new FlowNotFoundError(token);
}

async function newestByLookupKey(client: Client, key: string): Promise<string | null> {
  const candidates: Array<{ flowId: string; open: boolean; createdAt: string }> = [];
  for await (const info of client.workflow.list({ query: `${IS_FLOW} AND ${SA_LOOKUP_KEY.name} = ${quote(key)}` })) {
    const memo = info.memo?.[LIST_MEMO_KEY] as Partial<FlowListMemo> | undefined;
    candidates.push({ flowId: info.workflowId, open: info.status.name === 'RUNNING', createdAt: memo?.createdAt ?? info.startTime.toISOString() });
  }
  const newest = (list: typeof candidates) => list.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]?.flowId ?? null;
  return newest(candidates.filter((c) => c.open)) ?? newest(candidates);
}

export function isNotFound(err: unknown): boolean {
  return (err as { name?: string })?.name === 'WorkflowNotFoundError' || (err as { code?: number })?.code === 5;
}
