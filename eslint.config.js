// Lint for what a type check cannot see: promises nobody awaits, and workflow code (workflows/,
// src/flow/) importing what breaks determinism or drags in the client, worker or Node.
const { builtinModules } = require('node:module');
const tseslint = require('typescript-eslint');

const nodeBuiltins = [...new Set(builtinModules.map((name) => name.replace(/^node:/, '')))];

/** Modules workflow code must not import; activities may be imported for their types only. */
const notInWorkflows = {
  paths: [
    ...nodeBuiltins.map((name) => ({ name, message: 'Workflow code is deterministic: no Node built-ins (do it in a task).' })),
    ...['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'].map((name) => ({
      name,
      message: 'Workflow code runs in the workflow sandbox: use @temporalio/workflow only.',
    })),
  ],
  patterns: [
    { group: ['node:*'], message: 'Workflow code is deterministic: no Node built-ins (do it in a task).' },
    { group: ['@temporalio/*/lib/*'], message: 'No SDK internals: public APIs only.' },
    {
      group: ['client', 'worker', 'cli', 'server', 'project'].flatMap((dir) => [`**/${dir}`, `**/${dir}/*`]),
      message: 'Workflow code must not import the client, worker, CLI or project loading.',
    },
    {
      // src/config's pure parts (duration, schema) are fine; loading it (files, env, connections) is not.
      regex: '(^|/)config(/(index|load|env|connection))?$',
      message: 'Workflow code must not load config: pass what it needs in the flow start.',
    },
    { group: ['**/activities', '**/activities/*'], allowTypeImports: true, message: 'Import activities as types only (import type).' },
  ],
};

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.temporal/**', '**/*.js', '**/*.d.ts', 'examples/typescript-producer/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts', 'src/flow/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', notInWorkflows],
    },
  },
);
