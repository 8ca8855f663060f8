import type { SimulatedCall } from '../call/simulated-call.ts';
import { telnyxErrors } from './telnyx-errors.ts';

const DEFAULT_PAGE_LIMIT = 20;
const MAX_PAGE_LIMIT = 250;

function limitOf(query: URLSearchParams): number {
  const raw = query.get('page[limit]');
  if (raw === null) return DEFAULT_PAGE_LIMIT;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_LIMIT) {
    throw telnyxErrors.invalidParameter('page[limit]', `'page[limit]' must be an integer from 1 to ${MAX_PAGE_LIMIT}.`);
  }
  return value;
}

/** A cursor is opaque to clients; here it is the position (placement order) of a call, base64url-encoded. */
const encode = (position: number) => Buffer.from(`p${position}`, 'utf8').toString('base64url');

function decode(name: string, raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  const position = /^p(\d{1,15})$/.exec(text)?.[1];
  if (position === undefined) throw telnyxErrors.invalidParameter(name, `'${name}' is not a cursor this endpoint gave out.`);
  return Number(position);
}

/**
 * `GET /v2/connections/{id}/active_calls`: the connection's live calls (ringing or answered), oldest first, cursor
 * paginated as Telnyx's spec describes the endpoint ("Returned results are cursor paginated"): `page[limit]`
 * (default 20, at most 250), `page[after]` / `page[before]` (a cursor from a previous answer), and
 * `meta.cursors.after` / `meta.cursors.before` in the answer. Page numbers (`page[number]`, `page[size]`, which
 * the SDK sends) are not parameters of the endpoint and are ignored, as an unknown query parameter is: asking for
 * "page 2" gives the first page again. Assumed where the spec is silent: a cursor is given only when there is a call
 * on that side of the page (an empty or last page has no `after`), and `meta.total_items` counts all live calls.
 */
export function activeCallsPage(calls: readonly { call: SimulatedCall; position: number }[], connectionId: string, query: URLSearchParams): Record<string, unknown> {
  const limit = limitOf(query);
  const after = decode('page[after]', query.get('page[after]'));
  const before = decode('page[before]', query.get('page[before]'));
  const live = calls.filter(({ call }) => call.state !== 'ended' && call.init.connectionId === connectionId);
  let page: typeof live;
  if (before !== undefined) {
    const earlier = live.filter((c) => c.position < before);
    page = earlier.slice(Math.max(0, earlier.length - limit));
  } else {
    page = live.filter((c) => after === undefined || c.position > after).slice(0, limit);
  }
  const first = page[0];
  const last = page[page.length - 1];
  const cursors: Record<string, string> = {};
  if (last && live.some((c) => c.position > last.position)) cursors.after = encode(last.position);
  if (first && live.some((c) => c.position < first.position)) cursors.before = encode(first.position);
  const data = page.map(({ call }) => {
    const { call_control_id, call_leg_id, call_session_id, call_duration, client_state } = call.resource();
    return { record_type: 'call', call_control_id, call_leg_id, call_session_id, call_duration, ...(client_state === undefined ? {} : { client_state }) };
  });
  return { data, meta: { cursors, total_items: live.length } };
}
