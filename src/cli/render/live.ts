import { truncate } from './text';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A view kept current in place on a terminal: each frame rewrites the previous one line by line
 * (cursor up, clear to end of line, so nothing flickers), under a status line with a spinner and
 * how long ago the data was read.
 */
export class LiveScreen {
  private drawn = 0;
  private readAt = Date.now();
  private tick = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly stdout: NodeJS.WriteStream) {
    this.timer = setInterval(() => this.status(), 250);
    this.timer.unref();
  }

  /** Draws `lines` (cut to the terminal's width and height) as read at `at`. */
  show(lines: string[], at: Date): void {
    const width = this.stdout.columns || 120;
    // A frame taller than the terminal could not be rewritten in place: keep room for the status line.
    const room = Math.max(1, (this.stdout.rows || 50) - 2);
    const visible = lines.length > room ? [...lines.slice(0, room - 1), `… ${lines.length - room + 1} more lines; narrow the list with --limit or a filter.`] : lines;
    const up = this.drawn > 0 ? `\u001b[${this.drawn}F` : '\r';
    this.stdout.write(`${up}${visible.map((l) => `${truncate(l, width)}\u001b[K\n`).join('')}\u001b[J`);
    this.drawn = visible.length;
    this.readAt = at.getTime();
    this.status();
  }

  /** Ends the view: the cursor goes below it, so the shell prompt does not overwrite it. */
  close(): void {
    clearInterval(this.timer);
    this.stdout.write('\r\u001b[K');
  }

  private status(): void {
    const ago = Math.max(0, Math.round((Date.now() - this.readAt) / 1000));
    this.stdout.write(`\r${FRAMES[this.tick++ % FRAMES.length]} updated ${ago}s ago · Ctrl-C to stop\u001b[K`);
  }
}
