import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { cliEnv, ensureBuilt, root } from '../cli/helpers';
import { flowTestEnv, type FlowTestEnv } from '../helpers/flows';

/**
 * The package as another project gets it: packed with npm, installed from the tarball into a fresh
 * project (dependencies from npm's cache), imported through its entry points and type-checked against
 * their declarations, then reporting to the real test server through `taskflow/client`.
 */

jest.setTimeout(150_000);

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = require.resolve('typescript/bin/tsc');

let env: FlowTestEnv;
let project: string;

beforeAll(async () => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-consumer-'));
  [env] = await Promise.all([flowTestEnv(), ensureBuilt()]);
  await env.startWorker();
}, 150_000);
afterAll(async () => {
  await env?.teardown();
  if (project) fs.rmSync(project, { recursive: true, force: true });
});

test('a fresh project installs the packed tarball, type-checks against taskflow/client, flow and task, and reports through the client', async () => {
  // dist is built (with declarations) above; prepare would only build it again.
  const packed = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: root });
  const [{ filename, files }] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const paths = files.map((f) => f.path);
  expect(paths).toEqual(expect.arrayContaining(['bin/taskflow.js', 'dist/src/client/index.js', 'dist/src/client/index.d.ts', 'dist/src/flow/index.d.ts', 'dist/src/task/index.d.ts']));
  expect(paths.filter((p) => /^(src|test|workflows|activities)\//.test(p) || p.endsWith('.tsbuildinfo'))).toEqual([]);

  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  // No typescript here: were `prepare` (a build) run on install, the install would fail.
  await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(project, filename)], { cwd: project, timeout: 120_000 });
  expect(fs.existsSync(path.join(project, 'node_modules', 'typescript'))).toBe(false);
  const help = await run(path.join(project, 'node_modules', '.bin', 'taskflow'), ['--help'], { cwd: project });
  expect(help.stdout).toContain('TaskFlow - 0.1.0');

  fs.copyFileSync(path.join(root, 'examples', 'typescript-producer', 'producer.ts'), path.join(project, 'producer.ts'));
  fs.writeFileSync(
    path.join(project, 'entry-points.ts'),
    [
      "import { defineFlow } from 'taskflow/flow';",
      "import { progress, blocked } from 'taskflow/task';",
      "import type { FlowRecord } from 'taskflow/client';",
      'const status: FlowRecord["status"] = "running";',
      'console.log(JSON.stringify([typeof defineFlow, typeof progress, typeof blocked, status]));',
      '',
    ].join('\n'),
  );
  // The consumer has no @types/node of its own; borrow this project's.
  const nodeTypes = ['--typeRoots', path.join(root, 'node_modules', '@types'), '--types', 'node'];
  // Both module resolutions a project is likely to use: node16 reads `exports`, node10 `typesVersions`.
  for (const resolution of [['--module', 'node16', '--moduleResolution', 'node16'], ['--module', 'commonjs', '--moduleResolution', 'node']]) {
    const args = [tsc, ...resolution, '--target', 'es2022', '--strict', '--skipLibCheck', ...nodeTypes, '--outDir', 'out', 'producer.ts', 'entry-points.ts'];
    await run(process.execPath, args, { cwd: project }).catch((err) => {
      throw new Error(`tsc ${resolution.join(' ')} failed: ${err.stdout}${err.stderr}`);
    });
  }

  const entries = await run(process.execPath, ['out/entry-points.js'], { cwd: project });
  expect(JSON.parse(entries.stdout)).toEqual(['function', 'function', 'function', 'running']);

  const flowId = `packed-${randomUUID().slice(0, 8)}`;
  const produced = await run(process.execPath, ['out/producer.js', flowId], { cwd: project, env: cliEnv(env.config), timeout: 60_000 });
  expect(produced.stdout.trim().split('\n')).toEqual([
    'extract recorded',
    'conflict: the flow is at revision 2',
    `${flowId} succeeded at revision 3`,
    'late report refused: the flow has ended',
  ]);
  const { flow } = await env.client.show(flowId);
  expect(flow).toMatchObject({ flowId, goal: 'Nightly export', status: 'succeeded', revision: 3, result: { rows: 1_200_000 } });
  expect(flow.tasks.map((t) => [t.taskId, t.status, t.terminalSummary])).toEqual([['extract', 'succeeded', '1.2M rows']]);
});
