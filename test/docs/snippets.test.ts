import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The docs quote tested files, never their own copies: a `<!-- snippet: <file>#<name> -->` line is
 * followed by a code block that must equal the lines between `docs:start <name>` and `docs:end <name>`
 * in that file (dedented). UPDATE_SNIPPETS=1 rewrites the blocks from the files.
 */

const root = path.resolve(__dirname, '../..');
const DOCS = ['docs/mirrored-flows.md', 'docs/web-ui.md', 'README.md'];
const SNIPPET = /^<!-- snippet: (\S+)#(\S+) -->\n(```\w*)\n([\s\S]*?)^```$/gm;

/** The marked region of a file, without its marker lines and common indentation. */
function region(file: string, name: string): string {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
  const start = lines.findIndex((line) => new RegExp(`docs:start ${name}$`).test(line.trim()));
  const end = lines.findIndex((line, i) => i > start && new RegExp(`docs:end ${name}$`).test(line.trim()));
  if (start < 0 || end < 0) throw new Error(`${file} has no region "${name}" (docs:start ${name} … docs:end ${name}).`);
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return body.map((l) => l.slice(indent)).join('\n') + '\n';
}

test.each(DOCS)('every snippet in %s equals the tested file it quotes', (doc) => {
  const file = path.join(root, doc);
  const text = fs.readFileSync(file, 'utf8');
  const quoted = [...text.matchAll(SNIPPET)];
  if (process.env.UPDATE_SNIPPETS === '1') {
    fs.writeFileSync(file, text.replace(SNIPPET, (_all, source, name, fence) => `<!-- snippet: ${source}#${name} -->\n${fence}\n${region(source, name)}\`\`\``));
    return;
  }
  for (const [, source, name, , body] of quoted) {
    expect({ snippet: `${source}#${name}`, body }).toEqual({ snippet: `${source}#${name}`, body: region(source!, name!) });
  }
});

test('docs/mirrored-flows.md shows producer code only as snippets of tested files', () => {
  const text = fs.readFileSync(path.join(root, 'docs/mirrored-flows.md'), 'utf8');
  const blocks = [...text.matchAll(/^(<!-- snippet: \S+ -->\n)?```(sh|ts|python)$/gm)];
  expect(blocks.length).toBeGreaterThanOrEqual(10);
  expect(blocks.filter(([, marker]) => !marker).map(([block]) => block)).toEqual([]);
});
