import type { AnsweredBy } from './far-end.ts';
import type { CallRecord, CallState } from './call-handle.ts';

/** What a test (or the soak) can see of a simulated call. */
export type CallSnapshot = {
  callControlId: string;
  callLegId: string;
  callSessionId: string;
  connectionId: string;
  to: string;
  from: string;
  /** The dial's `client_state` (null without one); later commands may replace the call's, not this. */
  dialClientState: string | null;
  state: CallState;
  startedAt: number;
  answeredAt: number | undefined;
  /** Who answered (the scenario's truth, whatever detection reported); undefined if never answered. */
  answeredBy: AnsweredBy | undefined;
  endedAt: number | undefined;
  hangupCause: string | undefined;
  hangupSource: string | undefined;
  /** Speak payloads and gather prompts, in the order the far end heard them (a replayed prompt counts again). */
  spoken: readonly string[];
  digitsPressed: readonly string[];
  /** Event types in the order they were emitted (delivery order may differ under fault knobs). */
  events: readonly string[];
};

/**
 * Telnyx's `Call` resource for a leg at `now`, as retrieve-status returns it (the dial answer sets `is_alive`
 * false). `call_duration` is whole seconds since the answer (0 before it); `client_state` is left out when there
 * is none, as the SDK types it optional rather than nullable.
 */
export function callResource(call: CallRecord, now: number): Record<string, unknown> {
  const alive = call.state !== 'ended';
  const durationMs = call.answeredAt === undefined ? 0 : (call.endedAt ?? now) - call.answeredAt;
  return {
    record_type: 'call',
    call_control_id: call.init.callControlId,
    call_leg_id: call.init.callLegId,
    call_session_id: call.init.callSessionId,
    ...(call.clientState === null ? {} : { client_state: call.clientState }),
    is_alive: alive,
    call_duration: Math.floor(durationMs / 1000),
    start_time: new Date(call.startedAt).toISOString(),
    ...(alive ? {} : { end_time: new Date(call.endedAt ?? call.startedAt).toISOString() }),
  };
}

/** A copy of what a test may look at, detached from the live call. */
export function callSnapshot(call: CallRecord): CallSnapshot {
  const { init } = call;
  return {
    callControlId: init.callControlId,
    callLegId: init.callLegId,
    callSessionId: init.callSessionId,
    connectionId: init.connectionId,
    to: init.to,
    from: init.from,
    dialClientState: init.clientState,
    state: call.state,
    startedAt: call.startedAt,
    answeredAt: call.answeredAt,
    answeredBy: call.answeredAt === undefined ? undefined : init.farEnd.answeredBy,
    endedAt: call.endedAt,
    hangupCause: call.hangupCause,
    hangupSource: call.hangupSource,
    spoken: [...call.spoken],
    digitsPressed: [...call.digitsPressed],
    events: [...call.events],
  };
}
