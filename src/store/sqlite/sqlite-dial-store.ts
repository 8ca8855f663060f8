import { IS_LIVE } from '../shared/sql-status.ts';
import { OPTED_OUT_REASON, OUTCOME_UNKNOWN_REASON } from '../../calls/reasons.ts';
import type { DialLease, DialStore, DueClaim } from '../../dialing/dial-store.ts';
import type { Call } from '../../calls/call.ts';
import { FAIR_SCAN, fairPick } from '../shared/fair-pick.ts';
import type { Leases } from '../../kernel/leases.ts';
import { callFromRow, type CallRow } from '../shared/rows.ts';
import type { ClaimResult } from '../../calls/call-store.ts';
import type { Sql, Tx } from './connection.ts';

/** Due calls one claim takes at most: the claim runs on the event loop, about 10 ms for 100 (500: 54-77 ms). */
const CLAIM_BATCH = 100;

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

/** Live calls, as the dial gate counts them (migration 8's trigger). */
function gateLive(sql: Sql): number {
  return (sql('SELECT live FROM dial_gate WHERE id = 1').get() as { live: number }).live;
}

/**
 * `scheduled → dialing` for call `id` (the caller checked the channels and the rate): the attempt counted, the
 * lateness recorded, the lease taken. A call whose number opted out is canceled instead; undefined then, or when the
 * call is not scheduled any more.
 */
function claimOne(sql: Sql, id: string, at: number, lease?: DialLease): Call | undefined {
  const row = sql('SELECT * FROM calls WHERE id = ?').get(id) as CallRow | undefined;
  if (!row || row.status !== 'scheduled') return undefined;
  const event = (name: string, detail: Record<string, unknown>) =>
    sql('INSERT INTO call_events (call_id, at, kind, name, detail) VALUES (?, ?, ?, ?, ?)').run(id, at, 'status', name, JSON.stringify(detail));
  if (sql('SELECT 1 FROM do_not_call WHERE number = ?').get(row.to_number)) {
    sql("UPDATE calls SET status = 'canceled', reason = ?, updated_at = ?, ended_at = ? WHERE id = ?").run(OPTED_OUT_REASON, at, at, id);
    event('canceled', { from: 'scheduled', reason: OPTED_OUT_REASON });
    return undefined;
  }
  const lateness = at - Number(row.due_at);
  const claimed = sql(
    `UPDATE calls SET status = 'dialing', attempt = attempt + 1, claimed_at = ?, lateness_ms = ?, updated_at = ?,
       call_control_id = NULL, lease_owner = ?, lease_until = ?
     WHERE id = ? RETURNING *`,
  ).get(at, lateness, at, lease?.owner ?? null, lease?.until ?? null, id) as CallRow;
  event('dialing', { from: 'scheduled', latenessMs: lateness });
  return callFromRow(claimed);
}

/**
 * Claims call `id` whatever its place in the queue, inside the caller's immediate transaction, when fewer than
 * `maxLive` calls are live (no dial rate, no lease): how tests play a claim the queue made ahead of them.
 */
export function claimIn(sql: Sql, id: string, at: number, maxLive: number): ClaimResult {
  const row = sql('SELECT status FROM calls WHERE id = ?').get(id) as { status: string } | undefined;
  if (row?.status === 'scheduled' && gateLive(sql) >= maxLive) return { claimed: null, reason: 'no_channel' };
  const claimed = claimOne(sql, id, at);
  return claimed ? { claimed } : { claimed: null, reason: 'not_scheduled' };
}

const PICK = fairPick((name) => `$${name}`);

/** The SQLite side of the dial store, the named leases and the per-call inbox (one process: leases never contend). */
export function createSqliteDialStore({ sql, tx }: { sql: Sql; tx: Tx }): DialStore & Leases {
  return {
    sharedByInstances: false,
    claimBatch: CLAIM_BATCH,
    async claimDue(now, limits, lease, max) {
      return tx((): DueClaim => {
        const at = now();
        if (!sql("SELECT 1 FROM calls WHERE status = 'scheduled' AND due_at <= ? LIMIT 1").get(at)) return { claimed: [], reason: 'none_due' };
        let n = Math.min(max, limits.maxLive - gateLive(sql));
        if (n <= 0) return { claimed: [], reason: 'no_channel' };
        const slots = sql('SELECT count(*) AS n, min(at) AS first FROM (SELECT at FROM dial_slots WHERE at > ? ORDER BY at DESC LIMIT ?)').get(
          at - limits.windowMs,
          limits.perWindow,
        ) as { n: number; first: number | null };
        if (slots.n >= limits.perWindow) return { claimed: [], reason: 'rate', waitMs: Math.max(1, (slots.first ?? at) + limits.windowMs - at) };
        n = Math.min(n, limits.perWindow - slots.n);
        const picked = sql(PICK).all({ at, scan: FAIR_SCAN, share: limits.perAccount, n }) as { id: string }[];
        if (picked.length === 0) return { claimed: [], reason: 'no_channel' };
        const claimed: Call[] = [];
        for (const { id } of picked) {
          const call = claimOne(sql, id, at, lease);
          if (!call) continue;
          takeSlot(sql, at);
          claimed.push(call);
        }
        return claimed.length > 0 ? { claimed } : { claimed: [], reason: 'not_scheduled' };
      });
    },
    async recountLive() {
      return tx(() => {
        const before = gateLive(sql);
        const live = (sql(`SELECT count(*) AS n FROM calls WHERE ${IS_LIVE}`).get() as { n: number }).n;
        if (live !== before) sql('UPDATE dial_gate SET live = ? WHERE id = 1').run(live);
        const accounts = sql(
          `WITH counted AS (SELECT account_id, count(*) AS n FROM calls WHERE ${IS_LIVE} AND account_id IS NOT NULL GROUP BY account_id),
             wrong AS (
               SELECT c.account_id, c.n FROM counted c LEFT JOIN account_dials d ON d.account_id = c.account_id WHERE c.n <> coalesce(d.live, 0)
               UNION ALL
               SELECT d.account_id, 0 FROM account_dials d WHERE d.live <> 0 AND d.account_id NOT IN (SELECT account_id FROM counted)
             )
           INSERT INTO account_dials (account_id, live) SELECT account_id, n FROM wrong WHERE true
           ON CONFLICT (account_id) DO UPDATE SET live = excluded.live`,
        ).run();
        return Math.abs(live - before) + Number(accounts.changes);
      });
    },
    async takeDialSlots(now, count, perWindow, windowMs) {
      return tx(() => {
        const at = now();
        const used = (sql('SELECT count(*) AS n FROM (SELECT 1 FROM dial_slots WHERE at > ? ORDER BY at DESC LIMIT ?)').get(at - windowMs, perWindow) as { n: number }).n;
        const taken = Math.max(0, Math.min(count, perWindow - used));
        for (let i = 0; i < taken; i++) takeSlot(sql, at);
        return { taken, waitMs: taken < count ? Math.max(1, slotWait(sql, at, perWindow, windowMs)) : 0 };
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
