import { FINAL_STATUSES, isFinal, sourcesOf, type Call, type CallStatus } from '../../calls/call.ts';
import { callFromRow, eventFromRow, type CallRow, type EventRow } from '../shared/rows.ts';
import { IS_LIVE, IS_WAITING, sqlStatusIn } from '../shared/sql-status.ts';
import type { CallPatch, NewCall, NewEvent } from '../../calls/call-store.ts';
import type { Store } from '../store.ts';
import { migratePostgres } from './migrate.ts';
import { createPgAccountStore } from './pg-account-store.ts';
import { createPgDialStore } from './pg-dial-store.ts';
import { createPgInboxStore } from './pg-inbox-store.ts';
import { createPgCallList } from './pg-call-list.ts';
import { createPgScheduleStore } from './pg-schedule-store.ts';
import { NEW_CALL_COLUMNS, newCallValues } from '../shared/call-links.ts';
import { createPgLive, isPgUniqueViolation } from './pg-live.ts';
import { createPgLiveStreams } from './pg-live-streams.ts';
import { DuplicateIdempotencyKey } from '../../calls/idempotency-keys.ts';
import { optedOut } from '../../kernel/errors.ts';
import { createPgAccess, createPool, type Query } from './pg-pool.ts';
import { decideLimits } from './pg-limits.ts';
import { NOTIFY_CHANNEL } from './pg-notify.ts';
import { callStoredNotice, createNotifyBatch } from './notify-batch.ts';
import { createCallInsertBatch } from './pg-call-batch.ts';

/** A timeline event's columns, in the order call_events names them. */
const eventValues = (event: NewEvent) => [event.callId, event.at, event.kind, event.name, event.detail === null ? null : JSON.stringify(event.detail)];

const insertEvent = (query: Query, event: NewEvent) => query('INSERT INTO call_events (call_id, at, kind, name, detail) VALUES ($1, $2, $3, $4, $5)', eventValues(event));

/** Sets the patch's fields (those present, null included) in one statement. */
async function applyPatch(query: Query, id: string, patch: CallPatch, at: number) {
  const columns = { reason: patch.reason, call_control_id: patch.callControlId, answered_by: patch.answeredBy };
  const set = Object.entries(columns).filter(([, value]) => value !== undefined);
  if (set.length === 0) return;
  await query(`UPDATE calls SET ${set.map(([column], i) => `${column} = $${i + 3}`).join(', ')}, updated_at = $2 WHERE id = $1`, [
    id,
    at,
    ...set.map(([, value]) => value),
  ]);
}

/**
 * The store on PostgreSQL through a `pg` pool, with SQLite's semantics: each method is one statement or one
 * transaction; a transition locks its row (`FOR UPDATE`) so compare-and-set holds under concurrency, and claims
 * additionally take one transaction-level advisory lock so the live-call count they check cannot change under them.
 */
export function createPostgresStore(options: { connectionString: string; max?: number; searchPath?: string }): Store {
  const pool = createPool(options);
  const { query, tx } = createPgAccess(pool);
  // The webhook intake's connection of its own (see pg-inbox-store.ts).
  const intake = createPool({ ...options, max: 1 });
  // The event worker's per-call advisory locks: one session, never closed for idling (see pg-inbox-store.ts).
  const locks = createPool({ ...options, max: 1, idleTimeoutMillis: 0 });
  const lockedRow = async (q: Query, id: string) => (await q<CallRow>('SELECT * FROM calls WHERE id = $1 FOR UPDATE', [id])).rows[0];
  const listCalls = createPgCallList(query);
  // Every instance hears of a stored call once it is committed: batched, outside the insert's transaction (step 11).
  const notify = createNotifyBatch(query, NOTIFY_CHANNEL);
  const announce = async (accountId: string | null, call: Call) => {
    // The row is committed whatever happens here; a lost notice delays a live page until its next poll.
    await notify(callStoredNotice(accountId, call.id)).catch(() => undefined);
    return call;
  };
  /**
   * One call: the row (its idempotency key in it), read back by RETURNING, and its first timeline event in one
   * statement, atomic on its own. The do-not-call list is read by the same statement (no row when the number is on
   * it): one round trip where a separate read made two.
   */
  const insertOne = (q: Query, call: NewCall) => {
    const n = NEW_CALL_COLUMNS.split(',').length;
    return q<CallRow>(
      `WITH c AS (
         INSERT INTO calls (id, to_number, due_at, time_zone, message, status, created_at, updated_at, account_id, idempotency_key, request_hash, ${NEW_CALL_COLUMNS})
         SELECT $1, $2, $3, $4, $5, 'scheduled', $6, $6, $7, $8, $9, ${Array.from({ length: n }, (_, i) => `$${i + 11}`).join(', ')}
         WHERE NOT EXISTS (SELECT 1 FROM do_not_call WHERE number = $2)
         RETURNING *
       ), e AS (
         INSERT INTO call_events (call_id, at, kind, name, detail) SELECT id, $6, 'status', 'scheduled', $10 FROM c
       )
       SELECT * FROM c`,
      [
        call.id,
        call.to,
        call.dueAt,
        call.timeZone,
        call.message,
        call.createdAt,
        call.accountId ?? null,
        call.idempotency?.key ?? null,
        call.idempotency?.requestHash ?? null,
        JSON.stringify({ dueAt: call.dueAt }),
        ...newCallValues(call),
      ],
      'daj_insert_call',
    ).then(
      ({ rows }) => rows[0],
      (err: unknown) => {
        // A key the account already used fails the insert; any other unique index is not ours to explain.
        throw call.idempotency && isPgUniqueViolation(err) && (err as { constraint?: unknown }).constraint === 'calls_idempotency' ? new DuplicateIdempotencyKey() : err;
      },
    );
  };
  // The calls no limit guards and without a key: the calls of one turn in one statement (see pg-call-batch.ts).
  const insertBatched = createCallInsertBatch(query, (call) => insertOne(query, call));
  let closed = false;

  /** Ends every scheduled call matching `where` as `status`, with its timeline entry; ids in due order. */
  const endScheduled = (status: 'missed' | 'canceled', where: string, param: unknown, at: number, reason: string) =>
    tx(async (q) => {
      const from = sqlStatusIn('status', sourcesOf(status));
      const { rows } = await q<{ id: string }>(
        `UPDATE calls SET status = $1, reason = $2, updated_at = $3, ended_at = $3
         WHERE id IN (SELECT id FROM calls WHERE ${from} AND ${where} ORDER BY due_at, id FOR UPDATE) AND ${from}
         RETURNING id, due_at`,
        [status, reason, at, param],
      );
      const ids = (rows as unknown as { id: string; due_at: number }[]).sort((a, b) => a.due_at - b.due_at || (a.id < b.id ? -1 : 1)).map((r) => r.id);
      if (ids.length > 0) {
        await q(
          `INSERT INTO call_events (call_id, at, kind, name, detail)
           SELECT u.id, $2::bigint, 'status', $3::text, $4::text FROM unnest($1::text[]) WITH ORDINALITY AS u(id, n) ORDER BY u.n`,
          [ids, at, status, JSON.stringify({ from: 'scheduled', reason })],
        );
      }
      return ids;
    });

  return {
    ...createPgAccountStore({ query, tx }),
    ...createPgScheduleStore({ query, tx, insertEvent }),
    ...createPgLive(query),
    ...createPgLiveStreams({ query, tx }),
    ...createPgDialStore({ query, tx }),
    ...createPgInboxStore(
      query,
      (text, params) => intake.query(text, params as unknown[]),
      (text, params) => locks.query(text, params as unknown[]),
    ),
    async migrate() {
      await migratePostgres(pool);
    },
    async ping() {
      await query('SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([pool.end(), intake.end(), locks.end()]);
    },

    async insertCall(call, guard) {
      let row: CallRow | undefined;
      if (guard) {
        row = await tx(async (q) => {
          // The tally reads the list too, so an opted-out number is refused (422) before any limit (429) is told.
          await decideLimits(q, guard, false, true);
          return insertOne(q, call);
        });
      } else {
        row = call.idempotency ? await insertOne(query, call) : await insertBatched(call);
      }
      if (!row) throw optedOut();
      return announce(call.accountId ?? null, callFromRow(row));
    },
    async getCall(id, accountId) {
      const { rows } =
        accountId === undefined
          ? await query<CallRow>('SELECT * FROM calls WHERE id = $1', [id])
          : await query<CallRow>('SELECT * FROM calls WHERE id = $1 AND account_id = $2', [id, accountId]);
      return rows[0] ? callFromRow(rows[0]) : undefined;
    },
    listCalls,
    async listEvents(callId) {
      return (await query<EventRow>('SELECT * FROM call_events WHERE call_id = $1 ORDER BY id', [callId])).rows.map(eventFromRow);
    },
    async appendEvent(event) {
      await insertEvent(query, event);
    },

    async transition(id, from, to, at, patch = {}) {
      if (from.length === 0) return undefined;
      // One statement (functions/transition.sql): the lock, the move, the patch and the timeline row in one round trip.
      const { rows } = await query<{ r: CallRow }>(
        'SELECT r FROM daj_transition($1, $2::text[], $3, $4, $5, $6, $7, $8, $9, $10, $11) AS r',
        [
          id,
          [...from],
          to,
          at,
          isFinal(to),
          patch.reason !== undefined,
          patch.reason ?? null,
          patch.callControlId !== undefined,
          patch.callControlId ?? null,
          patch.answeredBy !== undefined,
          patch.answeredBy ?? null,
        ],
        'daj_transition',
      );
      return rows[0] ? callFromRow(rows[0].r) : undefined;
    },
    async update(id, patch, at) {
      await applyPatch(query, id, patch, at);
    },

    async recordDialedLeg(id, attempt, callControlId, at, timeline) {
      // Compare-and-set: a webhook that requeued or ended the call while the dial was under way wins.
      if (!timeline) {
        const result = await query(`UPDATE calls SET call_control_id = $1, updated_at = $2 WHERE id = $3 AND attempt = $4 AND ${IS_LIVE}`, [
          callControlId,
          at,
          id,
          attempt,
        ]);
        return (result.rowCount ?? 0) > 0;
      }
      // With its timeline row, one statement (one commit, where two autocommits made two): both versions of the
      // event go with it, and the update's outcome picks one.
      const [yes, no] = [timeline(true), timeline(false)];
      const col = (a: number, b: number) => `CASE WHEN EXISTS (SELECT 1 FROM u) THEN $${a} ELSE $${b} END`;
      const { rows } = await query<{ kept: boolean }>(
        `WITH u AS (UPDATE calls SET call_control_id = $1, updated_at = $2 WHERE id = $3 AND attempt = $4 AND ${IS_LIVE} RETURNING 1),
           e AS (INSERT INTO call_events (call_id, at, kind, name, detail)
                 SELECT ${col(5, 10)}, ${col(6, 11)}::bigint, ${col(7, 12)}, ${col(8, 13)}, ${col(9, 14)})
         SELECT EXISTS (SELECT 1 FROM u) AS kept`,
        [callControlId, at, id, attempt, ...eventValues(yes), ...eventValues(no)],
        'daj_record_dialed_leg',
      );
      return rows[0]?.kept === true;
    },
    async requeue(id, from, dueAt, at, reason) {
      if (from.length === 0) return undefined;
      return tx(async (q) => {
        const before = await lockedRow(q, id);
        if (!before || !from.includes(before.status as CallStatus)) return undefined;
        const { rows } = await q<CallRow>(
          `UPDATE calls SET status = 'scheduled', due_at = $2, call_control_id = NULL, reason = $3, updated_at = $4, ended_at = NULL
           WHERE id = $1 RETURNING *`,
          [id, dueAt, reason, at],
        );
        await insertEvent(q, { callId: id, at, kind: 'status', name: 'scheduled', detail: { from: before.status, reason, requeued: true, dueAt } });
        return callFromRow(rows[0] as CallRow);
      });
    },
    async nextDue(limit, exclude = new Set()) {
      // A range scan of calls_scheduled_due; the excluded ids (the queue's few in hand) are filtered on the way.
      const { rows } = await query<{ id: string; due_at: number }>(
        `SELECT id, due_at FROM calls WHERE ${IS_WAITING} AND id <> ALL($1::text[]) ORDER BY due_at, id LIMIT $2`,
        [[...exclude], limit],
      );
      return rows.map((r) => ({ id: r.id, dueAt: r.due_at }));
    },
    async countLive() {
      // The dial gate's count (migration 8's trigger keeps it), not a scan of every live call.
      return (await query<{ live: number }>('SELECT live FROM dial_gate WHERE id = 1')).rows[0]?.live ?? 0;
    },
    async findStale(statuses, before) {
      if (statuses.length === 0) return [];
      const { rows } = await query<CallRow>('SELECT * FROM calls WHERE status = ANY($1::text[]) AND updated_at < $2 ORDER BY updated_at', [
        statuses,
        before,
      ]);
      return rows.map(callFromRow);
    },
    markMissed(dueBefore, at, reason) {
      return endScheduled('missed', 'due_at < $4', dueBefore, at, reason);
    },
    async addDoNotCall(entry) {
      const result = await query('INSERT INTO do_not_call (number, added_at, call_id) VALUES ($1, $2, $3) ON CONFLICT (number) DO NOTHING', [
        entry.number,
        entry.addedAt,
        entry.callId,
      ]);
      return result.rowCount === 1;
    },
    async getDoNotCall(number) {
      const { rows } = await query<{ number: string; added_at: number; call_id: string | null }>(
        'SELECT number, added_at, call_id FROM do_not_call WHERE number = $1',
        [number],
        'daj_get_do_not_call',
      );
      const row = rows[0];
      return row ? { number: row.number, addedAt: row.added_at, callId: row.call_id } : undefined;
    },
    cancelScheduledTo(number, at, reason) {
      return endScheduled('canceled', 'to_number = $4', number, at, reason);
    },
    async findCallByControlId(callControlId) {
      const { rows } = await query<CallRow>('SELECT * FROM calls WHERE call_control_id = $1', [callControlId]);
      return rows[0] ? callFromRow(rows[0]) : undefined;
    },
    async purgeFinished(endedBefore) {
      return tx(async (q) => {
        await q('DELETE FROM call_events WHERE call_id IN (SELECT id FROM calls WHERE status = ANY($1::text[]) AND ended_at < $2)', [
          FINAL_STATUSES,
          endedBefore,
        ]);
        // Applied webhooks (with the numbers they carry) go after the same retention period.
        await q('DELETE FROM webhook_inbox WHERE applied_at IS NOT NULL AND applied_at < $1', [endedBefore]);
        return (await q('DELETE FROM calls WHERE status = ANY($1::text[]) AND ended_at < $2', [FINAL_STATUSES, endedBefore])).rowCount ?? 0;
      });
    },
  };
}
