import type { IdempotencyTag } from './idempotency-keys.ts';
import type { Call, CallEvent, CallStatus } from './call.ts';

/** A call to insert; `accountId` is its owner (absent only for rows made outside the app: benchmarks, old data). */
export type NewCall = Pick<Call, 'id' | 'to' | 'dueAt' | 'timeZone' | 'message' | 'createdAt'> & { accountId?: string | null } & Partial<
  Pick<Call, 'scheduleId' | 'occurrenceAt' | 'retryOf' | 'tryNumber' | 'triesTotal' | 'retryAfterMinutes' | 'retryOnFailed'>
> & {
    /** The API request's `Idempotency-Key`, unique per account (a twin's insert throws DuplicateIdempotencyKey). */
    idempotency?: IdempotencyTag | null;
  };
export type CallPatch = Partial<Pick<Call, 'reason' | 'callControlId' | 'answeredBy'>>;
export type NewEvent = Omit<CallEvent, 'id'>;

/**
 * Position in the call list: upcoming calls (group 0) soonest first, then the rest (group 1) newest first.
 * `key` is `dueAt` for group 0 and `-dueAt` for group 1, so one ascending order covers both.
 */
export type ListPosition = { group: 0 | 1; key: number; id: string };
/** `accountId` restricts the list to that account's calls; absent, every call is listed (operators, tests). */
export type ListQuery = { accountId?: string; statuses?: readonly CallStatus[]; after?: ListPosition; limit: number };

/**
 * What the abuse limits need counted before a call of an account is stored: the account's calls created since
 * `createdSince` (at most `createdMax`, 0: not counted), its calls waiting for their dial (`countPending`), the
 * calls to `to` due from `dueFrom` to `dueUntil`, both included, whoever scheduled them (at most `numberMax`, 0:
 * not counted), and with `ownNumberMax` > 0 the account's own among them (at most that many) and whether a call of
 * the account to `to` was ever answered.
 */
export type LimitReads = {
  createdSince: number;
  createdMax: number;
  countPending: boolean;
  dueFrom: number;
  dueUntil: number;
  numberMax: number;
  ownNumberMax: number;
};
/** The counts a {@link CallLimitGuard} decides on: creation times oldest first, due times latest first. */
export type LimitTally = {
  createdByAccount: number[];
  pending: { count: number; soonestDueAt: number | null };
  dueToNumber: number[];
  ownDueToNumber: number[];
  answeredBefore: boolean;
  /** When the account was activated (else registered), read in the same transaction: new accounts are on probation. */
  accountSince?: number | null;
};
/**
 * What a new schedule's limits read, in the transaction that inserts it: the account's open (not ended) schedules,
 * how many of them go to numbers it has never reached (no answered call), whether the new one's number was reached,
 * and when the account was activated.
 */
export type ScheduleTally = { open: number; unreached: number; toReached: boolean; accountSince: number | null };
/**
 * The abuse limits for one call, decided by the store inside the transaction that inserts it, under locks keyed by
 * the account and by the number (taken in that order, by every insert): no interleaving of requests, instances or
 * the schedule keeper can pass a limit. `decide` throws a LimitError to refuse (the insert is rolled back).
 */
export type CallLimitGuard = {
  accountId: string;
  to: string;
  reads: LimitReads;
  decide(tally: LimitTally): void;
  /** For a schedule whose first call this guards: the account's limits on schedules (probation), decided likewise. */
  decideSchedule?(tally: ScheduleTally): void;
};
/** The guard for a call of `accountId` to `to` due at `dueAt` (the accounts flow's abuse limits, wired in compose/). */
export type CallLimitsFor = (accountId: string, to: string, dueAt: number) => CallLimitGuard;

export type ClaimResult = { claimed: Call } | { claimed: null; reason: 'not_scheduled' | 'no_channel' };

/** An entry of the timed queue's window: enough to know when and what to claim. */
export type DueEntry = { id: string; dueAt: number };

/**
 * The calls and their timelines. Every method is one atomic step; a transition and its timeline event commit
 * together. Implemented by both stores (`src/store/sqlite`, `src/store/postgres`; `test/contract/store.contract.ts`).
 */
export type CallStore = {
  /**
   * Inserts the call; with `guard`, only if the limits allow it, decided in the insert's own transaction. A number on
   * the do-not-call list is refused (the opted-out ValidationError, nothing stored), before any limit is decided.
   */
  insertCall(call: NewCall, guard?: CallLimitGuard): Promise<Call>;
  /** The call; with `accountId`, only when that account owns it. */
  getCall(id: string, accountId?: string): Promise<Call | undefined>;
  listCalls(query: ListQuery): Promise<Call[]>;
  listEvents(callId: string): Promise<CallEvent[]>;
  appendEvent(event: NewEvent): Promise<void>;
  /** The call an event belongs to when it carries no `client_state`: the one dialed with that carrier id. */
  findCallByControlId(callControlId: string): Promise<Call | undefined>;

  /**
   * Compare-and-set: moves the call to `to` only while its status is one of `from`, stamps `endedAt` for an
   * ending, and records the transition in the timeline. Returns the updated call, or undefined if it was not moved.
   */
  transition(id: string, from: readonly CallStatus[], to: CallStatus, at: number, patch?: CallPatch): Promise<Call | undefined>;
  /** Sets fields that are not the status (who answered, a reason, the carrier's id a webhook named). */
  update(id: string, patch: CallPatch, at: number): Promise<void>;
  /**
   * Compare-and-set for a dial's answer: records the carrier's id of the leg only while the call is live
   * (`dialing`, `ringing`, `in_progress`) and still on `attempt`. False when a webhook ended or requeued the call
   * (or a later claim started a new attempt) while the dial was under way: that leg is dead to us. With `timeline`,
   * the event it makes of the answer (given whether the leg was kept) is written in the same step.
   */
  recordDialedLeg(id: string, attempt: number, callControlId: string, at: number, timeline?: (kept: boolean) => NewEvent): Promise<boolean>;
  /** Ends as `canceled` (with `reason`) every scheduled call to `number`; returns their ids. */
  cancelScheduledTo(number: string, at: number, reason: string): Promise<string[]>;

  /** Calls in one of `statuses` whose last change is older than `before`. */
  findStale(statuses: readonly CallStatus[], before: number): Promise<Call[]>;
  /** Deletes finished calls (and their timelines) that ended before `endedBefore`, and webhooks applied before it; returns how many calls. */
  purgeFinished(endedBefore: number): Promise<number>;
};

/** The queue's side of the calls: what is due next, claiming it for a dial, putting it back, giving up on it. */
export type CallClaims = {
  /**
   * Puts a call the carrier refused for want of a channel back in the queue: `scheduled` again, due at `dueAt`,
   * its carrier id cleared (the next claim counts a new attempt, so a new command id). The one sanctioned move
   * backwards; the timeline records it. Only while its status is one of `from`; returns the call, or undefined.
   */
  requeue(id: string, from: readonly CallStatus[], dueAt: number, at: number, reason: string): Promise<Call | undefined>;
  /** The nearest scheduled calls, due order, skipping `exclude` (already in the queue's hands). */
  nextDue(limit: number, exclude?: ReadonlySet<string>): Promise<DueEntry[]>;
  /** How many calls hold a carrier channel (are in one of `LIVE_STATUSES`), as the dial gate counts them. */
  countLive(): Promise<number>;
  /** Ends as `missed` every scheduled call due before `dueBefore`; returns their ids. */
  markMissed(dueBefore: number, at: number, reason: string): Promise<string[]>;
};
