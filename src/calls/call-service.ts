import type { Clock } from '../clock.ts';
import { conflict, notFound, optedOut, ValidationError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { CALL_STATUSES, type Call, type CallEvent, type CallStatus } from './call.ts';
import { decodeCursor, encodeCursor, positionOf } from './list-cursor.ts';
import type { ScheduleRequest } from './schedule-input.ts';

/** What the use-cases need to tell the queue; the queue itself is wired in the composition root. */
export type QueueNotifier = {
  scheduled(entry: { id: string; dueAt: number }): void;
  canceled(id: string): void;
};

export type CallPage = { items: Call[]; nextCursor: string | null };

export const MAX_PAGE = 100;

/**
 * The scheduling use-cases shared by the page and the API: schedule, cancel, read one call with its timeline,
 * list calls (upcoming soonest first, then history newest first).
 */
export function createCallService(deps: { store: Store; clock: Clock; newId: () => string; queue: QueueNotifier }) {
  const { store, clock } = deps;
  return {
    /** Stores the call (durable before this resolves) and hands it to the queue. */
    async schedule(request: ScheduleRequest): Promise<Call> {
      // Checked here for a clear answer; the claim checks again, for a number that opts out after this.
      if (await store.getDoNotCall(request.to)) throw optedOut();
      const call = await store.insertCall({ id: deps.newId(), ...request, createdAt: clock.now() });
      deps.queue.scheduled({ id: call.id, dueAt: call.dueAt });
      return call;
    },

    /** Cancels a call that has not started. A claim racing this has one winner; the loser gets a conflict. */
    async cancel(id: string): Promise<Call> {
      const canceled = await store.transition(id, ['scheduled'], 'canceled', clock.now(), { reason: 'canceled by the person' });
      if (canceled) {
        deps.queue.canceled(id);
        return canceled;
      }
      const current = await store.getCall(id);
      if (!current) throw notFound(`Call ${id}`);
      throw conflict(
        current.status === 'canceled'
          ? 'The call is already canceled.'
          : `The call is ${current.status.replace('_', ' ')} and can no longer be canceled.`,
      );
    },

    async get(id: string): Promise<{ call: Call; events: CallEvent[] }> {
      const call = await store.getCall(id);
      if (!call) throw notFound(`Call ${id}`);
      return { call, events: await store.listEvents(id) };
    },

    async list(query: { statuses?: readonly string[]; cursor?: string; limit?: number }): Promise<CallPage> {
      const errors = [];
      const limit = query.limit ?? 20;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) errors.push({ path: 'limit', message: `must be a whole number from 1 to ${MAX_PAGE}` });
      const unknown = (query.statuses ?? []).filter((s) => !(CALL_STATUSES as readonly string[]).includes(s));
      if (unknown.length > 0) errors.push({ path: 'status', message: `must be among ${CALL_STATUSES.join(', ')}` });
      if (errors.length > 0) throw new ValidationError(errors);
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const rows = await store.listCalls({ statuses: query.statuses as CallStatus[] | undefined, after, limit: limit + 1 });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(positionOf(last)) : null };
    },
  };
}
export type CallService = ReturnType<typeof createCallService>;
