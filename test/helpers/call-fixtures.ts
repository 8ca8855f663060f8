import { DatabaseSync } from 'node:sqlite';
import type { CallClaims, CallStore, ClaimResult } from '../../src/calls/call-store.ts';
import type { DialStore } from '../../src/dialing/dial-store.ts';
import { createConnection } from '../../src/store/sqlite/connection.ts';
import { claimIn } from '../../src/store/sqlite/sqlite-dial-store.ts';

/** The fixture's dial lease: already expired at its claim, so recovery and lease checks see no live dial (as before leases). */
const FIXTURE_OWNER = 'call-fixtures';
/** No dial rate: a fixture's claim is never refused for it. */
const NO_RATE = { perWindow: 1_000_000, windowMs: 1 };

/**
 * Claims call `id` at `at` through the store's own claim (`claimDue`, one call), on either store: `scheduled → dialing`,
 * the attempt counted, its lateness recorded; `no_channel` at `maxLive` live calls; a call to an opted-out number is
 * canceled instead (`not_scheduled`). The call must be the first due at `at`: this throws, claiming nothing,
 * when another call comes first or it is not due yet (for that, on SQLite, see {@link claimedInSqlite}). Unlike the
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
    throw new Error(`claimed(${id}): not the first call due at ${at} (first: ${first?.id ?? 'none'} at ${first?.dueAt ?? '-'}); use claimedInSqlite`);
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
 * SQLite only: claims call `id` at `at` in the database at `database` (a path or a `sqlite:` URL) with the store's
 * own claim code (`claimIn`, in one immediate transaction on a connection of its own), whatever the call's due time
 * or place in the queue: how a test plays a claim the queue made ahead of it (a crash mid-dial, a held channel).
 * The claim's dial slot, lease and rate are not involved, as in a claim made without the dial rate.
 */
export function claimedInSqlite(database: string, id: string, at: number, maxLive = 1000): Promise<ClaimResult> {
  const db = new DatabaseSync(database.replace(/^sqlite:/, ''), { timeout: 5000 });
  try {
    const { sql, tx } = createConnection(db);
    return Promise.resolve(tx(() => claimIn(sql, id, at, maxLive)));
  } finally {
    db.close();
  }
}
