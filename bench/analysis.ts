/**
 * What would reduce each measured cost, said once and cited by every row it explains. These are
 * proposals for src/flow, src/model and src/client; the benchmark changes none of them.
 */

export const PUBLISH_CAUSE =
  "TaskFlow's RecordPublisher (src/flow/publish.ts) upserts search attributes in every workflow task that changes what `flow list` shows or filters on — " +
  'status, task counts, lookup key, cancel intent — with the revision and its time riding along: one UpsertWorkflowSearchAttributes event and one visibility-row write on the server. ' +
  'A managed flow changes its task counts in each workflow task that starts or ends a task, so a 3-task flow upserts in all four of its workflow tasks. ' +
  'The memo changes only with step, wait, blocked, cancel, error or goal (never for a task), and a report that only moves a progress summary publishes nothing.';

export const PUBLISH_FIX = [
  'Spec §6 puts task counts in the list, so each workflow task that changes them must upsert; the measured floor is the diagnostic variant (the plain workflow with the same upserts). ' +
    "Below it: skip the publish in the activation that completes the workflow when Temporal's close status already says it (Completed → succeeded): +3 events, " +
    'but then `flow list` shows the revision before the end, which §6 ("each such change carries the current revision") rules out; or let counts lag until the next status change (the spec would have to say so).',
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
