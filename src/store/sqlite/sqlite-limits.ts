import type { CallLimitGuard, LimitTally } from '../../calls/call-store.ts';
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
  const tally: LimitTally = {
    createdByAccount: created.map((r) => r.created_at),
    pending: { count: pending.n, soonestDueAt: pending.soonest },
    dueToNumber: due.map((r) => r.due_at),
    ownDueToNumber: own.map((r) => r.due_at),
    answeredBefore: answered,
  };
  guard.decide(tally);
}

/** Open (not ended) schedules of the account, under the same transaction. */
export function openSchedules(sql: Sql, accountId: string): number {
  return (sql("SELECT count(*) AS n FROM schedules WHERE account_id = ? AND status <> 'ended'").get(accountId) as { n: number }).n;
}
