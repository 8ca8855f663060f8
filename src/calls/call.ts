import type { AnsweredBy } from './carrier-event.ts';

/** A call's states (docs/the-call.md). */
export const CallStatus = {
  scheduled: 'scheduled',
  dialing: 'dialing',
  ringing: 'ringing',
  inProgress: 'in_progress',
  completed: 'completed',
  busy: 'busy',
  noAnswer: 'no_answer',
  failed: 'failed',
  canceled: 'canceled',
  missed: 'missed',
} as const;
export type CallStatus = (typeof CallStatus)[keyof typeof CallStatus];

export const CALL_STATUSES = Object.values(CallStatus);

/** Where each state sits on the one-way path; endings share the last rank so none moves to another. */
const RANK: Record<CallStatus, number> = {
  scheduled: 0,
  dialing: 1,
  ringing: 2,
  in_progress: 3,
  completed: 4,
  busy: 4,
  no_answer: 4,
  failed: 4,
  canceled: 4,
  missed: 4,
};

export const FINAL_STATUSES: readonly CallStatus[] = CALL_STATUSES.filter((s) => RANK[s] === 4);
/** States in which a call holds a carrier channel. */
export const LIVE_STATUSES: readonly CallStatus[] = ['dialing', 'ringing', 'in_progress'];

export function isFinal(status: CallStatus): boolean {
  return RANK[status] === 4;
}

/** True when moving `from` → `to` goes forward; a late or duplicated event that would go back is refused. */
export function canMove(from: CallStatus, to: CallStatus): boolean {
  if (from === to || isFinal(from)) return false;
  if (to === 'canceled') return from === 'scheduled';
  if (to === 'missed') return from === 'scheduled';
  return RANK[to] > RANK[from];
}

/** The states a call may be in for it to move to `to` (for compare-and-set updates). */
export function sourcesOf(to: CallStatus): CallStatus[] {
  return CALL_STATUSES.filter((from) => canMove(from, to));
}

export type Call = {
  id: string;
  to: string;
  /** When to dial, ms since the epoch. */
  dueAt: number;
  /** The IANA zone the person scheduled in, for showing times back to them. */
  timeZone: string;
  message: string | null;
  status: CallStatus;
  /** Why the call ended as it did (failed, missed, canceled…), in words. */
  reason: string | null;
  /** Dial attempts made (a retry within the carrier's idempotency window reuses the attempt). */
  attempt: number;
  createdAt: number;
  updatedAt: number;
  /** When a worker claimed it for dialing. */
  claimedAt: number | null;
  /** claimedAt − dueAt: how late the dial started. */
  latenessMs: number | null;
  callControlId: string | null;
  endedAt: number | null;
  /** Who answered, once known: answering-machine detection's verdict, `unknown` when detection is off or unsure. */
  answeredBy: AnsweredBy | null;
  /** The schedule this call is an occurrence (or a retry of an occurrence) of. */
  scheduleId: string | null;
  /** The schedule's instant this call stands for (a retry keeps its first try's). */
  occurrenceAt: number | null;
  /** The first call of the retry chain this call is a later try of. */
  retryOf: string | null;
  /** 1 for the first try. */
  tryNumber: number;
  /** Tries in all: 1 + the retry policy's attempts. */
  triesTotal: number;
  /** Minutes between an unanswered try and the next; null without retries. */
  retryAfterMinutes: number | null;
  /** A carrier-side failure gets a retry too (opt-in). */
  retryOnFailed: boolean;
};

export type CallEvent = {
  id: number;
  callId: string;
  at: number;
  /** `status` (a transition), `webhook`, `command`, `error`, `note`. */
  kind: string;
  /** The transition (`scheduled→dialing`), the webhook's event type, the command's name. */
  name: string;
  detail: Record<string, unknown> | null;
};
