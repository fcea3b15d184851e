import type { Connection } from '@temporalio/client';
import { FLOW_SEARCH_ATTRIBUTES } from '../model/search-attributes';
import { SearchAttributeError } from './errors';

export type SearchAttributeTypeName = 'TEXT' | 'KEYWORD' | 'INT' | 'DOUBLE' | 'BOOL' | 'DATETIME' | 'KEYWORD_LIST';

export interface SearchAttributeSpec {
  name: string;
  type: SearchAttributeTypeName;
}

// temporal.api.enums.v1.IndexedValueType wire values (fixed by the proto).
const INDEXED_VALUE_TYPE: Record<SearchAttributeTypeName, number> = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
};

const GRPC_NOT_FOUND = 5;
const GRPC_ALREADY_EXISTS = 6;

/**
 * Registers the flows' custom search attributes on `namespace` through the operator service (the dev
 * server ignores `--search-attribute` for a namespace already in its database), then waits until all
 * are listed. Idempotent; an attribute registered with another type is an error naming it.
 */
export async function registerSearchAttributes(
  connection: Connection,
  namespace: string,
  attributes: readonly SearchAttributeSpec[] = FLOW_SEARCH_ATTRIBUTES,
  timeoutMs = 10_000,
): Promise<{ added: string[] }> {
  const list = async () => {
    try {
      return (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
    } catch (err) {
      if ((err as { code?: number }).code === GRPC_NOT_FOUND) {
        throw new SearchAttributeError(
          `Namespace ${namespace} does not exist on the Temporal server; create it (temporal operator namespace create -n ${namespace}) or set connection.namespace in temporal.yaml.`,
        );
      }
      throw err;
    }
  };

  const registered = await list();
  const missing = missingAttributes(attributes, registered);
  if (missing.length > 0) {
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map(({ name, type }) => [name, INDEXED_VALUE_TYPE[type]])),
      });
    } catch (err) {
      const full = noRoomError(err, namespace, missing, registered);
      if (full) throw full;
      // Another process registering the same attributes at the same moment is fine; anything else is not.
      if ((err as { code?: number }).code !== GRPC_ALREADY_EXISTS) {
        const names = missing.map(({ name, type }) => `${name} (${type})`).join(', ');
        throw new SearchAttributeError(
          `Could not register the search attributes ${names} on namespace ${namespace} (${describeRpcError(err)}); ` +
            'register them with `temporal operator search-attribute create` or in the Temporal Cloud namespace settings.',
        );
      }
    }
  }

  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    const stillMissing = missingAttributes(attributes, await list());
    if (stillMissing.length === 0) return { added: missing.map(({ name }) => name) };
    if (Date.now() > deadline) {
      throw new SearchAttributeError(
        `The search attributes ${stillMissing.map(({ name }) => name).join(', ')} were registered on namespace ` +
          `${namespace} but are still not listed after ${timeoutMs / 1000}s; try again in a moment.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function missingAttributes(
  wanted: readonly SearchAttributeSpec[],
  registered: Record<string, unknown>,
): SearchAttributeSpec[] {
  return wanted.filter(({ name, type }) => {
    const existing = registered[name];
    if (existing === undefined) return true;
    if (existing !== INDEXED_VALUE_TYPE[type]) {
      throw new SearchAttributeError(
        `The search attribute ${name} is already registered as ${typeName(existing)}, but TaskFlow needs ${type}; ` +
          `remove it (temporal operator search-attribute remove --name ${name}) or use another namespace.`,
      );
    }
    return false;
  });
}

/**
 * "cannot have more than 3 search attribute of type Int": the namespace has no free slot of that type
 * (SQL visibility, and the dev server's SQLite, have a fixed number per namespace). One sentence naming
 * what TaskFlow still needs, what holds the slots, and the two ways out.
 */
function noRoomError(
  err: unknown,
  namespace: string,
  missing: readonly SearchAttributeSpec[],
  registered: Record<string, unknown>,
): SearchAttributeError | undefined {
  const match = /more than (\d+) search attributes? of type (\w+)/i.exec(describeRpcError(err));
  if (!match) return undefined;
  const [, limit, typeText] = match;
  const type = (Object.keys(INDEXED_VALUE_TYPE) as SearchAttributeTypeName[]).find(
    (name) => name.replace('_', '').toLowerCase() === typeText!.replace('_', '').toLowerCase(),
  );
  const needed = missing.filter((spec) => spec.type === type).map(({ name }) => name);
  const ours = new Set(FLOW_SEARCH_ATTRIBUTES.map(({ name }) => name));
  const others = Object.entries(registered)
    .filter(([name, wire]) => type !== undefined && wire === INDEXED_VALUE_TYPE[type] && !ours.has(name))
    .map(([name]) => name)
    // The server lists attributes in no fixed order; the sentence names them alphabetically.
    .sort();
  const toFree = Math.max(1, needed.length - Math.max(0, Number(limit) - (Object.values(registered).filter((wire) => type !== undefined && wire === INDEXED_VALUE_TYPE[type]).length)));
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return new SearchAttributeError(
    `Namespace ${namespace} has no room for TaskFlow's ${typeText} search ${needed.length === 1 ? 'attribute' : 'attributes'} ${needed.join(', ')} ` +
      `(the server allows ${limit} of type ${typeText} per namespace${others.length > 0 ? ` and ${others.join(', ')} ${others.length === 1 ? 'holds one' : `hold ${others.length}`}` : ''}); ` +
      `remove ${plural(toFree, `${typeText} attribute`)} you no longer need (temporal operator search-attribute remove --name NAME) ` +
      'or give TaskFlow a namespace of its own (TEMPORAL_NAMESPACE).',
  );
}

function typeName(value: unknown): string {
  return Object.entries(INDEXED_VALUE_TYPE).find(([, wire]) => wire === value)?.[0] ?? `type ${String(value)}`;
}

function describeRpcError(err: unknown): string {
  const { details, message } = err as { details?: string; message?: string };
  return details || message || String(err);
}
