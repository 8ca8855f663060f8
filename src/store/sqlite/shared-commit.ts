import type { Sql, Tx } from './connection.ts';

type Waiter = { work: () => unknown; resolve: (value: unknown) => void; reject: (err: unknown) => void };

/** Pieces of work in one commit at most. */
const MAX_BATCH = 100;

/**
 * Group commit for SQLite writes that arrive together (the calls that POST /api/calls schedules): each piece of
 * work joins the transaction that starts at the end of the event-loop turn it arrived in (`setImmediate`), runs
 * under a savepoint of its own, and its promise settles only after the one COMMIT, so an answer still means durable.
 * The commit, not the statements, was a third of a scheduling request's time: the WAL pages a call touches (the
 * calls table, its indexes, the timeline) are written once per batch instead of once per call.
 *
 * The pieces run one after another on the one connection inside the write lock, so each sees the ones before it:
 * a limit counted in one (`decideLimits`) counts the calls the batch inserted before it, as it would count
 * committed ones. A piece that throws (a limit refused, a key already used) rolls back to its savepoint and fails
 * alone; a batch whose COMMIT fails fails every piece of it (none is stored). On an idle service a lone request
 * commits alone at the end of its turn: no added wait.
 */
export function createSharedCommit(deps: { sql: Sql; tx: Tx; maxBatch?: number }): <T>(work: () => T) => Promise<T> {
  const { sql, tx } = deps;
  const maxBatch = deps.maxBatch ?? MAX_BATCH;
  let waiting: Waiter[] = [];
  let scheduled = false;

  const commit = (batch: Waiter[]) => {
    const settle: (() => void)[] = [];
    try {
      tx(() => {
        for (const w of batch) {
          sql('SAVEPOINT one_of_batch').run();
          try {
            const value = w.work();
            sql('RELEASE one_of_batch').run();
            settle.push(() => w.resolve(value));
          } catch (err) {
            sql('ROLLBACK TO one_of_batch').run();
            sql('RELEASE one_of_batch').run();
            settle.push(() => w.reject(err));
          }
        }
      });
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    for (const s of settle) s();
  };

  const flush = () => {
    scheduled = false;
    while (waiting.length > 0) {
      const batch = waiting.length <= maxBatch ? waiting : waiting.slice(0, maxBatch);
      waiting = batch === waiting ? [] : waiting.slice(maxBatch);
      commit(batch);
    }
  };

  return <T>(work: () => T) =>
    new Promise<T>((resolve, reject) => {
      waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
