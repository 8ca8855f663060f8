import type { InboxEvent } from '../store/store.ts';

/** The key one call's webhooks are applied under: our call id, else the carrier's leg id, else the event's own. */
export const inboxKey = (event: Pick<InboxEvent, 'callId' | 'callControlId' | 'eventId'>): string =>
  event.callId ?? event.callControlId ?? event.eventId;

/** The inbox read one call at a time, so whichever instance holds the call's lease applies all of its events. */
export type InboxByCall = {
  /** Unapplied events whose {@link inboxKey} is `key`, in `occurred_at` order (arrival, then id, breaks ties). */
  pendingInboxFor(key: string, limit: number): Promise<InboxEvent[]>;
  /** Keys of calls with an event unapplied since before `receivedBefore` (left by a dead instance), oldest first. */
  staleInboxKeys(receivedBefore: number, limit: number): Promise<string[]>;
};
