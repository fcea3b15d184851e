/**
 * `npm run test:cluster`: the suites of test/cluster against a self-hosted Temporal cluster that the
 * recipe in deploy/cluster brings up (and tears down). Not part of `npm test`.
 * @type {import('jest').Config}
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/cluster/**/*.cluster.ts'],
  globalSetup: '<rootDir>/test/cluster/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
  testTimeout: 600_000,
  // One cluster, one file at a time: the suites kill its processes.
  maxWorkers: 1,
};
