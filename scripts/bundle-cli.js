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
const { entry, bundle, helpCache } = require('../bin/locations');

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
  for (const stale of [`${bundle}.cache`, helpCache]) fs.rmSync(stale, { force: true });
  // One run that loads what the flow commands load writes the code cache the next runs start from.
  const warm = spawnSync(process.execPath, [path.join(root, 'bin', 'taskflow.js'), '--warm-code-cache'], { stdio: 'inherit' });
  if (warm.status !== 0) process.stderr.write('Could not warm the CLI code cache; the first command will.\n');
  writeHelpCache().catch((err) => process.stderr.write(`Could not write the help text cache (${err.message}); --help runs the CLI.\n`));
}

/**
 * `taskflow … --help` prints text that only the build changes: written here for every command, in
 * both colourings, so that bin/taskflow.js prints it without loading the CLI.
 */
async function writeHelpCache() {
  const { PassThrough } = require('node:stream');
  const cli = require(bundle);
  const run = async (argv, isTTY) => {
    const stdout = Object.assign(new PassThrough(), { isTTY });
    const stderr = new PassThrough();
    let text = '';
    stdout.on('data', (chunk) => (text += chunk));
    const code = await cli.main(argv, { stdin: process.stdin, stdout, stderr, env: {}, colorDepth: isTTY ? 8 : 1 });
    return { code, text };
  };
  const paths = [[]];
  for (const { path: usage } of cli.buildCli(false).definitions()) {
    const words = usage.split(' ').slice(1);
    paths.push(words);
    if (words[0] === 'flow') paths.push(['tasks', ...words]);
  }
  const entries = {};
  for (const words of paths) {
    for (const flag of ['--help', '-h']) {
      const argv = [...words, flag];
      const [plain, colored] = [await run(argv, false), await run(argv, true)];
      if (plain.code === 0 && colored.code === 0) entries[argv.join(' ')] = { plain: plain.text, colored: colored.text };
    }
  }
  fs.writeFileSync(helpCache, JSON.stringify(entries));
}

main();
