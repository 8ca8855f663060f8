import type { NewCall } from '../../calls/call-store.ts';
import type { CallRow } from '../shared/rows.ts';
import { newCallValues } from '../shared/call-links.ts';
import type { Query } from './pg-pool.ts';

/** Calls in one statement at most. */
const MAX_BATCH = 100;
/** Statements in flight at once: enough to overlap a batch's round trip with the next one filling, no more. */
const MAX_IN_FLIGHT = 4;

/**
 * The calls of one event-loop turn in one statement: one multi-row insert (rows and timeline events, read back by
 * `RETURNING`), so one round trip and one commit for the batch instead of one per call — the pg client's socket
 * writes were a quarter of a scheduling request's thread, the commit's WAL flush the rest of its wait. The
 * statement commits on its own (autocommit), so a call's promise settles only after its row is durable. A call
 * whose number is on the do-not-call list gets no row (undefined). If the statement fails as a whole (a constraint
 * one row broke), nothing of it was stored, and each call is inserted alone by `single`, in order, so it fails alone.
 *
 * Only calls no limit guards and without an idempotency key come here: a guarded insert needs its locks and its
 * count in a transaction of its own, and a key's duplicate must fail just its own insert.
 */
export function createCallInsertBatch(query: Query, single: (call: NewCall) => Promise<CallRow | undefined>): (call: NewCall) => Promise<CallRow | undefined> {
  type Waiter = { call: NewCall; resolve: (row: CallRow | undefined) => void; reject: (err: unknown) => void };
  let waiting: Waiter[] = [];
  let inFlight = 0;
  let armed = false;

  const send = async (batch: Waiter[]) => {
    const values = batch.map((w) => newCallValues(w.call));
    const column = (i: number) => values.map((v) => v[i] ?? null);
    let rows: CallRow[];
    try {
      ({ rows } = await query<CallRow>(
        `WITH v AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[],
                                $9::text[], $10::bigint[], $11::text[], $12::int[], $13::int[], $14::int[], $15::int[])
             AS v(id, to_number, due_at, time_zone, message, created_at, account_id, detail,
                  schedule_id, occurrence_at, retry_of, try_number, tries_total, retry_after_minutes, retry_on_failed)
         ), c AS (
           INSERT INTO calls (id, to_number, due_at, time_zone, message, status, created_at, updated_at, account_id,
                              schedule_id, occurrence_at, retry_of, try_number, tries_total, retry_after_minutes, retry_on_failed)
           SELECT id, to_number, due_at, time_zone, message, 'scheduled', created_at, created_at, account_id,
                  schedule_id, occurrence_at, retry_of, try_number, tries_total, retry_after_minutes, retry_on_failed
           FROM v WHERE NOT EXISTS (SELECT 1 FROM do_not_call d WHERE d.number = v.to_number)
           RETURNING *
         ), e AS (
           INSERT INTO call_events (call_id, at, kind, name, detail)
           SELECT c.id, c.created_at, 'status', 'scheduled', v.detail FROM c JOIN v ON v.id = c.id
         )
         SELECT * FROM c`,
        [
          batch.map((w) => w.call.id),
          batch.map((w) => w.call.to),
          batch.map((w) => w.call.dueAt),
          batch.map((w) => w.call.timeZone),
          batch.map((w) => w.call.message),
          batch.map((w) => w.call.createdAt),
          batch.map((w) => w.call.accountId ?? null),
          batch.map((w) => JSON.stringify({ dueAt: w.call.dueAt })),
          column(0),
          column(1),
          column(2),
          column(3),
          column(4),
          column(5),
          column(6),
        ],
        'daj_insert_call_batch',
      ));
    } catch {
      // Nothing of the batch was stored: each call alone, in order (as one at a time would have gone), so only the
      // one at fault fails.
      for (const w of batch) await single(w.call).then(w.resolve, w.reject);
      return;
    }
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const w of batch) w.resolve(byId.get(w.call.id));
  };

  const pump = () => {
    armed = false;
    while (waiting.length > 0 && inFlight < MAX_IN_FLIGHT) {
      const batch = waiting.length <= MAX_BATCH ? waiting : waiting.slice(0, MAX_BATCH);
      waiting = batch === waiting ? [] : waiting.slice(MAX_BATCH);
      inFlight++;
      void send(batch).finally(() => {
        inFlight--;
        // The calls that arrived meanwhile go as the next batch.
        if (waiting.length > 0 && !armed) pump();
      });
    }
  };

  return (call) =>
    new Promise<CallRow | undefined>((resolve, reject) => {
      waiting.push({ call, resolve, reject });
      if (!armed && inFlight < MAX_IN_FLIGHT) {
        armed = true;
        setImmediate(pump);
      }
    });
}
