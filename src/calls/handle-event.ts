import type { Clock } from '../clock.ts';
import type { JokeSource } from '../jokes/joke-source.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { InboxEvent, Store } from '../store/store.ts';
import { TelephonyError, type Telephony } from '../telephony/telephony.ts';
import { isFinal, sourcesOf, type Call, type CallStatus } from './call.ts';
import { commandId } from './command-id.ts';

/**
 * How Telnyx's `hangup_cause` ends a call (DESIGN §3). `normal_clearing` only follows an answer, so it means
 * completed even when the hangup overtook its `call.answered` webhook.
 */
export function endingFor(hangupCause: unknown): { status: CallStatus; reason: string | null } {
  switch (hangupCause) {
    case 'normal_clearing':
      return { status: 'completed', reason: null };
    case 'user_busy':
      return { status: 'busy', reason: 'the line was busy' };
    case 'no_answer':
    case 'timeout':
      return { status: 'no_answer', reason: 'nobody answered' };
    default:
      return { status: 'failed', reason: `the call ended: ${typeof hangupCause === 'string' ? hangupCause : 'unknown cause'}` };
  }
}

/** What applying an event did, kept on the inbox row. */
export type Outcome = 'applied' | 'stale' | 'recorded' | 'unknown call';

/**
 * The "handle event" use-case: moves the call forward for each Telnyx event and sends the next command
 * (answered → speak, speak ended → hang up). Every webhook and command lands in the call's timeline. Applying an
 * event twice changes nothing more: transitions are compare-and-set and commands carry ids derived from the event.
 */
export function createEventHandler(deps: {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  telephony: Telephony;
  jokes: JokeSource;
  channelFreed: () => void;
}) {
  const { store, clock } = deps;

  async function move(call: Call, event: InboxEvent, to: CallStatus, reason: string | null = null): Promise<Call | undefined> {
    const moved = await store.transition(call.id, sourcesOf(to), to, clock.now(), reason ? { reason } : {});
    if (!moved) {
      const current = (await store.getCall(call.id))?.status ?? call.status;
      await store.appendEvent({
        callId: call.id,
        at: clock.now(),
        kind: 'note',
        name: 'ignored',
        detail: { eventId: event.eventId, eventType: event.eventType, reason: `would move ${current} to ${to}` },
      });
    } else if (isFinal(to)) {
      deps.metrics?.callsEnded.inc({ status: to });
      deps.channelFreed();
    }
    return moved;
  }

  async function command(call: Call, name: 'speak' | 'hangup', id: string, send: () => Promise<void>, detail: Record<string, unknown>) {
    await store.appendEvent({ callId: call.id, at: clock.now(), kind: 'command', name, detail: { commandId: id, ...detail } });
    try {
      await send();
      return true;
    } catch (err) {
      const reason = err instanceof TelephonyError ? err.message : 'the carrier could not be reached';
      if (!(err instanceof TelephonyError)) deps.logger.error({ err, callId: call.id }, `${name} failed unexpectedly`);
      await store.appendEvent({
        callId: call.id,
        at: clock.now(),
        kind: 'error',
        name: `${name}.failed`,
        detail: { commandId: id, reason, status: err instanceof TelephonyError ? (err.status ?? null) : null },
      });
      return false;
    }
  }

  return async function handleEvent(event: InboxEvent): Promise<Outcome> {
    const call =
      (event.callId ? await store.getCall(event.callId) : undefined) ??
      (event.callControlId ? await store.findCallByControlId(event.callControlId) : undefined);
    if (!call) return 'unknown call';
    const p = event.payload;
    await store.appendEvent({
      callId: call.id,
      at: clock.now(),
      kind: 'webhook',
      name: event.eventType,
      detail: {
        eventId: event.eventId,
        occurredAt: new Date(event.occurredAt).toISOString(),
        ...(p.hangup_cause !== undefined ? { hangupCause: p.hangup_cause, hangupSource: p.hangup_source ?? null } : {}),
      },
    });
    const controlId = call.callControlId ?? event.callControlId;

    switch (event.eventType) {
      case 'call.initiated': {
        if (!call.callControlId && event.callControlId) await store.update(call.id, { callControlId: event.callControlId }, clock.now());
        return (await move(call, event, 'ringing')) ? 'applied' : 'stale';
      }
      case 'call.answered': {
        // Re-applied after a crash, the call is already in progress but its speak may never have gone out: send it
        // again under the same command id (the carrier ignores a repeat). Anything else is a late event.
        const answered = (await move(call, event, 'in_progress')) ?? (await store.getCall(call.id));
        if (answered?.status !== 'in_progress' || !controlId) return 'stale';
        const text = call.message ?? (await deps.jokes.next());
        const id = commandId('speak', event.eventId);
        const spoke = await command(call, 'speak', id, () => deps.telephony.speak(controlId, text, id), { text, source: call.message ? 'message' : 'joke' });
        if (!spoke) {
          // Nothing will be said: end the call rather than leave the callee in silence.
          const hangupId = commandId('hangup', event.eventId);
          await command(call, 'hangup', hangupId, () => deps.telephony.hangup(controlId, hangupId), { after: 'speak failed' });
        }
        return 'applied';
      }
      case 'call.speak.ended': {
        const current = await store.getCall(call.id);
        if (!current || isFinal(current.status) || !controlId) return 'stale';
        const id = commandId('hangup', event.eventId);
        await command(call, 'hangup', id, () => deps.telephony.hangup(controlId, id), {});
        return 'applied';
      }
      case 'call.hangup': {
        const { status, reason } = endingFor(p.hangup_cause);
        return (await move(call, event, status, reason)) ? 'applied' : 'stale';
      }
      default:
        return 'recorded';
    }
  };
}
export type EventHandler = ReturnType<typeof createEventHandler>;
