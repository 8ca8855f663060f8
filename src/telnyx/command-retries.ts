import type { Telephony } from '../calls/carrier.ts';
import { withRetries, type BackoffPolicy } from '../calls/carrier-retries.ts';
import type { TelephonyError } from '../calls/carrier.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';

/**
 * The carrier with retries for commands to a live call (speak, gather, hangup), each within its own budget. A dial
 * passes through: its retries are dialing's policy (`dialing/dial-retries.ts`). Questions about a call's state are
 * asked once: the reconciler asks again on its next round.
 */
export function createRetryingTelephony(inner: Telephony, deps: { clock: Clock; random: () => number; logger: Logger; command: BackoffPolicy }): Telephony {
  const onRetry = (what: string) => (err: TelephonyError, attempt: number, delayMs: number) =>
    deps.logger.warn({ what, attempt, delayMs, status: err.status, reason: err.message }, 'carrier error: retrying');
  const run = <T>(what: string, work: () => Promise<T>) =>
    withRetries(work, { clock: deps.clock, random: deps.random, policy: deps.command, onRetry: onRetry(what) });
  return {
    dial: (request) => inner.dial(request),
    speak: (id, text, commandId) => run('speak', () => inner.speak(id, text, commandId)),
    gather: (id, menu, commandId) => run('gather', () => inner.gather(id, menu, commandId)),
    hangup: (id, commandId) => run('hangup', () => inner.hangup(id, commandId)),
    callStatus: (id) => inner.callStatus(id),
    activeCalls: () => inner.activeCalls(),
  };
}
