import type { SimulatedCall } from '../call/simulated-call.ts';
import { telnyxErrors } from './telnyx-errors.ts';

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 250;

function pageParameter(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) throw telnyxErrors.invalidParameter(name, `'${name}' must be an integer from 1 to ${max}.`);
  return value;
}

/**
 * `GET /v2/connections/{id}/active_calls` (the SDK's `connections.listActiveCalls`): the connection's live calls
 * (ringing or answered), oldest first, in Telnyx's flat page shape `{ data, meta: { page_number, page_size,
 * total_pages, total_results } }` with `page[number]` / `page[size]` (default 20, at most 250).
 */
export function activeCallsPage(calls: readonly SimulatedCall[], connectionId: string, query: URLSearchParams): Record<string, unknown> {
  const pageNumber = pageParameter(query, 'page[number]', 1, Number.MAX_SAFE_INTEGER);
  const pageSize = pageParameter(query, 'page[size]', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const live = calls.filter((call) => call.state !== 'ended' && call.init.connectionId === connectionId);
  const page = live.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  const data = page.map((call) => {
    const { call_control_id, call_leg_id, call_session_id, call_duration, client_state } = call.resource();
    return { record_type: 'call', call_control_id, call_leg_id, call_session_id, call_duration, ...(client_state === undefined ? {} : { client_state }) };
  });
  return { data, meta: { page_number: pageNumber, page_size: pageSize, total_pages: Math.max(1, Math.ceil(live.length / pageSize)), total_results: live.length } };
}
