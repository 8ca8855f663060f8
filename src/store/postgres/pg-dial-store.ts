import { OPTED_OUT_REASON, OUTCOME_UNKNOWN_REASON } from '../../calls/reasons.ts';
import type { DialLease, DialLimits, DialStore, DueClaim } from '../../dialing/dial-store.ts';
import { IS_LIVE } from '../shared/sql-status.ts';
import { FAIR_SCAN } from '../shared/fair-pick.ts';
import type { Leases } from '../../kernel/leases.ts';
import { callFromRow, type CallRow } from '../shared/rows.ts';
import type { PgTx, Query } from './pg-pool.ts';

/**
 * Due calls one claim takes at most. 10,000 due at once, interleaved runs on a loaded machine, against pg-boss of
 * the same run: 0.92× at 100, 1.16× at 250, 1.34× at 500. The dial rate and the free channels bound a batch before
 * this does whenever limits are on. At most FAIR_SCAN: the pick takes from that many.
 */
const CLAIM_BATCH = 500;

/** Dial slots older than this are deleted as new ones are taken: the table holds seconds of history, bounded. */
const SLOT_HISTORY_MS = 10_000;

type ClaimRow = { r: (CallRow & { outcome?: undefined }) | { outcome: 'none_due' | 'no_channel' | 'not_scheduled' | 'rate'; wait_ms?: number } };

/** The batch claim, one statement (`daj_claim_due`, migration 8): the claimed rows, or one row saying why none. */
async function claimDue(query: Query, at: number, limits: DialLimits, lease: DialLease, max: number): Promise<DueClaim> {
  const { rows } = await query<ClaimRow>('SELECT daj_claim_due($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) AS r', [
    at,
    limits.maxLive,
    limits.perAccount,
    limits.perWindow,
    limits.windowMs,
    lease.owner,
    lease.until,
    max,
    FAIR_SCAN,
    OPTED_OUT_REASON,
  ]);
  const first = rows[0]?.r;
  if (first?.outcome === 'rate') return { claimed: [], reason: 'rate', waitMs: Number(first.wait_ms) };
  if (first?.outcome !== undefined) return { claimed: [], reason: first.outcome };
  return { claimed: rows.map((row) => callFromRow(row.r as CallRow)) };
}

/** The PostgreSQL side of the dial store, the named leases and the per-call inbox. */
export function createPgDialStore({ query, tx }: { query: Query; tx: PgTx }): DialStore & Leases {
  return {
    sharedByInstances: true,
    claimBatch: CLAIM_BATCH,
    claimDue(now, limits, lease, max) {
      return claimDue(query, now(), limits, lease, max);
    },
    recountLive() {
      return tx(async (q) => {
        // The gate first, as every claim and ending takes it: once held, every change to the counts has committed.
        const before = Number((await q<{ live: number }>('SELECT live FROM dial_gate WHERE id = 1 FOR UPDATE')).rows[0]?.live ?? 0);
        const live = Number((await q<{ n: number }>(`SELECT count(*) AS n FROM calls WHERE ${IS_LIVE}`)).rows[0]?.n ?? 0);
        if (live !== before) await q('UPDATE dial_gate SET live = $1 WHERE id = 1', [live]);
        const accounts = await q(
          `WITH counted AS (SELECT account_id, count(*) AS n FROM calls WHERE ${IS_LIVE} AND account_id IS NOT NULL GROUP BY account_id)
           INSERT INTO account_dials AS a (account_id, live)
             SELECT coalesce(c.account_id, d.account_id), coalesce(c.n, 0) FROM counted c FULL JOIN account_dials d ON d.account_id = c.account_id
             WHERE coalesce(c.n, 0) <> coalesce(d.live, 0) ORDER BY 1
           ON CONFLICT (account_id) DO UPDATE SET live = excluded.live`,
        );
        return Math.abs(live - before) + (accounts.rowCount ?? 0);
      });
    },
    async takeDialSlots(now, count, perWindow, windowMs) {
      const { rows } = await query<{ taken: number; wait_ms: number }>(
        'SELECT taken, wait_ms FROM daj_take_slots($1, $2, $3, $4, $5)',
        [now(), count, perWindow, windowMs, SLOT_HISTORY_MS],
        'daj_take_slots',
      );
      return { taken: Number(rows[0]?.taken ?? 0), waitMs: Number(rows[0]?.wait_ms ?? 0) };
    },
    async renewDialLeases(owner, ids, until) {
      if (ids.length === 0) return;
      await query("UPDATE calls SET lease_until = $3 WHERE id = ANY($2::text[]) AND lease_owner = $1 AND status = 'dialing'", [owner, [...ids], until]);
    },
    async takeOverDials(at, lease, limit) {
      const { rows } = await query<CallRow>(
        `UPDATE calls SET lease_owner = $1, lease_until = $2 WHERE id IN (
           SELECT id FROM calls WHERE status = 'dialing' AND call_control_id IS NULL AND reason IS DISTINCT FROM $3
             AND (lease_until IS NULL OR lease_until < $4)
           ORDER BY claimed_at LIMIT $5 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [lease.owner, lease.until, OUTCOME_UNKNOWN_REASON, at, limit],
      );
      return rows.map(callFromRow).sort((a, b) => (a.claimedAt ?? 0) - (b.claimedAt ?? 0));
    },
    async leasedDials(at) {
      const { rows } = await query<{ id: string }>(
        "SELECT id FROM calls WHERE status = 'dialing' AND call_control_id IS NULL AND reason IS DISTINCT FROM $2 AND lease_until >= $1",
        [at, OUTCOME_UNKNOWN_REASON],
      );
      return new Set(rows.map((r) => r.id));
    },
    async tryLease(key, owner, at, until) {
      const result = await query(
        `INSERT INTO leases (key, owner, until) VALUES ($1, $2, $4)
         ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, until = excluded.until
         WHERE leases.until < $3 OR leases.owner = excluded.owner`,
        [key, owner, at, until],
      );
      return result.rowCount === 1;
    },
    async renewLeases(owner, keys, until) {
      if (keys.length === 0) return;
      await query('UPDATE leases SET until = $3 WHERE key = ANY($2::text[]) AND owner = $1', [owner, [...keys], until]);
    },
    async releaseLease(key, owner) {
      await query('DELETE FROM leases WHERE key = $1 AND owner = $2', [key, owner]);
    },
    async expireAllLeases() {
      await tx(async (q) => {
        await q('DELETE FROM leases');
        await q('UPDATE calls SET lease_until = NULL WHERE lease_until IS NOT NULL');
      });
    },
  };
}
