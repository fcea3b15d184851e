const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A spinner on a terminal while `work` runs; the line is cleared when it settles. */
export async function withSpinner<T>(stream: NodeJS.WriteStream, label: string, work: Promise<T>): Promise<T> {
  let frame = 0;
  const draw = () => stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}\u001b[K`);
  draw();
  const timer = setInterval(draw, 80);
  try {
    return await work;
  } finally {
    clearInterval(timer);
    stream.write('\r\u001b[K');
  }
}
