/**
 * What would reduce each measured cost, said once and cited by every row it explains. These are
 * proposals for src/flow, src/model and src/client; the benchmark changes none of them.
 */

export const PUBLISH_CAUSE =
  "TaskFlow's RecordPublisher (src/flow/publish.ts) ends every workflow activation that changed the record with an UpsertWorkflowSearchAttributes " +
  'and a memo upsert (WorkflowPropertiesModified): two more history events and two more visibility-row writes on the server per workflow task. ' +
  'The memo changes on every revision because it carries `updatedAt`, the task summary and the active tasks, and the search attributes because they carry the revision and task counts.';

export const PUBLISH_FIX = [
  'Keep volatile fields out of the memo: without `updatedAt`, `taskSummary` and the active-task list (the Int search attributes already carry revision and task counts), ' +
    'the memo is rewritten only when a listed field such as status, step, wait, blocked, cancel intent or error changes; for the 3-task flow that is never before the end.',
  'Upsert search attributes only when a filterable value changes (status, cancel intent, lookup key); carry revision and task counts along with those upserts instead of on every task. ' +
    'For the 3-task flow that leaves the queued→running upsert in the first workflow task.',
  "Skip the publish in the activation that completes the workflow when Temporal's close status already says it (Completed → succeeded unless the attribute says blocked; " +
    'visibility.ts statusClause already reads ExecutionStatus for terminated and timed-out flows).',
  'Together these bring the 3-task flow to +1 or +2 events instead of +8; the cost is that `flow list` shows revision and task counts as of the last status change, ' +
    'while `flow show` (describe + query) stays exact.',
];

export function COLD_START_CAUSE(
  cold: { bareNodeMs: number; helpMs: number; profile: { packages: Record<string, number> } | null },
  baselineMs: number,
): string {
  const load = (name: string) => Math.round(cold.profile?.packages[name] ?? 0);
  return (
    `The baseline, a Go binary, answers in ${Math.round(baselineMs)} ms in all, so the 1.5× budget is ${Math.round(baselineMs * 1.5)} ms. ` +
    `Node's own start takes ${Math.round(cold.bareNodeMs)} ms (\`node -e 0\`) and printing the command's \`--help\` ${Math.round(cold.helpMs)} ms; ` +
    `to run, the command then loads @temporalio/client (${load('@temporalio/client')} ms, with @temporalio/proto, the whole Temporal API as protobufjs code, and grpc-js) ` +
    `and zod and yaml for temporal.yaml (${load('zod') + load('yaml')} ms) before its first RPC: about 500 modules in all.`
  );
}

/** Start-up fixes; `loaded` is each package a command loaded, with its inclusive load time in ms. */
export function coldStartFix(loaded: Record<string, number>): string[] {
  const secondary = ['@temporalio/workflow', 'zod', 'yaml'].filter((name) => name in loaded);
  const secondaryMs = secondary.reduce((sum, name) => sum + loaded[name]!, 0);
  return [
    'Ship the CLI as one bundled file (esbuild or rollup over dist/src/cli/main.js): resolving, reading and compiling ~500 files is the module-loader and V8 share of the profile.',
    ...(secondary.length > 0
      ? [
          `Load less before the first RPC: ${secondary.join(' and ')} take ${Math.round(secondaryMs)} ms together, to read and validate temporal.yaml; ` +
            'a command run with the connection fully given by environment variables could skip them, or a lighter check of the file could replace the zod schema.',
        ]
      : []),
    'Cache compiled code: Node 22 has module.enableCompileCache(); on Node 20 the v8-compile-cache package does the same for CommonJS.',
    'Even so a Node CLI stays well above a Go binary cold start; if the 1.5× target is kept it should be measured against a warm client (the in-process figures above), ' +
      'or the CLI would need a long-lived helper process it talks to.',
  ];
}
