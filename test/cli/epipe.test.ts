import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { testConfig } from '../helpers/server';
import { CLI_TEST_YAML, cliEnv, ensureBuilt, projectDir, root } from './helpers';

const bin = path.join(root, 'bin', 'taskflow.js');

/** Runs `taskflow <args> | <reader>` in bash; answers the exit code of taskflow itself and what it wrote to stderr. */
async function piped(args: string, reader: string, env: NodeJS.ProcessEnv, cwd: string) {
  const script = `"${process.execPath}" "${bin}" ${args} 2>"$ERR_FILE" | ${reader} >/dev/null; echo "\${PIPESTATUS[0]}"; cat "$ERR_FILE"`;
  const errFile = path.join(cwd, 'stderr.txt');
  const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd, env: { ...env, ERR_FILE: errFile }, timeout: 60_000 });
  const [code, ...stderr] = stdout.split('\n');
  return { code: Number(code), stderr: stderr.join('\n').trim() };
}

describe('output piped into a reader that stops early', () => {
  const config = testConfig();
  const env = cliEnv(config);
  const cwd = projectDir(CLI_TEST_YAML);

  beforeAll(() => ensureBuilt(), 180_000);

  test('taskflow flow list --json | head -1 ends quietly with exit 0', async () => {
    const run = await piped('flow list --json', 'head -1', env, cwd);
    expect(run).toEqual({ code: 0, stderr: '' });
  });

  test('a reader gone before anything is written (| true) is not a crash either', async () => {
    for (const args of ['flow list --json', 'flow list', '--help']) {
      const run = await piped(args, 'true', env, cwd);
      expect({ args, ...run }).toEqual({ args, code: 0, stderr: '' });
    }
  });
});
