import { LiveScreen } from '../../src/cli/render/live';

/** A terminal stand-in: what was written, and a size. */
function fakeTerminal(columns = 40, rows = 10) {
  let written = '';
  const stream = { columns, rows, isTTY: true, write: (chunk: string) => ((written += chunk), true) };
  const take = () => {
    const chunk = written;
    written = '';
    return chunk;
  };
  return { stream: stream as unknown as NodeJS.WriteStream, take };
}

test('each frame rewrites the last in place, under an "updated Ns ago" line, cut to the terminal', () => {
  const terminal = fakeTerminal(20, 6);
  const screen = new LiveScreen(terminal.stream);
  try {
    screen.show(['first frame', 'two'], new Date());
    const first = terminal.take();
    expect(first.startsWith('\r')).toBe(true);
    expect(first).toContain('first frame\u001b[K\ntwo\u001b[K\n\u001b[J');
    expect(first).toMatch(/\r\S updated 0s ago · Ctrl-C to stop\u001b\[K$/);

    // Back up over the two lines drawn, then the new frame; a line wider than the terminal is cut.
    screen.show(['a line much wider than twenty', 'b', 'c', 'd', 'e', 'f'], new Date(Date.now() - 5_000));
    const second = terminal.take();
    expect(second.startsWith('\u001b[2F')).toBe(true);
    expect(second).toContain('a line much wider t…\u001b[K\n');
    // Taller than the terminal (6 rows): room for 4 lines and the status line, the rest summarised.
    expect(second).toContain('… 3 more lines');
    expect(second).not.toContain('f\u001b[K');
    expect(second).toMatch(/updated 5s ago/);

    screen.show(['x'], new Date());
    expect(terminal.take().startsWith('\u001b[4F')).toBe(true);
  } finally {
    screen.close();
  }
});
