/**
 * Keeps a record list within `limit` entries by dropping the oldest tenth whenever it overflows, so a long-running
 * simulator stays bounded while tests and the soak (far below the limit) see everything. Dropping in chunks
 * keeps the cost of `splice` amortised.
 */
export function trimHistory<T>(records: T[], limit: number): void {
  if (records.length <= limit) return;
  records.splice(0, records.length - limit + Math.ceil(limit / 10));
}

/** Forgets the oldest ended calls once more than `limit` calls are kept; live calls are never forgotten. */
export function forgetEndedCalls(calls: Map<string, { state: string }>, limit: number): void {
  if (calls.size <= limit) return;
  let excess = calls.size - limit + Math.ceil(limit / 10);
  // Map iteration is insertion order: placement order, so the oldest calls come first.
  for (const [id, call] of calls) {
    if (excess <= 0) break;
    if (call.state !== 'ended') continue;
    calls.delete(id);
    excess--;
  }
}
