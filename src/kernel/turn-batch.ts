type Waiter<I, O> = { item: I; resolve: (value: O) => void; reject: (err: unknown) => void };

/** Items in one statement at most. */
const MAX_BATCH = 500;

/**
 * Coalesces one kind of statement across the callers that ask for it side by side: every item asked for in one
 * event-loop turn goes to `run` together at the end of that turn (`setImmediate`), and each caller gets its own
 * result (`run` answers in the items' order) once `run` has resolved — for a write, once it has committed, so what
 * the caller reads next includes it, and a caller that awaits each of its items keeps them in order. Items asked for
 * while `run` is in flight go in the next batch. The commit, not the statement, is what costs (an fsync on
 * PostgreSQL; on SQLite the WAL pages, on the request path's thread): the event worker's 32 chains asking for their
 * call's row, timeline insert, lock or pending events cost one round trip and one commit instead of 32, and so do a
 * burst of dials each asking for a dial slot.
 *
 * A batch that fails is run again one item at a time, so an item the database refuses fails only its own caller,
 * not the items beside it.
 */
export function createTurnBatch<I, O>(run: (items: readonly I[]) => Promise<readonly O[]>, maxBatch = MAX_BATCH): (item: I) => Promise<O> {
  let waiting: Waiter<I, O>[] = [];
  let running = false;

  const commit = async (batch: Waiter<I, O>[]): Promise<void> => {
    let results: readonly O[];
    try {
      results = await run(batch.map((w) => w.item));
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
      for (const w of batch) await commit([w]);
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i] as O));
  };

  const drain = async (): Promise<void> => {
    try {
      while (waiting.length > 0) {
        const batch = waiting.length <= maxBatch ? waiting : waiting.slice(0, maxBatch);
        waiting = batch === waiting ? [] : waiting.slice(maxBatch);
        await commit(batch);
      }
    } finally {
      running = false;
    }
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!running) {
        running = true;
        setImmediate(() => void drain());
      }
    });
}

/** A batch of writes with nothing to answer but "committed". */
export const createWriteBatch = <I>(write: (items: readonly I[]) => Promise<void>, maxBatch = MAX_BATCH): ((item: I) => Promise<void>) =>
  createTurnBatch<I, void>(async (items) => {
    await write(items);
    return items.map(() => undefined);
  }, maxBatch);
