/** A dial request as the carrier saw it. */
export type DialSeen = { at: number; callId: string; placed: boolean; live: number };

/** The most events in any window of `windowMs` (a window starting at each event: the busiest one starts at one). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

export type ChaosFigures = {
  accepted: number;
  canceled: number;
  lost: number;
  dialedTwice: number;
  stuck: number;
  canceledButDialed: number;
  maxDialsIn1s: number;
  maxDialsIn5s: number;
  maxLive: number;
};

/** Which checks failed, in words (empty: the run passed). */
export function failures(f: ChaosFigures, limits: { perSecond: number; maxLive: number }): string[] {
  const out: string[] = [];
  if (f.lost > 0) out.push(`${f.lost} calls lost`);
  if (f.dialedTwice > 0) out.push(`${f.dialedTwice} calls dialed twice`);
  if (f.stuck > 0) out.push(`${f.stuck} calls stuck`);
  if (f.canceledButDialed > 0) out.push(`${f.canceledButDialed} canceled calls dialed`);
  if (f.maxDialsIn1s > limits.perSecond) out.push(`${f.maxDialsIn1s} dials in one second (limit ${limits.perSecond})`);
  if (f.maxDialsIn5s > limits.perSecond * 5) out.push(`${f.maxDialsIn5s} dials in five seconds (limit ${limits.perSecond * 5})`);
  if (f.maxLive > limits.maxLive) out.push(`${f.maxLive} calls live at once (limit ${limits.maxLive})`);
  return out;
}
