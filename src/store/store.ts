import type { AccountStore } from '../accounts/account-store.ts';
import type { CallClaims, CallStore } from '../calls/call-store.ts';
import type { DoNotCallList } from '../calls/do-not-call-list.ts';
import type { WebhookInbox } from '../inbox/inbox-store.ts';
import type { RetryStore } from '../schedules/retry-store.ts';
import type { ScheduleStore } from '../schedules/schedule-store.ts';
import type { CallChanges } from '../live/call-changes.ts';
import type { IdempotencyKeys } from '../calls/idempotency-keys.ts';
import type { InboxByCall } from '../inbox/inbox-by-call.ts';
import type { DialStore } from '../dialing/dial-store.ts';
import type { Leases } from '../kernel/leases.ts';

// The ports' types, re-exported so code that imports them from here keeps working.
export type { Account, AccountStore, LimitBucket, MailTokenPurpose, NewMailToken, SessionRecord } from '../accounts/account-store.ts';
export type { CallClaims, CallPatch, CallStore, ClaimResult, DueEntry, ListPosition, ListQuery, NewCall, NewEvent } from '../calls/call-store.ts';
export type { DoNotCallEntry, DoNotCallList } from '../calls/do-not-call-list.ts';
export type { InboxEvent, WebhookInbox } from '../inbox/inbox-store.ts';

/** What the composition root does with the database itself: bring the schema up to date, check it answers, let go. */
export type StoreLifecycle = {
  migrate(): Promise<void>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
};

/**
 * The whole store: every domain's port in one object, for the composition root (`src/deps.ts`) and the two
 * implementations (SQLite on `node:sqlite`, PostgreSQL on `pg`; both pass `test/contract/store.contract.ts`).
 * Modules name the narrow port they use (`CallStore`, `WebhookInbox`, …), never `Store`.
 */
export type Store = StoreLifecycle & AccountStore & CallStore & CallClaims & DoNotCallList & WebhookInbox & ScheduleStore & RetryStore & CallChanges & IdempotencyKeys & DialStore & Leases & InboxByCall;
