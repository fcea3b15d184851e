#!/usr/bin/env node
'use strict';

/**
 * Bundles the compiled command line (dist/src/cli/main.js) into one file, so that a command pays
 * for reading and compiling one script instead of resolving ~500 modules, and warms its V8 code
 * cache. Run by `npm run build` after tsc; bin/taskflow.js uses the bundle when it is at least as
 * new as the compiled sources and falls back to them otherwise. Without esbuild (an install without
 * dev dependencies) it says so and leaves the unbundled CLI in place.
 */

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const { entry, bundle } = require('../bin/locations');

function main() {
  let esbuild;
  try {
    esbuild = require('esbuild');
  } catch {
    process.stderr.write('esbuild is not installed: the CLI runs unbundled (slower start).\n');
    return;
  }
  if (!fs.existsSync(entry)) {
    process.stderr.write(`${path.relative(root, entry)} is missing: run tsc first (npm run build).\n`);
    process.exitCode = 1;
    return;
  }
  esbuild.buildSync({
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // The bundle sits at the compiled entry's depth, so paths derived from __dirname (the project's
    // dist folder, package.json) resolve as they do unbundled. The worker and its native runtime
    // stay outside: `taskflow worker` and `dev` load them from node_modules.
    external: ['@temporalio/worker', '@temporalio/core-bridge', '@swc/core', 'esbuild'],
    logLevel: 'error',
    legalComments: 'none',
  });
  for (const stale of [`${bundle}.cache`]) fs.rmSync(stale, { force: true });
  // One run that loads what the flow commands load writes the code cache the next runs start from.
  const warm = spawnSync(process.execPath, [path.join(root, 'bin', 'taskflow.js'), '--warm-code-cache'], { stdio: 'inherit' });
  if (warm.status !== 0) process.stderr.write('Could not warm the CLI code cache; the first command will.\n');
}

main();
