import type { RetryStore } from '../../schedules/retry-store.ts';
import type { ScheduleStore } from '../../schedules/schedule-store.ts';
import { NEW_CALL_COLUMNS, newCallValues } from '../shared/call-links.ts';
import { callFromRow, type CallRow } from '../shared/rows.ts';
import { insertValues, patchColumns, scheduleFromRow, type ScheduleRow } from '../shared/schedule-rows.ts';
import type { NewCall, NewEvent } from '../../calls/call-store.ts';
import type { Sql, Tx } from './connection.ts';
import { decideLimits, openSchedules } from './sqlite-limits.ts';

const PENDING = "status = 'scheduled' AND retry_of IS NULL";

/** Schedules and retries on SQLite: every step one statement or one immediate transaction (so check-then-insert holds). */
export function createSqliteScheduleStore(deps: { sql: Sql; tx: Tx; insertEvent: (event: NewEvent) => unknown }): ScheduleStore & RetryStore {
  const { sql, tx, insertEvent } = deps;
  const scheduleRow = (id: string) => sql('SELECT * FROM schedules WHERE id = ?').get(id) as ScheduleRow | undefined;
  const get = (id: string) => {
    const row = scheduleRow(id);
    return row ? scheduleFromRow(row) : undefined;
  };
  const applyPatch = (id: string, patch: Parameters<ScheduleStore['updateSchedule']>[1], at: number) => {
    const set = patchColumns(patch);
    sql(`UPDATE schedules SET ${[...set.map(([c]) => `${c} = ?`), 'updated_at = ?'].join(', ')} WHERE id = ?`).run(...set.map(([, v]) => v), at, id);
  };
  /** Inserts a call unless a unique key refuses it; true when inserted. */
  const insertOnce = (call: NewCall): boolean => {
    const result = sql(
      `INSERT INTO calls (id, to_number, due_at, time_zone, message, status, created_at, updated_at, account_id, ${NEW_CALL_COLUMNS})
       VALUES (?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ).run(call.id, call.to, call.dueAt, call.timeZone, call.message, call.createdAt, call.createdAt, call.accountId ?? null, ...newCallValues(call));
    if (Number(result.changes) === 0) return false;
    insertEvent({
      callId: call.id,
      at: call.createdAt,
      kind: 'status',
      name: 'scheduled',
      detail: { dueAt: call.dueAt, ...(call.scheduleId ? { scheduleId: call.scheduleId } : {}), ...(call.retryOf ? { retryOf: call.retryOf, try: call.tryNumber } : {}) },
    });
    return true;
  };
  const callRow = (id: string) => callFromRow(sql('SELECT * FROM calls WHERE id = ?').get(id) as CallRow);

  return {
    async insertSchedule(schedule, limits) {
      const [columns, values] = insertValues(schedule);
      return tx(() => {
        if (limits) {
          limits.decideOpen(openSchedules(sql, schedule.accountId, schedule.to));
          if (limits.firstCall) decideLimits(sql, limits.firstCall);
        }
        sql(`INSERT INTO schedules (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(...values);
        return get(schedule.id) as NonNullable<ReturnType<typeof get>>;
      });
    },
    async getSchedule(id, accountId) {
      const s = get(id);
      return s && (accountId === undefined || s.accountId === accountId) ? s : undefined;
    },
    async listSchedules(accountId, limit) {
      const rows = sql('SELECT * FROM schedules WHERE account_id = ? ORDER BY created_at DESC, id DESC LIMIT ?').all(accountId, limit) as ScheduleRow[];
      return rows.map(scheduleFromRow);
    },
    async updateSchedule(id, patch, at) {
      return tx(() => {
        if (!scheduleRow(id)) return undefined;
        applyPatch(id, patch, at);
        return get(id);
      });
    },
    async schedulesNeedingOccurrence(now, limit, afterId = '') {
      const rows = sql(
        `SELECT s.* FROM schedules s
         WHERE s.status = 'active' AND s.id > ? AND (s.hold_until IS NULL OR s.hold_until <= ?)
           AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.schedule_id = s.id AND c.status = 'scheduled' AND c.retry_of IS NULL)
         ORDER BY s.id LIMIT ?`,
      ).all(afterId, now, limit) as ScheduleRow[];
      return rows.map(scheduleFromRow);
    },
    async insertOccurrence(call, guard) {
      return tx(() => {
        if (guard) decideLimits(sql, guard);
        const s = get(call.scheduleId);
        if (!s || s.status !== 'active' || call.occurrenceAt <= s.afterAt) return undefined;
        if (sql(`SELECT 1 FROM calls WHERE schedule_id = ? AND ${PENDING}`).get(call.scheduleId)) return undefined;
        if (!insertOnce(call)) return undefined;
        applyPatch(
          call.scheduleId,
          { afterAt: call.occurrenceAt, nextAt: call.occurrenceAt, holdUntil: null },
          call.createdAt,
        );
        sql('UPDATE schedules SET last_occurrence_at = ? WHERE id = ?').run(call.occurrenceAt, call.scheduleId);
        return callRow(call.id);
      });
    },
    async pendingOccurrence(scheduleId) {
      const row = sql(`SELECT * FROM calls WHERE schedule_id = ? AND ${PENDING}`).get(scheduleId) as CallRow | undefined;
      return row ? callFromRow(row) : undefined;
    },
    async changeSchedule(id, patch, at, reason) {
      return tx(() => {
        if (!scheduleRow(id)) return undefined;
        applyPatch(id, patch, at);
        // Retries waiting to ring belong to the old rule too: a pause or stop ends them with the occurrence.
        const rows = sql("SELECT id FROM calls WHERE schedule_id = ? AND status = 'scheduled'").all(id) as { id: string }[];
        for (const { id: callId } of rows) {
          sql("UPDATE calls SET status = 'canceled', reason = ?, updated_at = ?, ended_at = ? WHERE id = ?").run(reason, at, at, callId);
          insertEvent({ callId, at, kind: 'status', name: 'canceled', detail: { from: 'scheduled', reason } });
        }
        return { schedule: get(id) as NonNullable<ReturnType<typeof get>>, canceled: rows.map((r) => r.id) };
      });
    },
    async scheduleCalls(scheduleId, limit) {
      const rows = sql('SELECT * FROM calls WHERE schedule_id = ? ORDER BY due_at DESC, id DESC LIMIT ?').all(scheduleId, limit) as CallRow[];
      return rows.map(callFromRow);
    },
    async endSchedulesTo(number, at, reason) {
      return tx(() => {
        const rows = sql("SELECT id FROM schedules WHERE to_number = ? AND status <> 'ended'").all(number) as { id: string }[];
        for (const { id } of rows) applyPatch(id, { status: 'ended', endReason: reason, nextAt: null, holdUntil: null }, at);
        return rows.map((r) => r.id);
      });
    },

    async insertRetry(call, guard) {
      return tx(() => {
        if (guard) decideLimits(sql, guard);
        return insertOnce(call) ? callRow(call.id) : undefined;
      });
    },
    async callsAwaitingRetry(endedAfter, limit) {
      const rows = sql(
        `SELECT c.* FROM calls c
         WHERE c.try_number < c.tries_total AND c.status IN ('busy', 'no_answer', 'failed') AND c.ended_at > ?
           AND NOT EXISTS (SELECT 1 FROM calls r WHERE r.retry_of = coalesce(c.retry_of, c.id) AND r.try_number = c.try_number + 1)
         ORDER BY c.ended_at LIMIT ?`,
      ).all(endedAfter, limit) as CallRow[];
      return rows.map(callFromRow);
    },
    async stopRetries(id, at, reason) {
      tx(() => {
        sql('UPDATE calls SET tries_total = try_number, updated_at = ? WHERE id = ?').run(at, id);
        insertEvent({ callId: id, at, kind: 'note', name: 'no-retry', detail: { reason } });
      });
    },
    async callOwner(id) {
      const row = sql('SELECT account_id FROM calls WHERE id = ?').get(id) as { account_id: string | null } | undefined;
      return row?.account_id ?? null;
    },
  };
}
