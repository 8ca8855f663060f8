import { CALL_STATUSES, type Call } from '../../calls/call.ts';
import { callFromRow, type CallRow } from '../shared/rows.ts';
import type { ListQuery } from '../../calls/call-store.ts';
import type { Query } from './pg-pool.ts';

/** The upcoming part: scheduled calls from a position on, soonest first. `$1` is the owner when scoped. Exported for the plan test. */
export const pgUpcomingSql = (scoped: boolean, paged: boolean) => {
  const p = scoped ? 1 : 0;
  return `SELECT * FROM calls WHERE ${scoped ? 'account_id = $1 AND ' : ''}status = 'scheduled' ${
    paged ? `AND (due_at, id) > ($${p + 1}, $${p + 2})` : ''
  } ORDER BY due_at, id LIMIT $${p + (paged ? 3 : 1)}`;
};

/** One status of the history, from a position on, newest first (ties by id). Exported for the plan test. */
export const pgHistorySql = (scoped: boolean, paged: boolean) => {
  const p = scoped ? 1 : 0;
  return `SELECT * FROM calls WHERE ${scoped ? 'account_id = $1 AND ' : ''}status = $${p + 1} ${
    paged ? `AND due_at <= $${p + 2} AND (due_at < $${p + 2} OR (due_at = $${p + 2} AND id > $${p + 3}))` : ''
  } ORDER BY due_at DESC, id LIMIT $${p + (paged ? 4 : 2)}`;
};

const byHistoryOrder = (a: CallRow, b: CallRow) => Number(b.due_at) - Number(a.due_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The call list in {@link ListQuery}'s order, as the SQLite one (`../sqlite/sqlite-call-list.ts`) does it: the
 * upcoming part is one range scan of `(account_id, status, due_at, id)` (a row comparison PostgreSQL turns into
 * an index bound), and the history one backward scan per status, at most a page each, merged here.
 */
export function createPgCallList(query: Query): (query: ListQuery) => Promise<Call[]> {
  return async (list) => {
    const statuses = list.statuses && list.statuses.length > 0 ? [...new Set(list.statuses)] : CALL_STATUSES;
    const scoped = list.accountId !== undefined;
    const owner: unknown[] = list.accountId === undefined ? [] : [list.accountId];
    const { after, limit } = list;
    const out: CallRow[] = [];

    if (statuses.includes('scheduled') && (!after || after.group === 0)) {
      const params = after ? [after.key, after.id] : [];
      out.push(...(await query<CallRow>(pgUpcomingSql(scoped, after !== undefined), [...owner, ...params, limit])).rows);
    }
    const room = limit - out.length;
    if (room <= 0) return out.map(callFromRow);

    // History keys are −dueAt, so "after" means an earlier due time (or the same one and a later id).
    const from = after?.group === 1 ? after : undefined;
    const params = from ? [-from.key, from.id] : [];
    const parts = await Promise.all(
      statuses
        .filter((status) => status !== 'scheduled')
        .map((status) => query<CallRow>(pgHistorySql(scoped, from !== undefined), [...owner, status, ...params, room])),
    );
    const history = parts.flatMap((part) => part.rows).sort(byHistoryOrder);
    return [...out, ...history.slice(0, room)].map(callFromRow);
  };
}
