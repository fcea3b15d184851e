#!/usr/bin/env node
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { entry, bundle, helpCache } = require('./locations');

/** Long-running commands load the compiled modules themselves: their start-up time does not matter. */
const UNBUNDLED_COMMANDS = new Set(['worker', 'dev', 'server']);

/**
 * The bundle when it is at least as new as the compiled sources (a `tsc` run after `npm run build`
 * must not be shadowed by an old bundle), else the compiled modules.
 */
function bundleIsCurrent() {
  try {
    return fs.statSync(bundle).mtimeMs >= fs.statSync(entry).mtimeMs;
  } catch {
    return false;
  }
}

/**
 * Loads the bundle through V8's code cache, kept beside it: a command then skips compiling what the
 * previous ones compiled. A missing or rejected cache (another Node version) is rewritten on exit.
 */
function loadBundle() {
  // A command lives for a fraction of a second: optimising hot functions (protobuf set-up, mostly)
  // costs more CPU than it saves. Set before anything is compiled, so the code cache matches.
  require('node:v8').setFlagsFromString('--no-opt');
  const vm = require('node:vm');
  const Module = require('node:module');
  const cacheFile = `${bundle}.cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
  const cli = new Module(bundle, module);
  cli.filename = bundle;
  cli.paths = Module._nodeModulePaths(path.dirname(bundle));
  script.runInThisContext().call(cli.exports, cli.exports, Module.createRequire(bundle), cli, bundle, path.dirname(bundle));
  const writeCache = () => {
    const temporary = `${cacheFile}.${process.pid}`;
    try {
      fs.writeFileSync(temporary, script.createCachedData());
      fs.renameSync(temporary, cacheFile);
    } catch {
      fs.rmSync(temporary, { force: true });
    }
  };
  if (cachedData === undefined || script.cachedDataRejected) process.once('exit', writeCache);
  return { cli: cli.exports, writeCache };
}

function loadCli(argv) {
  // TASKFLOW_CLI_UNBUNDLED=1 runs the compiled modules (real file names in stack traces and profiles).
  const unbundled = UNBUNDLED_COMMANDS.has(argv[0]) || process.env.TASKFLOW_CLI_UNBUNDLED === '1';
  if (!unbundled && bundleIsCurrent()) return loadBundle().cli;
  try {
    return require(entry);
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(entry)) {
      process.stderr.write('TaskFlow is not built yet: run npm install (or npm run build) in its directory first.\n');
      process.exit(1);
    }
    throw err;
  }
}

/** The text of `taskflow … --help` as the bundle's build wrote it, when it is current; else null. */
function cachedHelp(argv) {
  const last = argv[argv.length - 1];
  if ((last !== '--help' && last !== '-h') || !bundleIsCurrent()) return null;
  try {
    if (fs.statSync(helpCache).mtimeMs < fs.statSync(bundle).mtimeMs) return null;
    const entry = JSON.parse(fs.readFileSync(helpCache, 'utf8'))[argv.join(' ')];
    return entry ? (process.stdout.isTTY ? entry.colored : entry.plain) : null;
  } catch {
    return null;
  }
}

const argv = process.argv.slice(2);
const help = cachedHelp(argv);
if (help !== null) {
  // `taskflow --help | head -1`: a reader that has gone is not a failure (as in src/cli/main.ts).
  process.stdout.on('error', (err) => process.exit(err.code === 'EPIPE' ? 0 : 1));
  process.stdout.write(help);
} else if (argv[0] === '--warm-code-cache') {
  // scripts/bundle-cli.js: load what the flow commands load, then write the cache from that.
  const { cli, writeCache } = loadBundle();
  cli.loadFlowCommandModules().then(writeCache);
} else {
  const cli = loadCli(argv);
  cli.main(argv).then((code) => {
    process.exitCode = code;
    // Everything is closed by now; if a stray handle would keep the process alive, do not hang the shell.
    setTimeout(() => process.exit(code), 2000).unref();
  });
}
