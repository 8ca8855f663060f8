/** A verified webhook as stored in the inbox, before and after it is applied. */
export type InboxEvent = {
  eventId: string;
  /** Our call id, from `client_state`; null when the event names no call of ours. */
  callId: string | null;
  callControlId: string | null;
  eventType: string;
  occurredAt: number;
  payload: Record<string, unknown>;
  receivedAt: number;
};

/**
 * The webhook inbox: the webhook route stores each verified event once and answers; the event worker applies them
 * in order. Deleting applied events is part of `CallStore.purgeFinished` (same retention).
 */
export type WebhookInbox = {
  /** Stores a verified webhook once; false when its event id is already there (a redelivery). */
  insertInbox(event: InboxEvent): Promise<boolean>;
  /** Unapplied events in `occurred_at` order (arrival, then id, breaks ties), after `after` when given (keyset paging). */
  pendingInbox(limit: number, after?: Pick<InboxEvent, 'occurredAt' | 'receivedAt' | 'eventId'>): Promise<InboxEvent[]>;
  markApplied(eventId: string, at: number, outcome: string): Promise<void>;
};
