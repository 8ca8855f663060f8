import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { isFinal, type CallStatus } from '../../calls/call.ts';
import { callFromRow, eventFromRow, type CallRow, type EventRow } from '../shared/rows.ts';
import { IS_CANCELABLE, IS_FINAL, IS_LIVE, IS_MISSABLE, IS_WAITING } from '../shared/sql-status.ts';
import type { CallPatch, DueEntry, ListQuery, NewEvent } from '../../calls/call-store.ts';
import type { Store } from '../store.ts';
import { createConnection } from './connection.ts';
import { migrateSqlite } from './migrate.ts';
import { createSqliteAccountStore } from './sqlite-account-store.ts';
import { createSqliteCallList } from './sqlite-call-list.ts';
import { createSqliteScheduleStore } from './sqlite-schedule-store.ts';
import { NEW_CALL_COLUMNS, newCallValues } from '../shared/call-links.ts';
import { createSqliteLive, isUniqueViolation } from './sqlite-live.ts';
import { createSqliteLiveStreams } from './sqlite-live-streams.ts';
import { DuplicateIdempotencyKey } from '../../calls/idempotency-keys.ts';
import { optedOut } from '../../kernel/errors.ts';
import { createSqliteDialStore } from './sqlite-dial-store.ts';
import { decideLimits } from './sqlite-limits.ts';
import { createSqliteInboxStore } from './sqlite-inbox-store.ts';
import { createSharedCommit } from './shared-commit.ts';

/**
 * The embedded store on `node:sqlite`: WAL journal, `synchronous=NORMAL` (durable across a process crash; a power
 * loss may drop the last commits, which WAL keeps consistent), and a busy timeout so a second process waits instead
 * of failing. node:sqlite is synchronous; every method is one short statement or transaction, so the event loop is
 * held for microseconds, and the async port lets PostgreSQL share the contract.
 */
export function createSqliteStore(options: { path: string; busyTimeoutMs?: number }): Store {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new DatabaseSync(options.path, { timeout: options.busyTimeoutMs ?? 5000 });
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
  const { sql, tx } = createConnection(db);
  // The calls of one event-loop turn share one commit (see shared-commit.ts).
  const shared = createSharedCommit({ sql, tx });
  const getCallRow = (id: string) => sql('SELECT * FROM calls WHERE id = ?').get(id) as CallRow | undefined;
  const insertEvent = (event: NewEvent) =>
    sql('INSERT INTO call_events (call_id, at, kind, name, detail) VALUES (?, ?, ?, ?, ?)').run(
      event.callId,
      event.at,
      event.kind,
      event.name,
      event.detail === null ? null : JSON.stringify(event.detail),
    );
  const applyPatch = (id: string, patch: CallPatch, at: number) => {
    if (patch.reason !== undefined) sql('UPDATE calls SET reason = ?, updated_at = ? WHERE id = ?').run(patch.reason, at, id);
    if (patch.callControlId !== undefined) {
      sql('UPDATE calls SET call_control_id = ?, updated_at = ? WHERE id = ?').run(patch.callControlId, at, id);
    }
    if (patch.answeredBy !== undefined) sql('UPDATE calls SET answered_by = ?, updated_at = ? WHERE id = ?').run(patch.answeredBy, at, id);
  };

  const listCalls = createSqliteCallList(sql);

  return {
    ...createSqliteAccountStore({ sql, tx }),
    ...createSqliteScheduleStore({ sql, tx, insertEvent }),
    ...createSqliteLive(sql),
    ...createSqliteLiveStreams({ sql, tx }),
    ...createSqliteDialStore({ sql, tx }),
    ...createSqliteInboxStore(sql, tx),
    async migrate() {
      migrateSqlite(db, tx);
    },
    async ping() {
      sql('SELECT 1').get();
    },
    async close() {
      if (db.isOpen) db.close();
    },

    async insertCall(call, guard) {
      return shared(() => {
        // An opted-out number is refused (422) before any limit (429) is told; without a guard the insert reads the list.
        if (guard) {
          if (sql('SELECT 1 FROM do_not_call WHERE number = ?').get(call.to)) throw optedOut();
          decideLimits(sql, guard);
        }
        let row: CallRow | undefined;
        try {
          // The idempotency key in the row itself: a key the account already used fails this insert, in this transaction.
          // The do-not-call list in the same statement (no row when the number is on it): one statement, not two.
          row = sql(
            `INSERT INTO calls (id, to_number, due_at, time_zone, message, status, created_at, updated_at, account_id, idempotency_key, request_hash, ${NEW_CALL_COLUMNS})
             SELECT ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?, ?, ${NEW_CALL_COLUMNS.split(',').map(() => '?').join(', ')}
             WHERE NOT EXISTS (SELECT 1 FROM do_not_call WHERE number = ?) RETURNING *`,
          ).get(
            call.id,
            call.to,
            call.dueAt,
            call.timeZone,
            call.message,
            call.createdAt,
            call.createdAt,
            call.accountId ?? null,
            call.idempotency?.key ?? null,
            call.idempotency?.requestHash ?? null,
            ...newCallValues(call),
            call.to,
          ) as CallRow | undefined;
        } catch (err) {
          throw call.idempotency && isUniqueViolation(err) && /idempotency_key/.test(String((err as Error).message)) ? new DuplicateIdempotencyKey() : err;
        }
        if (!row) throw optedOut();
        insertEvent({ callId: call.id, at: call.createdAt, kind: 'status', name: 'scheduled', detail: { dueAt: call.dueAt } });
        return callFromRow(row);
      });
    },
    async getCall(id, accountId) {
      const row =
        accountId === undefined
          ? getCallRow(id)
          : (sql('SELECT * FROM calls WHERE id = ? AND account_id = ?').get(id, accountId) as CallRow | undefined);
      return row ? callFromRow(row) : undefined;
    },
    async listCalls(query: ListQuery) {
      return listCalls(query);
    },
    async listEvents(callId) {
      return (sql('SELECT * FROM call_events WHERE call_id = ? ORDER BY id').all(callId) as EventRow[]).map(eventFromRow);
    },
    async appendEvent(event) {
      insertEvent(event);
    },

    async transition(id, from, to, at, patch = {}) {
      if (from.length === 0) return undefined;
      return tx(() => {
        const before = getCallRow(id);
        if (!before || !from.includes(before.status as CallStatus)) return undefined;
        sql('UPDATE calls SET status = ?, updated_at = ?, ended_at = ? WHERE id = ?').run(to, at, isFinal(to) ? at : null, id);
        applyPatch(id, patch, at);
        insertEvent({
          callId: id,
          at,
          kind: 'status',
          name: to,
          detail: { from: before.status, ...(patch.reason ? { reason: patch.reason } : {}) },
        });
        return callFromRow(getCallRow(id) as CallRow);
      });
    },
    async update(id, patch, at) {
      applyPatch(id, patch, at);
    },
    async recordDialedLeg(id, attempt, callControlId, at, timeline) {
      return tx(() => {
        const result = sql(`UPDATE calls SET call_control_id = ?, updated_at = ? WHERE id = ? AND attempt = ? AND ${IS_LIVE}`).run(
          callControlId,
          at,
          id,
          attempt,
        );
        const kept = Number(result.changes) > 0;
        if (timeline) insertEvent(timeline(kept));
        return kept;
      });
    },

    async requeue(id, from, dueAt, at, reason) {
      if (from.length === 0) return undefined;
      return tx(() => {
        const before = getCallRow(id);
        if (!before || !from.includes(before.status as CallStatus)) return undefined;
        sql(
          `UPDATE calls SET status = 'scheduled', due_at = ?, call_control_id = NULL, reason = ?, updated_at = ?, ended_at = NULL
           WHERE id = ?`,
        ).run(dueAt, reason, at, id);
        insertEvent({ callId: id, at, kind: 'status', name: 'scheduled', detail: { from: before.status, reason, requeued: true, dueAt } });
        return callFromRow(getCallRow(id) as CallRow);
      });
    },
    async nextDue(limit, exclude = new Set()) {
      const out: DueEntry[] = [];
      // Excluded ids are few (the queue's in-hand set), so skipping them in the scan beats a NOT IN list.
      for (const row of sql(`SELECT id, due_at FROM calls WHERE ${IS_WAITING} ORDER BY due_at, id`).iterate() as Iterable<{
        id: string;
        due_at: number;
      }>) {
        if (exclude.has(row.id)) continue;
        out.push({ id: row.id, dueAt: row.due_at });
        if (out.length >= limit) break;
      }
      return out;
    },
    async countLive() {
      // The dial gate's count (migration 8's trigger keeps it), not a scan of every live call.
      return (sql('SELECT live FROM dial_gate WHERE id = 1').get() as { live: number }).live;
    },
    async findStale(statuses, before) {
      if (statuses.length === 0) return [];
      const rows = sql(
        `SELECT * FROM calls WHERE status IN (${statuses.map(() => '?').join(', ')}) AND updated_at < ? ORDER BY updated_at`,
      ).all(...statuses, before) as CallRow[];
      return rows.map(callFromRow);
    },
    async markMissed(dueBefore, at, reason) {
      return tx(() => {
        const rows = sql(`SELECT id FROM calls WHERE ${IS_MISSABLE} AND due_at < ? ORDER BY due_at`).all(dueBefore) as {
          id: string;
        }[];
        for (const { id } of rows) {
          sql("UPDATE calls SET status = 'missed', reason = ?, updated_at = ?, ended_at = ? WHERE id = ?").run(reason, at, at, id);
          insertEvent({ callId: id, at, kind: 'status', name: 'missed', detail: { from: 'scheduled', reason } });
        }
        return rows.map((r) => r.id);
      });
    },
    async addDoNotCall(entry) {
      const result = sql('INSERT INTO do_not_call (number, added_at, call_id) VALUES (?, ?, ?) ON CONFLICT (number) DO NOTHING').run(
        entry.number,
        entry.addedAt,
        entry.callId,
      );
      return Number(result.changes) === 1;
    },
    async getDoNotCall(number) {
      const row = sql('SELECT number, added_at, call_id FROM do_not_call WHERE number = ?').get(number) as
        | { number: string; added_at: number; call_id: string | null }
        | undefined;
      return row ? { number: row.number, addedAt: row.added_at, callId: row.call_id } : undefined;
    },
    async cancelScheduledTo(number, at, reason) {
      return tx(() => {
        const rows = sql(`SELECT id FROM calls WHERE ${IS_CANCELABLE} AND to_number = ? ORDER BY due_at`).all(number) as { id: string }[];
        for (const { id } of rows) {
          sql("UPDATE calls SET status = 'canceled', reason = ?, updated_at = ?, ended_at = ? WHERE id = ?").run(reason, at, at, id);
          insertEvent({ callId: id, at, kind: 'status', name: 'canceled', detail: { from: 'scheduled', reason } });
        }
        return rows.map((r) => r.id);
      });
    },
    async findCallByControlId(callControlId) {
      const row = sql('SELECT * FROM calls WHERE call_control_id = ?').get(callControlId) as CallRow | undefined;
      return row ? callFromRow(row) : undefined;
    },
    async purgeFinished(endedBefore) {
      return tx(() => {
        sql(`DELETE FROM call_events WHERE call_id IN (SELECT id FROM calls WHERE ${IS_FINAL} AND ended_at < ?)`).run(
          endedBefore,
        );
        // Applied webhooks (with the numbers they carry) go after the same retention period.
        sql('DELETE FROM webhook_inbox WHERE applied_at IS NOT NULL AND applied_at < ?').run(endedBefore);
        return Number(sql(`DELETE FROM calls WHERE ${IS_FINAL} AND ended_at < ?`).run(endedBefore).changes);
      });
    },
  };
}
