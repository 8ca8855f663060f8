import type { Call } from '../calls/call.ts';

/**
 * What to do with a dial found in flight without its instance (a crash, `kill -9`): inside the carrier's command_id
 * window it is sent again with the same command id (a repeat of one command, never a second call); past it a
 * repeat could place a second call while the first rings, so it is left to the reconciler ("outcome unknown"),
 * which asks the carrier.
 */
export function recoveryOf(call: Pick<Call, 'claimedAt'>, now: number, dialWindowMs: number): 'redial' | 'outcome_unknown' {
  return now - (call.claimedAt ?? 0) <= dialWindowMs ? 'redial' : 'outcome_unknown';
}
