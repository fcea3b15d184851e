#!/usr/bin/env node
// `npm run bench [-- --quick]`: runs the TypeScript harness directly (no build step), see bench/main.ts.
require('../test/helpers/ts-register.js');
require('./main.ts');
