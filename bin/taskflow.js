#!/usr/bin/env node
'use strict';

const path = require('node:path');

const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
let cli;
try {
  cli = require(entry);
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(entry)) {
    process.stderr.write('TaskFlow is not built yet: run npm install (or npm run build) in its directory first.\n');
    process.exit(1);
  }
  throw err;
}

cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // Everything is closed by now; if a stray handle would keep the process alive, do not hang the shell.
  setTimeout(() => process.exit(code), 2000).unref();
});
