import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** The benchmark harness in its smallest form, so it keeps working; the figures themselves are not checked. */
test('npm run bench -- --quick --tiny --rounds 1 runs every benchmark and writes the results table', async () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'taskflow-bench-smoke-')), 'RESULTS.md');
  const child = spawn(process.execPath, ['bench/run.js', '--quick', '--tiny', '--rounds', '1', '--no-build', '--out', out], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect({ code, log: code === 0 ? '' : stderr.slice(-3000) }).toEqual({ code: 0, log: '' });

  const results = fs.readFileSync(out, 'utf8');
  expect(results).toContain('| benchmark | TaskFlow | baseline in the same run |');
  const rows = results.split('\n').filter((line) => /^\| (?!benchmark|---|machine|cores|memory|OS|Node|Temporal|code)/.test(line));
  for (const topic of ['latency', 'throughput', 'history events', 'mirrored ingest', 'flow list', 'flow show', 'cancel latency', 'worker memory']) {
    expect(rows.some((row) => row.includes(topic))).toBe(true);
  }
  // "not available yet" is fine while a feature is being built; a benchmark that broke is not.
  expect(rows.filter((row) => row.includes('| failed:'))).toEqual([]);
}, 150_000);
