import type { CallLimitGuard, LimitTally, ScheduleTally } from '../../calls/call-store.ts';
import { IS_WAITING } from '../shared/sql-status.ts';
import type { Sql } from './connection.ts';

type Due = { due_at: number }[];

/**
 * Counts what `guard` reads and lets it decide, inside the caller's immediate transaction: the write lock is the
 * database's own, held from BEGIN to COMMIT, so no other insert (of this process or another) interleaves between
 * the count and the insert. Each read goes through an index (calls_account_created, calls_account_list,
 * calls_number_created).
 */
export function decideLimits(sql: Sql, guard: CallLimitGuard): void {
  const { reads, accountId, to } = guard;
  const created =
    reads.createdMax > 0
      ? (sql('SELECT created_at FROM calls WHERE account_id = ? AND created_at >= ? ORDER BY created_at LIMIT ?').all(accountId, reads.createdSince, reads.createdMax) as {
          created_at: number;
        }[])
      : [];
  const pending = reads.countPending
    ? (sql(`SELECT count(*) AS n, min(due_at) AS soonest FROM calls WHERE account_id = ? AND ${IS_WAITING}`).get(accountId) as { n: number; soonest: number | null })
    : { n: 0, soonest: null };
  const near = "SELECT due_at FROM calls WHERE to_number = ? AND due_at >= ? AND due_at <= ? AND status <> 'canceled'";
  const due = reads.numberMax > 0 ? (sql(`${near} ORDER BY due_at DESC LIMIT ?`).all(to, reads.dueFrom, reads.dueUntil, reads.numberMax) as Due) : [];
  const own = reads.ownNumberMax > 0 ? (sql(`${near} AND account_id = ? ORDER BY due_at DESC LIMIT ?`).all(to, reads.dueFrom, reads.dueUntil, accountId, reads.ownNumberMax) as Due) : [];
  const answered = reads.ownNumberMax > 0 && sql("SELECT 1 FROM calls WHERE to_number = ? AND account_id = ? AND status = 'completed' LIMIT 1").get(to, accountId) !== undefined;
  const since = accountSince(sql, accountId);
  const tally: LimitTally = {
    createdByAccount: created.map((r) => r.created_at),
    pending: { count: pending.n, soonestDueAt: pending.soonest },
    dueToNumber: due.map((r) => r.due_at),
    ownDueToNumber: own.map((r) => r.due_at),
    answeredBefore: answered,
    accountSince: since,
  };
  guard.decide(tally);
}

const accountSince = (sql: Sql, accountId: string) =>
  (sql('SELECT COALESCE(activated_at, created_at) AS since FROM accounts WHERE id = ?').get(accountId) as { since: number } | undefined)?.since ?? null;

/**
 * The account's open (not ended) schedules, under the same transaction: all of them, those to numbers it never reached
 * (no completed call of its to that number: index calls_number_created), and whether `to` was reached.
 */
export function openSchedules(sql: Sql, accountId: string, to: string): ScheduleTally {
  const reached = "EXISTS (SELECT 1 FROM calls c WHERE c.to_number = s.to_number AND c.account_id = s.account_id AND c.status = 'completed')";
  const row = sql(`SELECT count(*) AS n, coalesce(sum(CASE WHEN ${reached} THEN 0 ELSE 1 END), 0) AS unreached FROM schedules s WHERE s.account_id = ? AND s.status <> 'ended'`).get(
    accountId,
  ) as { n: number; unreached: number };
  const toReached = sql("SELECT 1 FROM calls WHERE to_number = ? AND account_id = ? AND status = 'completed' LIMIT 1").get(to, accountId) !== undefined;
  return { open: row.n, unreached: row.unreached, toReached, accountSince: accountSince(sql, accountId) };
}
