import type { Clock } from '../../src/kernel/clock.ts';
import { TelephonyError, type DialRequest, type Telephony } from '../../src/calls/carrier.ts';

export type DialRecord = DialRequest & { at: number };

/**
 * A telephony double for queue tests: records each dial with the clock's time. `failFor` makes dials to a number
 * fail permanently; `onDial` lets a test react (end the call later, count live calls).
 */
export function createFakeTelephony(clock: Clock, options: { failFor?: Set<string>; onDial?: (dial: DialRecord) => void } = {}) {
  const dials: DialRecord[] = [];
  const telephony: Telephony = {
    async dial(request) {
      const record = { ...request, at: clock.now() };
      dials.push(record);
      options.onDial?.(record);
      await Promise.resolve();
      if (options.failFor?.has(request.to)) throw new TelephonyError('Invalid destination number', 'permanent', { status: 422 });
      return { callControlId: `cc-${request.callId}` };
    },
    async speak() {},
    async gather() {},
    async hangup() {},
    // The carrier's record is not played here: the reconciler treats this as "carrier unreachable" and skips.
    callStatus: () => Promise.reject(new TelephonyError('not simulated', 'retryable')),
    activeCalls: () => Promise.reject(new TelephonyError('not simulated', 'retryable')),
  };
  return { telephony, dials };
}
