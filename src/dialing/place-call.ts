import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { CallStore } from '../calls/call-store.ts';
import { TelephonyError, type Telephony } from '../calls/carrier.ts';
import type { Call } from '../calls/call.ts';
import { OUTCOME_UNKNOWN_REASON } from '../calls/reasons.ts';
import { commandId } from '../calls/command-id.ts';

/**
 * The "place due call" use-case: dial a claimed call. The command id is derived from the call and its attempt, so a
 * dial repeated after a crash (or by a retry) is one call at the carrier. A dial the carrier refused ends the call
 * `failed` with the carrier's reason and frees its channel. A dial whose outcome is unknown (no answer, a dropped
 * connection, a 5xx, a 200 without a call id, a refused retry after any of these) may have placed the call: it
 * stays `dialing` and holds its channel until a webhook or the carrier's own record (the reconciler) settles it.
 */
export function createCallPlacer(deps: {
  store: CallStore;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  telephony: Telephony;
  channelFreed: () => void;
  /** How long after its claim a dial may still be retried: inside the carrier's command_id window. */
  dialWindowMs: number;
  /** A dial refused for the carrier's channel limit: true when the call went back to the queue (or ended) there. */
  onChannelRefused?: (call: Call, reason: string) => Promise<boolean>;
}) {
  const { store, clock } = deps;
  /** Calls whose dial is under way in this process: the reconciler leaves them alone. */
  const inFlight = new Set<string>();

  async function placeCall(call: Call, how: 'claimed' | 'recovered'): Promise<void> {
    inFlight.add(call.id);
    try {
      await dial(call, how);
    } finally {
      inFlight.delete(call.id);
    }
  }

  async function dial(call: Call, how: 'claimed' | 'recovered'): Promise<void> {
    const id = commandId('dial', call.id, call.attempt);
    // Written while the dial goes out, not before: the time between the claim's dial slot and the carrier's count is
    // the jitter the rate's margin must cover, and a database round trip here would add to it.
    const logged = store
      .appendEvent({ callId: call.id, at: clock.now(), kind: 'command', name: 'dial', detail: { commandId: id, to: call.to, how } })
      .catch((err: unknown) => deps.logger.error({ err, callId: call.id }, 'recording the dial in the timeline failed'));
    let result;
    try {
      result = await deps.telephony.dial({
        callId: call.id,
        to: call.to,
        commandId: id,
        deadline: (call.claimedAt ?? clock.now()) + deps.dialWindowMs,
        // A claimed call's slot was taken with its claim; a recovered dial took its slot just now.
        slotAt: how === 'claimed' ? (call.claimedAt ?? undefined) : undefined,
      });
    } catch (err) {
      await logged;
      const reason = err instanceof TelephonyError ? err.message : 'the carrier could not be reached';
      if (!(err instanceof TelephonyError)) deps.logger.error({ err, callId: call.id }, 'dial failed unexpectedly');
      const unknown = !(err instanceof TelephonyError) || err.outcomeUnknown;
      if (unknown) {
        await store.appendEvent({
          callId: call.id,
          at: clock.now(),
          kind: 'error',
          name: 'dial.unknown',
          detail: { commandId: id, reason, status: err instanceof TelephonyError ? (err.status ?? null) : null },
        });
        // Only while still dialing: a webhook may already have moved it on.
        if ((await store.getCall(call.id))?.status === 'dialing') await store.update(call.id, { reason: OUTCOME_UNKNOWN_REASON }, clock.now());
        deps.logger.warn({ callId: call.id, reason }, 'dial outcome unknown: left to the reconciler');
        return;
      }
      if (err instanceof TelephonyError && err.refusal === 'channel_limit' && deps.onChannelRefused) {
        const current = await store.getCall(call.id);
        if (current && (await deps.onChannelRefused(current, reason))) return;
      }
      const failed = await store.transition(call.id, ['dialing'], 'failed', clock.now(), { reason: `dial failed: ${reason}` });
      if (failed) deps.metrics?.callsEnded.inc({ status: 'failed' });
      deps.channelFreed();
      return;
    }
    await logged;
    // The carrier is ringing the call now: a store error from here on must not mark it failed. Its id is kept only
    // while the call is live on this attempt: a webhook may have requeued or ended it while the dial was under way,
    // and a dead leg's id on a later attempt would let the reconciler end the live one.
    const at = clock.now();
    await store.recordDialedLeg(call.id, call.attempt, result.callControlId, at, (kept) => ({
      callId: call.id,
      at,
      kind: 'command',
      name: 'dial.accepted',
      detail: { callControlId: result.callControlId, ...(kept ? {} : { kept: false, reason: 'the call was requeued or ended while the dial was under way' }) },
    }));
  }

  return Object.assign(placeCall, {
    /** True while this process is dialing the call. */
    isDialing: (callId: string) => inFlight.has(callId),
    /** The calls this process is dialing now (their leases are renewed). */
    dialing: (): Iterable<string> => inFlight.keys(),
  });
}
export type CallPlacer = ReturnType<typeof createCallPlacer>;
