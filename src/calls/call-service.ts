import type { Clock } from '../kernel/clock.ts';
import { conflict, notFound, ValidationError } from '../kernel/errors.ts';
import type { CallLimitsFor, CallStore } from './call-store.ts';
import type { DoNotCallList } from './do-not-call-list.ts';
import { CALL_STATUSES, type Call, type CallEvent, type CallStatus } from './call.ts';
import { decodeCursor, encodeCursor, positionOf } from './input/list-cursor.ts';
import type { ScheduleRequest } from './input/schedule-input.ts';
import { retryColumns, RetryPolicySchema } from './retry-policy.ts';
import type { IdempotencyTag } from './idempotency-keys.ts';

/** What the use-cases need to tell the queue; the queue itself is wired in the composition root. */
export type QueueSignals = {
  scheduled(entry: { id: string; dueAt: number }): void;
  canceled(id: string): void;
};

export type CallPage = { items: Call[]; nextCursor: string | null };

export const MAX_PAGE = 100;

/**
 * The scheduling use-cases shared by the page and the API: schedule, cancel, read one call with its timeline,
 * list calls (upcoming soonest first, then history newest first).
 */
export function createCallService(deps: {
  store: CallStore & DoNotCallList;
  clock: Clock;
  newId: () => string;
  queue: QueueSignals;
  /** Abuse limits for a call of an account, decided by the store as it inserts the call (a LimitError refuses it). */
  callLimits?: CallLimitsFor;
}) {
  const { store, clock } = deps;
  return {
    /**
     * Stores the call (durable before this resolves) and hands it to the queue. `owner` is the account it belongs
     * to; every HTTP route passes one (only internal callers — benchmarks, queue tests — leave it out).
     * The limits are counted and the row inserted in one transaction, under locks on the account and the number:
     * concurrent requests, on however many instances, cannot pass a limit.
     */
    async schedule(request: ScheduleRequest, owner?: string, idempotency?: IdempotencyTag): Promise<Call> {
      // The store refuses a number on the do-not-call list as it inserts (opted out, before any limit: waiting would
      // not help); the claim checks again, for a number that opts out after this.
      const { retry, ...fields } = request;
      // Every caller (API, page, schedules) validates the policy; checked again here, as the one place that stores it.
      if (retry && !RetryPolicySchema.safeParse(retry).success) throw new ValidationError([{ path: 'retry', message: 'is not a valid retry policy: 0–3 attempts, 1–60 minutes apart' }]);
      const guard = owner !== undefined ? deps.callLimits?.(owner, request.to, request.dueAt) : undefined;
      const call = await store.insertCall({ id: deps.newId(), ...fields, ...retryColumns(retry), createdAt: clock.now(), accountId: owner ?? null, idempotency }, guard);
      deps.queue.scheduled({ id: call.id, dueAt: call.dueAt });
      return call;
    },

    /** Cancels a call that has not started. A claim racing this has one winner; the loser gets a conflict. */
    async cancel(id: string, owner?: string): Promise<Call> {
      // Another account's call is "not found", never "forbidden": its existence is not ours to tell.
      if (owner !== undefined && !(await store.getCall(id, owner))) throw notFound(`Call ${id}`);
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

    async get(id: string, owner?: string): Promise<{ call: Call; events: CallEvent[] }> {
      const call = await store.getCall(id, owner);
      if (!call) throw notFound(`Call ${id}`);
      return { call, events: await store.listEvents(id) };
    },

    /** One page of calls; with `accountId`, that account's only. */
    async list(query: { accountId?: string; statuses?: readonly string[]; cursor?: string; limit?: number }): Promise<CallPage> {
      const errors = [];
      const limit = query.limit ?? 20;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) errors.push({ path: 'limit', message: `must be a whole number from 1 to ${MAX_PAGE}` });
      const unknown = (query.statuses ?? []).filter((s) => !(CALL_STATUSES as readonly string[]).includes(s));
      if (unknown.length > 0) errors.push({ path: 'status', message: `must be among ${CALL_STATUSES.join(', ')}` });
      if (errors.length > 0) throw new ValidationError(errors);
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const rows = await store.listCalls({ accountId: query.accountId, statuses: query.statuses as CallStatus[] | undefined, after, limit: limit + 1 });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(positionOf(last)) : null };
    },
  };
}
export type CallService = ReturnType<typeof createCallService>;
