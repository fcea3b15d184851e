// Preloaded (`node -r bench/require-timer.js …`) into a CLI process to see where its cold start goes:
// the inclusive time of each package the project's own code requires (first load only; later ones
// are cached) and the gRPC methods the command calls, written at exit to BENCH_REQUIRE_PROFILE as JSON.
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const startedAt = process.hrtime.bigint();
const out = process.env.BENCH_REQUIRE_PROFILE;
const packages = new Map();
let depth = 0;
const original = Module.prototype.require;
const rpcs = [];

// Every Temporal RPC goes through grpc-js Client.makeUnaryRequest; note each method as it is called.
const originalLoad = Module._load;
Module._load = function loadAndWatchGrpc(request) {
  const loaded = originalLoad.apply(this, arguments);
  if (request === '@grpc/grpc-js' && loaded && loaded.Client && !loaded.Client.prototype.benchWatched) {
    const unary = loaded.Client.prototype.makeUnaryRequest;
    loaded.Client.prototype.makeUnaryRequest = function watchedUnaryRequest(method) {
      const name = String(method).split('/').pop();
      if (name !== 'GetSystemInfo') rpcs.push(name);
      return unary.apply(this, arguments);
    };
    loaded.Client.prototype.benchWatched = true;
  }
  return loaded;
};

Module.prototype.require = function timedRequire(request) {
  const fromProject = !this.filename || !this.filename.includes(`${path.sep}node_modules${path.sep}`);
  const isPackage = !request.startsWith('.') && !path.isAbsolute(request) && !request.startsWith('node:') && !Module.isBuiltin(request);
  if (!fromProject || !isPackage || depth > 0) return original.apply(this, arguments);
  const name = request.startsWith('@') ? request.split('/').slice(0, 2).join('/') : request.split('/')[0];
  const start = process.hrtime.bigint();
  depth++;
  try {
    return original.apply(this, arguments);
  } finally {
    depth--;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    packages.set(name, (packages.get(name) ?? 0) + ms);
  }
};

process.on('exit', () => {
  if (!out) return;
  const profile = {
    totalMs: Number(process.hrtime.bigint() - startedAt) / 1e6,
    modulesLoaded: Object.keys(require.cache).length,
    packages: Object.fromEntries([...packages].sort((a, b) => b[1] - a[1])),
    rpcs,
  };
  fs.writeFileSync(out, JSON.stringify(profile));
});
