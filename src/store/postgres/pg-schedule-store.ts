import type { RetryStore } from '../../schedules/retry-store.ts';
import type { Schedule } from '../../schedules/schedule.ts';
import type { ScheduleStore } from '../../schedules/schedule-store.ts';
import { NEW_CALL_COLUMNS, newCallValues } from '../shared/call-links.ts';
import { callFromRow, type CallRow } from '../shared/rows.ts';
import { insertValues, patchColumns, scheduleFromRow, type ScheduleRow } from '../shared/schedule-rows.ts';
import type { NewCall, NewEvent } from '../../calls/call-store.ts';
import type { PgTx, Query } from './pg-pool.ts';
import { decideLimits, lockAccount, openSchedules } from './pg-limits.ts';
import { callStoredNotice } from './notify-batch.ts';
import { NOTIFY_CHANNEL } from './pg-notify.ts';

const PENDING = "status = 'scheduled' AND retry_of IS NULL";

/**
 * Schedules and retries on PostgreSQL. Creating an occurrence locks the schedule's row (`FOR UPDATE`), so the
 * check "active, nothing pending, after the cursor" and the insert are one step for every instance; the unique keys
 * stay as the last word.
 */
export function createPgScheduleStore(deps: { query: Query; tx: PgTx; insertEvent: (query: Query, event: NewEvent) => Promise<unknown> }): ScheduleStore & RetryStore {
  const { query, tx, insertEvent } = deps;
  const get = async (q: Query, id: string, lock = false) => {
    const row = (await q<ScheduleRow>(`SELECT * FROM schedules WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0];
    return row ? scheduleFromRow(row) : undefined;
  };
  const applyPatch = async (q: Query, id: string, patch: Parameters<ScheduleStore['updateSchedule']>[1], at: number) => {
    const set = patchColumns(patch);
    await q(`UPDATE schedules SET ${[...set.map(([c], i) => `${c} = $${i + 3}`), 'updated_at = $2'].join(', ')} WHERE id = $1`, [id, at, ...set.map(([, v]) => v)]);
  };
  const insertOnce = async (q: Query, call: NewCall): Promise<boolean> => {
    const values = newCallValues(call);
    const { rowCount } = await q(
      `INSERT INTO calls (id, to_number, due_at, time_zone, message, status, created_at, updated_at, account_id, ${NEW_CALL_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, 'scheduled', $6, $6, $7, ${values.map((_, i) => `$${i + 8}`).join(', ')}) ON CONFLICT DO NOTHING`,
      [call.id, call.to, call.dueAt, call.timeZone, call.message, call.createdAt, call.accountId ?? null, ...values],
    );
    if (!rowCount) return false;
    // Announced inside this transaction, as the insert trigger did before step 11: occurrences and retries are few.
    await q('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, callStoredNotice(call.accountId ?? null, call.id)]);
    await insertEvent(q, {
      callId: call.id,
      at: call.createdAt,
      kind: 'status',
      name: 'scheduled',
      detail: { dueAt: call.dueAt, ...(call.scheduleId ? { scheduleId: call.scheduleId } : {}), ...(call.retryOf ? { retryOf: call.retryOf, try: call.tryNumber } : {}) },
    });
    return true;
  };
  const callById = async (q: Query, id: string) => callFromRow((await q<CallRow>('SELECT * FROM calls WHERE id = $1', [id])).rows[0] as CallRow);
  const calls = (rows: CallRow[]) => rows.map(callFromRow);

  return {
    async insertSchedule(schedule, limits) {
      const [columns, values] = insertValues(schedule);
      return tx(async (q) => {
        if (limits) {
          await lockAccount(q, schedule.accountId, limits.firstCall?.to);
          limits.decideOpen(await openSchedules(q, schedule.accountId, schedule.to));
          if (limits.firstCall) await decideLimits(q, limits.firstCall, true);
        }
        const { rows } = await q<ScheduleRow>(
          `INSERT INTO schedules (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`,
          values,
        );
        return scheduleFromRow(rows[0] as ScheduleRow);
      });
    },
    async getSchedule(id, accountId) {
      const s = await get(query, id);
      return s && (accountId === undefined || s.accountId === accountId) ? s : undefined;
    },
    async listSchedules(accountId, limit) {
      const { rows } = await query<ScheduleRow>('SELECT * FROM schedules WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [accountId, limit]);
      return rows.map(scheduleFromRow);
    },
    async updateSchedule(id, patch, at) {
      return tx(async (q) => {
        if (!(await get(q, id, true))) return undefined;
        await applyPatch(q, id, patch, at);
        return get(q, id);
      });
    },
    async schedulesNeedingOccurrence(now, limit, afterId = '') {
      const { rows } = await query<ScheduleRow>(
        `SELECT s.* FROM schedules s
         WHERE s.status = 'active' AND s.id > $1 AND (s.hold_until IS NULL OR s.hold_until <= $2)
           AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.schedule_id = s.id AND c.status = 'scheduled' AND c.retry_of IS NULL)
         ORDER BY s.id LIMIT $3`,
        [afterId, now, limit],
      );
      return rows.map(scheduleFromRow);
    },
    async insertOccurrence(call, guard) {
      return tx(async (q) => {
        // The limits' locks before the schedule's row lock, as every guarded insert takes them first.
        if (guard) await decideLimits(q, guard);
        const s = await get(q, call.scheduleId, true);
        if (!s || s.status !== 'active' || call.occurrenceAt <= s.afterAt) return undefined;
        if ((await q(`SELECT 1 FROM calls WHERE schedule_id = $1 AND ${PENDING}`, [call.scheduleId])).rowCount) return undefined;
        if (!(await insertOnce(q, call))) return undefined;
        await applyPatch(q, call.scheduleId, { afterAt: call.occurrenceAt, nextAt: call.occurrenceAt, holdUntil: null }, call.createdAt);
        await q('UPDATE schedules SET last_occurrence_at = $2 WHERE id = $1', [call.scheduleId, call.occurrenceAt]);
        return callById(q, call.id);
      });
    },
    async pendingOccurrence(scheduleId) {
      const { rows } = await query<CallRow>(`SELECT * FROM calls WHERE schedule_id = $1 AND ${PENDING}`, [scheduleId]);
      return rows[0] ? callFromRow(rows[0]) : undefined;
    },
    async changeSchedule(id, patch, at, reason) {
      return tx(async (q) => {
        if (!(await get(q, id, true))) return undefined;
        await applyPatch(q, id, patch, at);
        const { rows } = await q<{ id: string }>(
          `UPDATE calls SET status = 'canceled', reason = $2, updated_at = $3, ended_at = $3
           WHERE id IN (SELECT id FROM calls WHERE schedule_id = $1 AND status = 'scheduled' ORDER BY due_at, id FOR UPDATE) AND status = 'scheduled'
           RETURNING id`,
          [id, reason, at],
        );
        for (const { id: callId } of rows) await insertEvent(q, { callId, at, kind: 'status', name: 'canceled', detail: { from: 'scheduled', reason } });
        return { schedule: (await get(q, id)) as Schedule, canceled: rows.map((r) => r.id) };
      });
    },
    async scheduleCalls(scheduleId, limit) {
      return calls((await query<CallRow>('SELECT * FROM calls WHERE schedule_id = $1 ORDER BY due_at DESC, id DESC LIMIT $2', [scheduleId, limit])).rows);
    },
    async endSchedulesTo(number, at, reason) {
      const { rows } = await query<{ id: string }>(
        `UPDATE schedules SET status = 'ended', end_reason = $2, next_at = NULL, hold_until = NULL, updated_at = $3
         WHERE to_number = $1 AND status <> 'ended' RETURNING id`,
        [number, reason, at],
      );
      return rows.map((r) => r.id);
    },

    async insertRetry(call, guard) {
      return tx(async (q) => {
        if (guard) await decideLimits(q, guard);
        return (await insertOnce(q, call)) ? callById(q, call.id) : undefined;
      });
    },
    async callsAwaitingRetry(endedAfter, limit) {
      const { rows } = await query<CallRow>(
        `SELECT c.* FROM calls c
         WHERE c.try_number < c.tries_total AND c.status IN ('busy', 'no_answer', 'failed') AND c.ended_at > $1
           AND NOT EXISTS (SELECT 1 FROM calls r WHERE r.retry_of = coalesce(c.retry_of, c.id) AND r.try_number = c.try_number + 1)
         ORDER BY c.ended_at LIMIT $2`,
        [endedAfter, limit],
      );
      return calls(rows);
    },
    async stopRetries(id, at, reason) {
      await tx(async (q) => {
        await q('UPDATE calls SET tries_total = try_number, updated_at = $2 WHERE id = $1', [id, at]);
        await insertEvent(q, { callId: id, at, kind: 'note', name: 'no-retry', detail: { reason } });
      });
    },
    async callOwner(id) {
      const { rows } = await query<{ account_id: string | null }>('SELECT account_id FROM calls WHERE id = $1', [id]);
      return rows[0]?.account_id ?? null;
    },
  };
}
