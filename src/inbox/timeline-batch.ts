import type { NewEvent } from '../calls/call-store.ts';

type Waiter = { event: NewEvent; resolve: () => void; reject: (err: unknown) => void };

/** Timeline rows in one insert at most. */
const MAX_BATCH = 500;

/**
 * Group commit for the event worker's timeline rows: each `appendEvent` of the event handler joins the insert that
 * runs at the end of the event-loop turn it was asked in (`setImmediate`), and resolves once that insert has
 * committed, so a handler that reads its call's timeline next (`listEvents`) still sees its own row, and a call's
 * rows keep their order (its chain awaits each). The calls applied side by side (the worker's chains) ask in the
 * same turn, so a page of events costs one timeline commit per step instead of one per event: the commit, not the
 * statement, is what costs (one fsync on PostgreSQL; the WAL pages on SQLite, on the request path's thread).
 *
 * A batch whose insert fails is written again one row at a time, so a row the database refuses fails only its own
 * event (left unapplied for the next sweep), not the calls beside it.
 */
export function createTimelineBatch(write: (events: readonly NewEvent[]) => Promise<void>, maxBatch = MAX_BATCH): (event: NewEvent) => Promise<void> {
  let waiting: Waiter[] = [];
  let running = false;

  const commit = async (batch: Waiter[]): Promise<void> => {
    try {
      await write(batch.map((w) => w.event));
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
      for (const w of batch) await commit([w]);
      return;
    }
    for (const w of batch) w.resolve();
  };

  const run = async (): Promise<void> => {
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

  return (event) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ event, resolve, reject });
      if (!running) {
        running = true;
        setImmediate(() => void run());
      }
    });
}
