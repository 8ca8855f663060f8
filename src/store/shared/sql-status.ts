import { CALL_STATUSES, FINAL_STATUSES, LIVE_STATUSES, sourcesOf, type CallStatus } from '../../calls/call.ts';

/**
 * The call state machine's sets as SQL, so both stores' statements follow `src/calls/call.ts` instead of repeating
 * status names. Rendered as literals, not bound parameters, so the planners can match the partial indexes
 * (`calls_live`, `calls_scheduled_due`); every value is checked against {@link CALL_STATUSES}, so nothing but a
 * known status name is ever pasted into a statement.
 */
export function sqlStatusIn(column: string, statuses: readonly CallStatus[]): string {
  if (!/^[a-z_]+$/.test(column)) throw new Error(`sqlStatusIn: not a column name: ${column}`);
  if (statuses.length === 0) throw new Error('sqlStatusIn: no statuses');
  for (const status of statuses) {
    if (!CALL_STATUSES.includes(status)) throw new Error(`sqlStatusIn: not a call status: ${String(status)}`);
  }
  // One status as `=`: the exact form the partial indexes were declared with.
  return statuses.length === 1 ? `${column} = '${statuses[0]}'` : `${column} IN (${statuses.map((s) => `'${s}'`).join(', ')})`;
}

/** Calls waiting for their dial: those a claim may take (`scheduled`). */
export const WAITING_STATUSES: readonly CallStatus[] = sourcesOf('dialing');

/** `status` is one that holds a carrier channel. */
export const IS_LIVE = sqlStatusIn('status', LIVE_STATUSES);
/** `status` is an ending. */
export const IS_FINAL = sqlStatusIn('status', FINAL_STATUSES);
/** `status` is waiting for its dial (the queue's calls). */
export const IS_WAITING = sqlStatusIn('status', WAITING_STATUSES);
/** `status` is one a call may be ended as `missed` from. */
export const IS_MISSABLE = sqlStatusIn('status', sourcesOf('missed'));
/** `status` is one a call may be `canceled` from. */
export const IS_CANCELABLE = sqlStatusIn('status', sourcesOf('canceled'));
