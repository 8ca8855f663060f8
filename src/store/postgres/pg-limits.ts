import type { CallLimitGuard, ScheduleTally } from '../../calls/call-store.ts';
import { IS_WAITING } from '../shared/sql-status.ts';
import type { Query } from './pg-pool.ts';
import { optedOut } from '../../kernel/errors.ts';

/**
 * Advisory lock classes (the two-integer form, a space of its own apart from the 64-bit keys of the migration and
 * the claim gate): an account's inserts, and a number's. A hash collision only makes two keys wait for each other.
 */
const ACCOUNT_LOCK = 1;
const NUMBER_LOCK = 2;

/**
 * Locks the account, and the number when the guard counts its calls — every guarded insert takes them in this
 * order, so two inserts never wait for each other in a cycle — then lets each lock holder count and decide alone.
 * The count is its own statement after the locks: under READ COMMITTED it then sees every insert that held them
 * before. Released at COMMIT or ROLLBACK.
 */
export async function lockAccount(q: Query, accountId: string, to?: string): Promise<void> {
  if (to === undefined) await q('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [ACCOUNT_LOCK, accountId], 'daj_lock_account');
  else await q('SELECT pg_advisory_xact_lock($1::int, hashtext($2)), pg_advisory_xact_lock($3::int, hashtext($4))', [ACCOUNT_LOCK, accountId, NUMBER_LOCK, to], 'daj_lock_account_number');
}

/**
 * Counts what `guard` reads (one statement, each part through an index) and lets it decide; the locks are taken
 * first. With `refuseOptedOut`, a number on the do-not-call list is refused (the opted-out error) before any limit.
 */
export async function decideLimits(q: Query, guard: CallLimitGuard, locked = false, refuseOptedOut = false): Promise<void> {
  const { reads, accountId, to } = guard;
  if (!locked) await lockAccount(q, accountId, to);
  const near = "FROM calls WHERE to_number = $5 AND due_at >= $6 AND due_at <= $7 AND status <> 'canceled'";
  type Tally = { created: string[]; pending: number; soonest: number | null; due: string[]; own: string[]; answered: boolean; since: string | null; opted_out: boolean };
  const { rows } = await q<Tally>(
    `SELECT
       ARRAY(SELECT created_at FROM calls WHERE account_id = $1 AND created_at >= $2 ORDER BY created_at LIMIT $3) AS created,
       CASE WHEN $4 THEN (SELECT count(*) FROM calls WHERE account_id = $1 AND ${IS_WAITING}) ELSE 0 END AS pending,
       CASE WHEN $4 THEN (SELECT min(due_at) FROM calls WHERE account_id = $1 AND ${IS_WAITING}) END AS soonest,
       ARRAY(SELECT due_at ${near} ORDER BY due_at DESC LIMIT $8) AS due,
       ARRAY(SELECT due_at ${near} AND account_id = $1 ORDER BY due_at DESC LIMIT $9) AS own,
       $9 > 0 AND EXISTS (SELECT 1 FROM calls WHERE to_number = $5 AND account_id = $1 AND status = 'completed') AS answered,
       (SELECT COALESCE(activated_at, created_at) FROM accounts WHERE id = $1) AS since,
       $10 AND EXISTS (SELECT 1 FROM do_not_call WHERE number = $5) AS opted_out`,
    [accountId, reads.createdSince, reads.createdMax, reads.countPending, to, reads.dueFrom, reads.dueUntil, reads.numberMax, reads.ownNumberMax, refuseOptedOut],
    'daj_call_tally',
  );
  const row = rows[0] as Tally;
  if (row.opted_out) throw optedOut();
  guard.decide({
    createdByAccount: row.created.map(Number),
    pending: { count: Number(row.pending), soonestDueAt: row.soonest === null ? null : Number(row.soonest) },
    dueToNumber: row.due.map(Number),
    ownDueToNumber: row.own.map(Number),
    answeredBefore: row.answered,
    accountSince: row.since === null ? null : Number(row.since),
  });
}

/**
 * The account's open (not ended) schedules, those to numbers it never reached (no completed call of its), whether
 * `to` was reached, and when the account was activated; call with the account's lock held.
 */
export async function openSchedules(q: Query, accountId: string, to: string): Promise<ScheduleTally> {
  const reached = "EXISTS (SELECT 1 FROM calls c WHERE c.to_number = s.to_number AND c.account_id = s.account_id AND c.status = 'completed')";
  const { rows } = await q<{ n: string; unreached: string; to_reached: boolean; since: string | null }>(
    `SELECT
       (SELECT count(*) FROM schedules s WHERE s.account_id = $1 AND s.status <> 'ended') AS n,
       (SELECT count(*) FROM schedules s WHERE s.account_id = $1 AND s.status <> 'ended' AND NOT ${reached}) AS unreached,
       EXISTS (SELECT 1 FROM calls WHERE to_number = $2 AND account_id = $1 AND status = 'completed') AS to_reached,
       (SELECT COALESCE(activated_at, created_at) FROM accounts WHERE id = $1) AS since`,
    [accountId, to],
  );
  const row = rows[0] as { n: string; unreached: string; to_reached: boolean; since: string | null };
  return { open: Number(row.n), unreached: Number(row.unreached), toReached: row.to_reached, accountSince: row.since === null ? null : Number(row.since) };
}
