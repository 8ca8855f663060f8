import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Store } from '../store/store.ts';
import { TelephonyError, type Telephony } from '../telephony/telephony.ts';
import type { Call } from './call.ts';
import { commandId } from './command-id.ts';

/**
 * The "place due call" use-case: dial a claimed call. The command id is derived from the call and its attempt, so a
 * dial repeated after a crash (or by a retry) is one call at the carrier. A dial that fails ends the call `failed`
 * with the carrier's reason and frees its channel.
 */
export function createCallPlacer(deps: {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  telephony: Telephony;
  channelFreed: () => void;
  /** How long after its claim a dial may still be retried: inside the carrier's command_id window. */
  dialWindowMs: number;
}) {
  const { store, clock } = deps;
  return async function placeCall(call: Call, how: 'claimed' | 'recovered'): Promise<void> {
    const id = commandId('dial', call.id, call.attempt);
    await store.appendEvent({ callId: call.id, at: clock.now(), kind: 'command', name: 'dial', detail: { commandId: id, to: call.to, how } });
    let result;
    try {
      result = await deps.telephony.dial({ callId: call.id, to: call.to, commandId: id, deadline: (call.claimedAt ?? clock.now()) + deps.dialWindowMs });
    } catch (err) {
      const reason = err instanceof TelephonyError ? err.message : 'the carrier could not be reached';
      if (!(err instanceof TelephonyError)) deps.logger.error({ err, callId: call.id }, 'dial failed unexpectedly');
      const failed = await store.transition(call.id, ['dialing'], 'failed', clock.now(), { reason: `dial failed: ${reason}` });
      if (failed) deps.metrics?.callsEnded.inc({ status: 'failed' });
      deps.channelFreed();
      return;
    }
    // The carrier is ringing the call now: a store error from here on must not mark it failed.
    await store.update(call.id, { callControlId: result.callControlId }, clock.now());
    await store.appendEvent({
      callId: call.id,
      at: clock.now(),
      kind: 'command',
      name: 'dial.accepted',
      detail: { callControlId: result.callControlId },
    });
  };
}
