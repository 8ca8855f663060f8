/** A detail's shape without its figures, and the total of its `n/total` count if it has one. */
export function phaseOf(detail: string): { shape: string; total: string | null } {
  const count = /(\d[\d,.]*)\s*\/\s*(\d[\d,.]*)/.exec(detail);
  return { shape: detail.replace(/\d[\d,.]*/g, '#'), total: count ? (count[2] ?? null) : null };
}

/**
 * The one progress line on stderr: what runs now and for how long. On a terminal it is redrawn in place every
 * second; elsewhere (CI logs) each change is one plain line and there is no ticking.
 *
 * One step (a benchmark) runs several phases (scenarios, preparations), each counting against its own total: "31/200
 * dialed" then "32/60 dialed" would read as one count gone backwards. So a detail whose shape or total differs from
 * the one before starts a new phase, numbered in the line ("phase 2: 32/60 dialed"), and a timeout or failure note
 * says which step and phase were running when it came.
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY;
  let label = '';
  let detail = '';
  let phase = 0;
  let phaseKey = '';
  let since = Date.now();
  let shown = '';
  const render = () => {
    const seconds = Math.round((Date.now() - since) / 1000);
    const now = detail ? ` — ${phase > 1 ? `phase ${phase}: ` : ''}${detail}` : '';
    const text = `${label}${now}${tty ? ` (${seconds} s)` : ''}`;
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
      phase = 0;
      phaseKey = '';
      since = Date.now();
      render();
    },
    /** What the current step is doing now; a new shape or total is a new phase. */
    detail(text: string): void {
      const { shape, total } = phaseOf(text);
      const key = `${shape}|${total ?? ''}`;
      if (key !== phaseKey) {
        phase += 1;
        phaseKey = key;
      }
      detail = text;
      render();
    },
    /** A line that stays (a result, a warning). A timeout or failure names what was running when it came. */
    note(text: string): void {
      if (tty) stream.write('\r\x1b[2K');
      const during = /timeout|timed out|FAILED/i.test(text) && label ? ` [during: ${label}${detail ? ` — ${phase > 1 ? `phase ${phase}: ` : ''}${detail}` : ''}]` : '';
      stream.write(`${text}${during}\n`);
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
