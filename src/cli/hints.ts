/** The first thing to try once `taskflow dev` is up; printed as is. */
export const EXAMPLE_HINT = `Try: npx taskflow flow start greeting --input '{"name":"Ada"}'`;

/** The Web UI's workflow list, filtered to flows (every flow carries TaskFlowSyncMode). */
export function flowListUrl(uiUrl: string, namespace: string): string {
  const query = encodeURIComponent('TaskFlowSyncMode IS NOT NULL');
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${query}`;
}
