/**
 * The one progress line on stderr: what runs now and for how long. On a terminal it is redrawn in place every
 * second; elsewhere (CI logs) each change is one plain line and there is no ticking.
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY;
  let label = '';
  let detail = '';
  let since = Date.now();
  let shown = '';
  const render = () => {
    const seconds = Math.round((Date.now() - since) / 1000);
    const text = `${label}${detail ? ` — ${detail}` : ''}${tty ? ` (${seconds} s)` : ''}`;
    if (!tty) {
      if (text !== shown) stream.write(`${text}\n`);
    } else {
      const width = Math.max(20, (stream.columns || 120) - 1);
      stream.write(`\r\x1b[2K${text.slice(0, width)}`);
    }
    shown = text;
  };
  const ticker = tty ? setInterval(render, 1000) : undefined;
  ticker?.unref();
  return {
    /** A new step: resets the elapsed time. */
    step(text: string): void {
      label = text;
      detail = '';
      since = Date.now();
      render();
    },
    /** What the current step is doing now. */
    detail(text: string): void {
      detail = text;
      render();
    },
    /** A line that stays (a result, a warning). */
    note(text: string): void {
      if (tty) stream.write('\r\x1b[2K');
      stream.write(`${text}\n`);
      shown = '';
      if (tty && label) render();
    },
    stop(): void {
      if (ticker) clearInterval(ticker);
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}
export type Progress = ReturnType<typeof createProgress>;
