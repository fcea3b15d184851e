import { workFor } from '../src/task';

/** Tasks of the `release` example flow and its `buildPackage` child flows. */

/** Compiles one module of a package (simulated: `workMs` of work, heartbeating, so a cancel stops it). */
export async function compileModule(pkg: string, module: number, workMs: number): Promise<string> {
  if (workMs > 0) await workFor(workMs, `compiling ${pkg} module ${module}`);
  return `${pkg}/module-${module}.js`;
}

/** Runs a package's tests. */
export async function runTests(pkg: string, workMs: number): Promise<{ pkg: string; passed: true }> {
  if (workMs > 0) await workFor(workMs, `testing ${pkg}`);
  return { pkg, passed: true };
}

/** Packs a built package into its artifact. */
export async function packPackage(pkg: string, version: string): Promise<string> {
  return `${pkg}-${version}.tgz`;
}
