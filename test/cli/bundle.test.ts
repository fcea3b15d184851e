import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main';
import { ensureBuilt, root, runCli } from './helpers';

// bin/taskflow.js runs the one-file bundle (scripts/bundle-cli.js) through V8's code cache.
const bundle = path.join(root, 'dist', 'src', 'cli', 'taskflow.bundle.js');
const cache = `${bundle}.cache`;
const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(() => ensureBuilt(), 180_000);

describe('the bundled command line', () => {
  it('is what bin/taskflow.js runs, and it rewrites a missing code cache', async () => {
    expect(fs.statSync(bundle).mtimeMs).toBeGreaterThanOrEqual(fs.statSync(path.join(root, 'dist', 'src', 'cli', 'main.js')).mtimeMs);
    fs.rmSync(cache, { force: true });
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
    expect(fs.statSync(cache).size).toBeGreaterThan(0);
  });

  it('holds every flow and task command (usage errors answer as unbundled)', async () => {
    const result = await runCli(['flow', 'list', '--status', 'nope', '--json']);
    expect(result.code).toBe(2);
    expect(result.json()).toMatchObject({ ok: false, error: { type: 'usage' } });
    expect(result.json().error.message).toContain('--status must be');
  });

  it('prints --help from the text written with the bundle, the same as the command line itself prints it', async () => {
    const cache = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'src', 'cli', 'help.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(cache)).toEqual(expect.arrayContaining(['--help', 'flow list --help', 'tasks flow cancel -h']));
    for (const argv of [['--help'], ['flow', 'list', '--help'], ['tasks', 'flow', 'cancel', '-h']]) {
      const stdout = new PassThrough();
      let live = '';
      stdout.on('data', (chunk) => (live += chunk));
      await main(argv, { stdin: process.stdin, stdout, stderr: new PassThrough(), env: process.env, colorDepth: 1 });
      const printed = await runCli(argv);
      expect(printed.code).toBe(0);
      expect(printed.stdout).toBe(live);
    }
  });
});
