import { DatabaseSync } from 'node:sqlite';
import type { CallClaims, CallStore, ClaimResult } from '../../src/calls/call-store.ts';
import type { DialStore } from '../../src/dialing/dial-store.ts';
import { createConnection } from '../../src/store/sqlite/connection.ts';
import { claimIn } from '../../src/store/sqlite/sqlite-dial-store.ts';
import { createPool } from '../../src/store/postgres/pg-pool.ts';
import { OPTED_OUT_REASON } from '../../src/calls/reasons.ts';
import { callFromRow, type CallRow } from '../../src/store/shared/rows.ts';

/** The fixture's dial lease: already expired at its claim, so recovery and lease checks see no live dial (as before leases). */
const FIXTURE_OWNER = 'call-fixtures';
/** No dial rate: a fixture's claim is never refused for it. */
const NO_RATE = { perWindow: 1_000_000, windowMs: 1 };

/**
 * Claims call `id` at `at` through the store's own claim (`claimDue`, one call), on either store: `scheduled → dialing`,
 * the attempt counted, its lateness recorded; `no_channel` at `maxLive` live calls; a call to an opted-out number is
 * canceled instead (`not_scheduled`). The call must be the first due at `at`: this throws, claiming nothing,
 * when another call comes first or it is not due yet (for that, see {@link claimedOutOfTurn}). Unlike the
 * dialer's claims it holds no live lease, but it does record a dial slot at `at`.
 */
export async function claimed(
  store: Pick<CallStore, 'getCall'> & Pick<CallClaims, 'nextDue'> & Pick<DialStore, 'claimDue'>,
  id: string,
  at: number,
  maxLive = 1000,
): Promise<ClaimResult> {
  const scheduled = async () => (await store.getCall(id))?.status === 'scheduled';
  if (!(await scheduled())) return { claimed: null, reason: 'not_scheduled' };
  const [first] = await store.nextDue(1);
  if (first?.id !== id || first.dueAt > at) {
    if (!(await scheduled())) return { claimed: null, reason: 'not_scheduled' }; // ended meanwhile (a race under test)
    throw new Error(`claimed(${id}): not the first call due at ${at} (first: ${first?.id ?? 'none'} at ${first?.dueAt ?? '-'}); use claimedOutOfTurn`);
  }
  const result = await store.claimDue(() => at, { maxLive, perAccount: maxLive, ...NO_RATE }, { owner: FIXTURE_OWNER, until: at - 1 }, 1);
  const [call] = result.claimed;
  if (call) {
    if (call.id !== id) throw new Error(`claimed(${id}): the store claimed ${call.id}`);
    return { claimed: call };
  }
  return { claimed: null, reason: result.reason === 'no_channel' ? 'no_channel' : 'not_scheduled' };
}

/**
 * Claims call `id` at `at` in the database `databaseUrl` names (a `sqlite:` URL or path, or a `postgres://` URL),
 * whatever the call's due time or place in the queue: how a test plays a claim the queue made ahead of it (a crash
 * mid-dial, a held channel). On SQLite it runs the store's own claim code (`claimIn`, in one immediate transaction
 * on a connection of its own); on PostgreSQL, whose claim is one function for the due calls only, the same steps in
 * one transaction under the dial gate: the live count checked, `scheduled → dialing` (or `canceled` for an opted-out
 * number) with its timeline entry. The claim's dial slot and rate are not involved, nor a lease: the dial looks
 * orphaned, which a restart's recovery takes over. On PostgreSQL, where instances also take over each other's
 * orphaned dials while running, `heldUntil` gives it the lease of a live other instance until then instead.
 */
export async function claimedOutOfTurn(databaseUrl: string, id: string, at: number, maxLive = 1000, options: { heldUntil?: number } = {}): Promise<ClaimResult> {
  if (/^postgres(ql)?:/.test(databaseUrl)) return claimedInPostgres(databaseUrl, id, at, maxLive, options.heldUntil);
  const db = new DatabaseSync(databaseUrl.replace(/^sqlite:/, ''), { timeout: 5000 });
  try {
    const { sql, tx } = createConnection(db);
    return tx(() => claimIn(sql, id, at, maxLive));
  } finally {
    db.close();
  }
}

async function claimedInPostgres(databaseUrl: string, id: string, at: number, maxLive: number, heldUntil?: number): Promise<ClaimResult> {
  // The store's own pool settings: BIGINT columns read back as numbers, as the store's rows do.
  const pool = createPool({ connectionString: databaseUrl, max: 1 });
  const client = await pool.connect();
  const event = (name: string, detail: Record<string, unknown>) =>
    client.query("INSERT INTO call_events (call_id, at, kind, name, detail) VALUES ($1, $2, 'status', $3, $4)", [id, at, name, JSON.stringify(detail)]);
  try {
    await client.query('BEGIN');
    const live = Number((await client.query<{ live: string }>('SELECT live FROM dial_gate WHERE id = 1 FOR UPDATE')).rows[0]?.live ?? 0);
    const row = (await client.query<CallRow>('SELECT * FROM calls WHERE id = $1 FOR UPDATE', [id])).rows[0];
    let result: ClaimResult;
    if (!row || row.status !== 'scheduled') result = { claimed: null, reason: 'not_scheduled' };
    else if (live >= maxLive) result = { claimed: null, reason: 'no_channel' };
    else if ((await client.query('SELECT 1 FROM do_not_call WHERE number = $1', [row.to_number])).rowCount) {
      await client.query("UPDATE calls SET status = 'canceled', reason = $2, updated_at = $3, ended_at = $3 WHERE id = $1", [id, OPTED_OUT_REASON, at]);
      await event('canceled', { from: 'scheduled', reason: OPTED_OUT_REASON });
      result = { claimed: null, reason: 'not_scheduled' };
    } else {
      const lateness = at - Number(row.due_at);
      const { rows } = await client.query<CallRow>(
        `UPDATE calls SET status = 'dialing', attempt = attempt + 1, claimed_at = $2, lateness_ms = $3, updated_at = $2,
           call_control_id = NULL, lease_owner = $4, lease_until = $5
         WHERE id = $1 RETURNING *`,
        [id, at, lateness, heldUntil === undefined ? null : FIXTURE_OWNER, heldUntil ?? null],
      );
      await event('dialing', { from: 'scheduled', latenessMs: lateness });
      result = { claimed: callFromRow(rows[0] as CallRow) };
    }
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
    await pool.end();
  }
}
