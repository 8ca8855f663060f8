import { OPTED_OUT_REASON, OUTCOME_UNKNOWN_REASON } from '../../calls/reasons.ts';
import type { DialStore, NextDialResult } from '../../dialing/dial-store.ts';
import type { Leases } from '../../kernel/leases.ts';
import { callFromRow, type CallRow } from '../shared/rows.ts';
import type { PgTx, Query } from './pg-pool.ts';

/** Serialises claims and dial slots of every instance (the same key as in `daj_claim_dial`, migration 7), apart from the migration lock's. */
const CLAIM_LOCK_KEY = '4920535863799008070';
/** Dial slots older than this are deleted as new ones are taken: the table holds seconds of history, bounded. */
const SLOT_HISTORY_MS = 10_000;

/** Milliseconds until a dial slot frees (0: one is free now), under the claim lock. */
async function slotWait(q: Query, at: number, perWindow: number, windowMs: number): Promise<number> {
  const { rows } = await q<{ at: number }>('SELECT at FROM dial_slots WHERE at > $1 ORDER BY at DESC OFFSET $2 LIMIT 1', [at - windowMs, perWindow - 1]);
  const oldest = rows[0]?.at;
  return oldest === undefined ? 0 : Math.max(1, oldest + windowMs - at);
}

/** One statement: prunes what no window can count any more and records the slot. */
async function takeSlot(q: Query, at: number): Promise<void> {
  await q('WITH pruned AS (DELETE FROM dial_slots WHERE at < $2) INSERT INTO dial_slots (at) VALUES ($1)', [at, at - SLOT_HISTORY_MS]);
}

/**
 * The claim, one statement (`daj_claim_dial`, migration 7): under one advisory lock shared by every instance (only a
 * claim moves a call into a live status, so the live count it checks stays true until it commits),
 * `scheduled → dialing` when the number has not opted out, a channel is free and (with `gate`) a dial slot too; the
 * slot and the lease are taken with it. `id` null: the earliest due call no other claim holds (SKIP LOCKED).
 */
async function claimOne(
  query: Query,
  id: string | null,
  at: number,
  maxLive: number,
  gate?: { perWindow: number; windowMs: number; owner: string; until: number },
): Promise<NextDialResult> {
  const { rows } = await query<{ outcome: string; wait_ms: number | null; call_id: string | null }>(
    'SELECT * FROM daj_claim_dial($1, $2, $3, $4, $5, $6, $7, $8)',
    [id, at, maxLive, gate?.perWindow ?? null, gate?.windowMs ?? null, gate?.owner ?? null, gate?.until ?? null, OPTED_OUT_REASON],
  );
  const result = rows[0];
  switch (result?.outcome) {
    case 'claimed': {
      const row = (await query<CallRow>('SELECT * FROM calls WHERE id = $1', [result.call_id])).rows[0] as CallRow;
      return { claimed: callFromRow(row) };
    }
    case 'rate':
      return { claimed: null, reason: 'rate', waitMs: Number(result.wait_ms) };
    case 'no_channel':
      return { claimed: null, reason: 'no_channel' };
    case 'none_due':
      return { claimed: null, reason: 'none_due' };
    default:
      return { claimed: null, reason: 'not_scheduled' };
  }
}

/** The PostgreSQL side of the dial store, the named leases and the per-call inbox. */
export function createPgDialStore({ query, tx }: { query: Query; tx: PgTx }): DialStore & Leases {
  return {
    sharedByInstances: true,
    claimNextDial(now, limits, lease) {
      return claimOne(query, null, now(), limits.maxLive, { perWindow: limits.perWindow, windowMs: limits.windowMs, ...lease });
    },
    takeDialSlot(now, perWindow, windowMs) {
      return tx(async (q) => {
        await q('SELECT pg_advisory_xact_lock($1)', [CLAIM_LOCK_KEY]);
        const at = now();
        const wait = await slotWait(q, at, perWindow, windowMs);
        if (wait === 0) await takeSlot(q, at);
        return wait;
      });
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
