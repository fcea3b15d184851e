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
  cold: { bareNodeMs: number; helpMs: number; profile: { packages: Record<string, number>; modulesLoaded: number } | null },
  baselineMs: number,
  targetRatio: number,
): string {
  const load = (name: string) => Math.round(cold.profile?.packages[name] ?? 0);
  return (
    `The baseline, a Go binary, answers in ${Math.round(baselineMs)} ms in all, so the ${targetRatio}× budget is ${Math.round(baselineMs * targetRatio)} ms. ` +
    `Node's own start takes ${Math.round(cold.bareNodeMs)} ms (\`node -e 0\`) and printing \`--help\` ${Math.round(cold.helpMs)} ms (cached text). ` +
    'The command runs from the one bundled file through its code cache, without the optimising compiler; before its first RPC it still runs ' +
    `@temporalio/client's set-up — unbundled, the same code loads @temporalio/client in ${load('@temporalio/client')} ms (with @temporalio/proto, ` +
    `the whole Temporal API built as protobufjs reflection at load, and grpc-js) and zod and yaml for temporal.yaml in ${load('zod') + load('yaml')} ms, ` +
    `${cold.profile?.modulesLoaded ?? 'about 500'} modules in all.`
  );
}

/** Start-up fixes; `loaded` is each package a command loaded (unbundled), with its inclusive load time in ms. */
export function coldStartFix(loaded: Record<string, number>): string[] {
  const secondary = ['zod', 'yaml'].filter((name) => name in loaded);
  const secondaryMs = secondary.reduce((sum, name) => sum + loaded[name]!, 0);
  return [
    'Taken: one bundled file read through V8\'s code cache (no module resolution, little compiling), `--no-opt` for the sub-second process, ' +
      '`--help` printed from text written with the bundle. Tried and dropped: a V8 start-up snapshot of the bundle (`node --build-snapshot`, Node 20) — ' +
      'the http/http2 bindings gRPC loads cannot be serialised ("global handle not serialized").',
    ...(secondary.length > 0
      ? [
          `Left: ${secondary.join(' and ')} take ${Math.round(secondaryMs)} ms together (unbundled) to read and validate temporal.yaml; ` +
            'a command whose connection is fully given by environment variables could skip them.',
        ]
      : []),
    'Next levers, each a larger change: a start-up snapshot on a Node whose snapshot builder supports http2, or a lean gRPC client for the ' +
      "CLI's handful of calls carrying only the protobuf types they use; a Node CLI stays well above a Go binary's cold start otherwise.",
  ];
}
