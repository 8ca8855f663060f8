import { IS_LIVE } from '../shared/sql-status.ts';
import { OPTED_OUT_REASON, OUTCOME_UNKNOWN_REASON } from '../../calls/reasons.ts';
import type { DialClaimResult, DialStore } from '../../dialing/dial-store.ts';
import type { Leases } from '../../kernel/leases.ts';
import { callFromRow, type CallRow } from '../shared/rows.ts';
import type { ClaimResult } from '../../calls/call-store.ts';
import type { Sql, Tx } from './connection.ts';

/** Dial slots older than this are deleted as new ones are taken: the table holds seconds of history, bounded. */
const SLOT_HISTORY_MS = 10_000;

function slotWait(sql: Sql, at: number, perWindow: number, windowMs: number): number {
  const row = sql('SELECT at FROM dial_slots WHERE at > ? ORDER BY at DESC LIMIT 1 OFFSET ?').get(at - windowMs, perWindow - 1) as { at: number } | undefined;
  return row === undefined ? 0 : Math.max(1, row.at + windowMs - at);
}

function takeSlot(sql: Sql, at: number): void {
  sql('INSERT INTO dial_slots (at) VALUES (?)').run(at);
  sql('DELETE FROM dial_slots WHERE at < ?').run(at - SLOT_HISTORY_MS);
}

/**
 * The claim, inside an immediate transaction: `scheduled → dialing` when the number has not opted out and a channel
 * is free; `gate` (the dial rate) may refuse it after those checks, and otherwise takes a slot and leases the call.
 */
export function claimIn(
  sql: Sql,
  id: string,
  at: number,
  maxLive: number,
  gate?: { perWindow: number; windowMs: number; owner: string; until: number },
): DialClaimResult {
  const row = sql('SELECT * FROM calls WHERE id = ?').get(id) as CallRow | undefined;
  if (!row || row.status !== 'scheduled') return { claimed: null, reason: 'not_scheduled' };
  const event = (name: string, detail: Record<string, unknown>) =>
    sql('INSERT INTO call_events (call_id, at, kind, name, detail) VALUES (?, ?, ?, ?, ?)').run(id, at, 'status', name, JSON.stringify(detail));
  if (sql('SELECT 1 FROM do_not_call WHERE number = ?').get(row.to_number)) {
    sql("UPDATE calls SET status = 'canceled', reason = ?, updated_at = ?, ended_at = ? WHERE id = ?").run(OPTED_OUT_REASON, at, at, id);
    event('canceled', { from: 'scheduled', reason: OPTED_OUT_REASON });
    return { claimed: null, reason: 'not_scheduled' };
  }
  const live = (sql(`SELECT count(*) AS n FROM calls WHERE ${IS_LIVE}`).get() as { n: number }).n;
  if (live >= maxLive) return { claimed: null, reason: 'no_channel' };
  if (gate) {
    const waitMs = slotWait(sql, at, gate.perWindow, gate.windowMs);
    if (waitMs > 0) return { claimed: null, reason: 'rate', waitMs };
    takeSlot(sql, at);
  }
  const lateness = at - Number(row.due_at);
  sql(
    `UPDATE calls SET status = 'dialing', attempt = attempt + 1, claimed_at = ?, lateness_ms = ?, updated_at = ?,
       call_control_id = NULL, lease_owner = ?, lease_until = ?
     WHERE id = ?`,
  ).run(at, lateness, at, gate?.owner ?? null, gate?.until ?? null, id);
  event('dialing', { from: 'scheduled', latenessMs: lateness });
  return { claimed: callFromRow(sql('SELECT * FROM calls WHERE id = ?').get(id) as CallRow) } satisfies ClaimResult;
}

/** The SQLite side of the dial store, the named leases and the per-call inbox (one process: leases never contend). */
export function createSqliteDialStore({ sql, tx }: { sql: Sql; tx: Tx }): DialStore & Leases {
  return {
    sharedByInstances: false,
    async claimNextDial(now, limits, lease) {
      return tx(() => {
        const at = now();
        const due = sql("SELECT id FROM calls WHERE status = 'scheduled' AND due_at <= ? ORDER BY due_at, id LIMIT 1").get(at) as { id: string } | undefined;
        if (!due) return { claimed: null, reason: 'none_due' } as const;
        return claimIn(sql, due.id, at, limits.maxLive, { perWindow: limits.perWindow, windowMs: limits.windowMs, ...lease });
      });
    },
    async takeDialSlot(now, perWindow, windowMs) {
      return tx(() => {
        const at = now();
        const wait = slotWait(sql, at, perWindow, windowMs);
        if (wait === 0) takeSlot(sql, at);
        return wait;
      });
    },
    async renewDialLeases(owner, ids, until) {
      tx(() => {
        for (const id of ids) sql("UPDATE calls SET lease_until = ? WHERE id = ? AND lease_owner = ? AND status = 'dialing'").run(until, id, owner);
      });
    },
    async takeOverDials(at, lease, limit) {
      return tx(() => {
        const rows = sql(
          `SELECT * FROM calls WHERE status = 'dialing' AND call_control_id IS NULL AND reason IS NOT ?
             AND (lease_until IS NULL OR lease_until < ?) ORDER BY claimed_at LIMIT ?`,
        ).all(OUTCOME_UNKNOWN_REASON, at, limit) as CallRow[];
        for (const row of rows) sql('UPDATE calls SET lease_owner = ?, lease_until = ? WHERE id = ?').run(lease.owner, lease.until, row.id);
        return rows.map((row) => callFromRow({ ...row }));
      });
    },
    async leasedDials(at) {
      const rows = sql(
        "SELECT id FROM calls WHERE status = 'dialing' AND call_control_id IS NULL AND reason IS NOT ? AND lease_until >= ?",
      ).all(OUTCOME_UNKNOWN_REASON, at) as { id: string }[];
      return new Set(rows.map((r) => r.id));
    },
    async tryLease(key, owner, at, until) {
      const result = sql(
        `INSERT INTO leases (key, owner, until) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, until = excluded.until
         WHERE leases.until < ? OR leases.owner = excluded.owner`,
      ).run(key, owner, until, at);
      return Number(result.changes) === 1;
    },
    async renewLeases(owner, keys, until) {
      tx(() => {
        for (const key of keys) sql('UPDATE leases SET until = ? WHERE key = ? AND owner = ?').run(until, key, owner);
      });
    },
    async releaseLease(key, owner) {
      sql('DELETE FROM leases WHERE key = ? AND owner = ?').run(key, owner);
    },
    async expireAllLeases() {
      tx(() => {
        sql('DELETE FROM leases').run();
        sql('UPDATE calls SET lease_until = NULL WHERE lease_until IS NOT NULL').run();
      });
    },
  };
}
