import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main';
import { errorPayload, renderError } from '../../src/cli/errors';
import { ConfigError } from '../../src/config';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const code = await main(argv, { stdin: process.stdin, stdout, stderr, env: process.env, colorDepth: 1 });
  return { code, stdout: out, stderr: err };
}

describe('usage errors', () => {
  it('go to stderr as one sentence with exit code 2', async () => {
    const result = await run(['nope']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Unknown command "taskflow nope"; run taskflow --help to see the commands.\n',
    });
  });

  it('go to stdout as the JSON error object when --json is anywhere on the line', async () => {
    const result = await run(['server', 'install', '--bogus', '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      error: {
        type: 'usage',
        message: 'Unsupported option name ("--bogus"); usage: taskflow server install [--if-needed] [--json].',
      },
    });
  });

  it('include a missing positional argument and an extra one', async () => {
    expect((await run(['worker', 'extra'])).stderr).toBe(
      'Extraneous positional argument ("extra"); usage: taskflow worker [--json].\n',
    );
    expect((await run(['worker', 'extra'])).code).toBe(2);
  });
});

describe('taskflow server install', () => {
  const saved = process.env.TEMPORAL_CLI;
  afterEach(() => {
    process.env.TEMPORAL_CLI = saved;
  });

  it('reports the CLI global setup provisioned, without installing anything', async () => {
    const result = await run(['server', 'install', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      path: saved,
      source: 'TEMPORAL_CLI',
      version: '1.9.1',
      installed: false,
    });
  });

  it('is silent with --if-needed when the CLI is there', async () => {
    expect(await run(['server', 'install', '--if-needed'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('turns a failure into a warning with --if-needed, and into an error without it', async () => {
    process.env.TEMPORAL_CLI = '/nonexistent/temporal';
    expect(await run(['server', 'install', '--if-needed'])).toEqual({
      code: 0,
      stdout: '',
      stderr:
        'warning: the Temporal CLI was not provisioned: TEMPORAL_CLI points at /nonexistent/temporal, which does not exist; fix or unset it.\n',
    });
    const failed = await run(['server', 'install', '--json']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout).error).toEqual({
      type: 'temporal_cli_unavailable',
      message: 'TEMPORAL_CLI points at /nonexistent/temporal, which does not exist; fix or unset it.',
    });
  });
});

describe('errorPayload', () => {
  it('keeps the type, message and fields of a typed error', () => {
    const conflict = Object.assign(new Error('Revision 3 expected, flow is at 4.'), {
      type: 'revision_conflict',
      details: { currentRevision: 4, expectedRevision: 3 },
    });
    expect(errorPayload(conflict)).toEqual({
      type: 'revision_conflict',
      message: 'Revision 3 expected, flow is at 4.',
      currentRevision: 4,
      expectedRevision: 3,
    });
    expect(errorPayload(new ConfigError('temporal.yaml: taskQueue must be a task queue name, found 5.', 'temporal.yaml', 'taskQueue'))).toEqual({
      type: 'config_error',
      message: 'temporal.yaml: taskQueue must be a task queue name, found 5.',
      file: 'temporal.yaml',
      key: 'taskQueue',
    });
  });

  it('calls a failed connection server_unavailable and says what to check', () => {
    expect(errorPayload(new Error('Failed to connect before the deadline'))).toEqual({
      type: 'server_unavailable',
      message:
        'Could not reach the Temporal server (Failed to connect before the deadline); check that it runs and that TEMPORAL_ADDRESS or connection.address in temporal.yaml names it.',
    });
  });

  it('calls anything else internal, with a hint', () => {
    expect(errorPayload(new TypeError('x is undefined'))).toEqual({
      type: 'internal',
      message:
        'Unexpected error: x is undefined. Run again with TASKFLOW_DEBUG=1 to see where it came from, and report it if it persists.',
    });
  });

  it('strips terminal control characters from text output but not from JSON', () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const evil = Object.assign(new Error('TaskFlow not found: \u001b[31mred\u0007.'), { type: 'not_found' });
    expect(renderError(evil, { json: false, stdout, stderr })).toBe(1);
    expect(String(stderr.read())).toBe('TaskFlow not found: red.\n');
    renderError(evil, { json: true, stdout, stderr });
    expect(JSON.parse(String(stdout.read())).error.message).toBe('TaskFlow not found: \u001b[31mred\u0007.');
  });
});
