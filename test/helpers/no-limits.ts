import type { CallLimitGuard, CallLimitsFor, LimitTally } from '../../src/calls/call-store.ts';

/** A guard that counts nothing and refuses nothing: for tests of flows whose limits are not the point. */
export const noCallLimits: CallLimitsFor = (accountId, to) => ({
  accountId,
  to,
  reads: { createdSince: 0, createdMax: 0, countPending: false, dueFrom: 0, dueUntil: 0, numberMax: 0, ownNumberMax: 0 },
  decide: () => undefined,
});

/** A guard that reads everything within the bounds given and keeps the tally it was shown (contract tests). */
export function recordingGuard(accountId: string, to: string, reads: Partial<CallLimitGuard['reads']> = {}): CallLimitGuard & { seen: LimitTally[] } {
  const seen: LimitTally[] = [];
  return {
    accountId,
    to,
    reads: { createdSince: 0, createdMax: 100, countPending: true, dueFrom: 0, dueUntil: Number.MAX_SAFE_INTEGER, numberMax: 100, ownNumberMax: 100, ...reads },
    decide: (tally) => void seen.push(tally),
    seen,
  };
}
