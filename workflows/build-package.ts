import { z } from 'zod';
import { defineFlow } from '../src/flow';
import type * as packages from '../activities/packages';

/**
 * Builds one package: compile its modules (a bounded fan-out), test, pack. A flow of its own with
 * its own steps and tasks; `release` runs one per package as a child flow.
 */
export const buildPackage = defineFlow({
  name: 'buildPackage',
  input: z.object({
    package: z.string().min(1),
    version: z.string().min(1),
    modules: z.number().int().min(1).max(9_000).default(3),
    /** Simulated work per task, in ms. */
    workMs: z.number().int().min(0).default(200),
  }),
  goal: ({ package: pkg, version }) => `Build ${pkg}@${version}`,
  lookupKey: ({ package: pkg, version }) => `build:${pkg}@${version}`,
  async run(flow, { package: pkg, version, modules, workMs }) {
    const { compileModule, runTests, packPackage } = flow.tasks<typeof packages>({ startToCloseTimeout: '10m' });
    flow.setStep('compile');
    const ids = Array.from({ length: modules }, (_, i) => i + 1);
    await flow.map(ids, (module) => compileModule(pkg, module, workMs), { concurrency: 25 });
    flow.setStep('test');
    await runTests(pkg, workMs);
    flow.setStep('pack');
    return { package: pkg, artifact: await packPackage(pkg, version) };
  },
});
