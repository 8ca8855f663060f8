import type { AccountStore } from '../accounts/account-store.ts';
import type { CallClaims, CallStore } from '../calls/call-store.ts';
import type { DoNotCallList } from '../calls/do-not-call-list.ts';
import type { IdempotencyKeys } from '../calls/idempotency-keys.ts';
import type { DialStore } from '../dialing/dial-store.ts';
import type { InboxByCall, InboxLocks, WebhookInbox } from '../inbox/inbox-store.ts';
import type { Leases } from '../kernel/leases.ts';
import type { StoreLifecycle } from '../kernel/store-lifecycle.ts';
import type { CallChanges } from '../live/call-changes.ts';
import type { StreamLeases } from '../live/stream-leases.ts';
import type { RetryStore } from '../schedules/retry-store.ts';
import type { ScheduleStore } from '../schedules/schedule-store.ts';

/**
 * The whole store: every port in one object, for the composition root and the two implementations (SQLite on
 * `node:sqlite`, PostgreSQL on `pg`; both pass `test/contract/store.contract.ts`). Only `compose/` and `store/`
 * name it; every other module names the narrow port it uses (`CallStore`, `WebhookInbox`, …).
 */
export type Store = StoreLifecycle &
  AccountStore &
  CallStore &
  CallClaims &
  DoNotCallList &
  WebhookInbox &
  ScheduleStore &
  RetryStore &
  CallChanges &
  StreamLeases &
  IdempotencyKeys &
  DialStore &
  Leases &
  InboxByCall &
  InboxLocks;
