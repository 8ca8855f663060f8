import type { Call } from '../calls/call.ts';
import type { NewEvent } from '../calls/call-store.ts';

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
 * The webhook inbox: the webhook route stores each verified event once and answers; the inbox worker applies them
 * in order. Deleting applied events is part of `CallStore.purgeFinished` (same retention).
 */
export type WebhookInbox = {
  /** Stores a verified webhook once; false when its event id is already there (a redelivery). */
  insertInbox(event: InboxEvent): Promise<boolean>;
  /**
   * Stores verified webhooks (distinct event ids) in one commit, each once; resolves, after the commit, with the ids
   * that were new (a redelivery's is not). All or none: a failure stores none of them.
   */
  insertInboxBatch(events: readonly InboxEvent[]): Promise<Set<string>>;
  /** Unapplied events in `occurred_at` order (arrival, then id, breaks ties), after `after` when given (keyset paging). */
  pendingInbox(limit: number, after?: Pick<InboxEvent, 'occurredAt' | 'receivedAt' | 'eventId'>): Promise<InboxEvent[]>;
  markApplied(eventId: string, at: number, outcome: string): Promise<void>;
  /** Marks the events applied at `at`, each with its outcome, in one commit. */
  markAppliedMany(entries: readonly { eventId: string; outcome: string }[], at: number): Promise<void>;
  /**
   * Writes timeline rows in one commit (one multi-row insert), in the order given; all or none. The worker's event
   * handler writes its timeline through this, batched across the calls applied side by side (`kernel/turn-batch.ts`).
   */
  appendTimeline(events: readonly NewEvent[]): Promise<void>;
  /** The calls with these ids (those that exist, in no set order), in one read: the calls of a turn's events. */
  callsById(ids: readonly string[]): Promise<Call[]>;
};

/** The key one call's webhooks are applied under: our call id, else the carrier's leg id, else the event's own. */
export const inboxKey = (event: Pick<InboxEvent, 'callId' | 'callControlId' | 'eventId'>): string =>
  event.callId ?? event.callControlId ?? event.eventId;

/** The inbox read one call at a time, so whichever instance holds the call's lock applies all of its events. */
export type InboxByCall = {
  /** Unapplied events whose {@link inboxKey} is `key`, in `occurred_at` order (arrival, then id, breaks ties). */
  pendingInboxFor(key: string, limit: number): Promise<InboxEvent[]>;
  /**
   * {@link pendingInboxFor} for several keys in one read: up to `limit` unapplied events of each key, each key's in
   * `occurred_at` order (arrival, then id, breaks ties); keys' events may interleave.
   */
  pendingInboxForKeys(keys: readonly string[], limit: number): Promise<InboxEvent[]>;
  /** Keys of calls with an event unapplied since before `receivedBefore` (left by a dead instance), oldest first. */
  staleInboxKeys(receivedBefore: number, limit: number): Promise<string[]>;
};

/**
 * One instance at a time per call, without a write: on PostgreSQL a session-level advisory lock on a connection
 * kept for them (nothing logged, nothing committed, and released by the server itself when the instance's session
 * ends, so a killed instance leaves nothing to expire); on SQLite, one process per file, a set in memory.
 */
export type InboxLocks = {
  /**
   * Takes the locks of those calls nobody else holds (another instance, or this one already), in one round trip;
   * resolves with the keys taken. Never waits.
   */
  tryLockInbox(keys: readonly string[]): Promise<Set<string>>;
  /** Gives back locks taken by {@link tryLockInbox} (a key not held is passed over), in one round trip. */
  unlockInbox(keys: readonly string[]): Promise<void>;
};
