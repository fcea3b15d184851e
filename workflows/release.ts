import { CancellationScope } from '@temporalio/workflow';
import { z } from 'zod';
import { defineFlow } from '../src/flow';
import { buildPackage } from './build-package';

/**
 * Releases several packages: each is built by a `buildPackage` child flow (its own steps, tasks and
 * record), at most `parallel` at once. A package that fails to build is reported in the result,
 * not fatal: the release ships what built. Cancelling the release cancels the open builds first.
 */
export const release = defineFlow({
  name: 'release',
  input: z.object({
    version: z.string().min(1),
    packages: z.array(z.string().min(1)).min(1).max(5_000),
    /** Modules per package, each one compile task of its build. */
    modules: z.number().int().min(1).max(9_000).default(3),
    workMs: z.number().int().min(0).default(200),
    parallel: z.number().int().min(1).max(500).default(4),
  }),
  goal: ({ version, packages }) => `Release ${version}: ${packages.length} ${packages.length === 1 ? 'package' : 'packages'}`,
  lookupKey: ({ version }) => `release:${version}`,
  async run(flow, { version, packages, modules, workMs, parallel }) {
    flow.setStep('build');
    const built = await flow.map(
      packages,
      (pkg) =>
        flow.child(buildPackage, { package: pkg, version, modules, workMs }).then(
          (done) => ({ package: pkg, artifact: done.artifact as string | null, error: null as string | null }),
          // A failed build throws like a failed task; caught here, the release goes on without it.
          // Unless the release itself is being cancelled: let that through, so no further build starts.
          (err: Error) => {
            if (CancellationScope.current().consideredCancelled) throw err;
            return { package: pkg, artifact: null, error: err.cause instanceof Error ? err.cause.message : err.message };
          },
        ),
      { concurrency: parallel },
    );
    flow.setStep('publish');
    return {
      version,
      released: built.filter((b) => b.artifact !== null).map((b) => b.artifact),
      failed: built.filter((b) => b.error !== null).map((b) => ({ package: b.package, error: b.error })),
    };
  },
});
