/** The one sentence a zod failure is reported with: the first issue, naming its field. */
export function zodMessage(what: string, error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  return `${what} is invalid: ${field}${issue?.message ?? 'does not match its schema'}.`;
}
