import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { CallStore } from './call-store.ts';
import { isFinal, sourcesOf, type Call, type CallStatus } from './call.ts';
import type { CallFlow } from './call-flow.ts';
import type { CarrierEvent, CarrierNotice, HungUp } from './carrier-event.ts';

/**
 * How a hangup ends a call (docs/the-call.md). A normal clearing is `completed` only after an answer we heard of: before
 * one, nothing was said, so it is `failed` with the cause in words (the answer's webhook may have been lost, or the
 * far end cleared while ringing). The time limit after an answer is `completed` too, with the limit as the reason.
 */
export function endingFor(event: HungUp, answered: boolean): { status: CallStatus; reason: string | null } {
  const sip = event.sipCause ? ` (SIP ${event.sipCause})` : '';
  switch (event.ending) {
    case 'normal':
      return answered ? { status: 'completed', reason: null } : { status: 'failed', reason: `the call ended before it was answered: ${event.cause}${sip}` };
    case 'timeLimit':
      return answered ? { status: 'completed', reason: 'the call reached its time limit' } : { status: 'failed', reason: `the call ended: ${event.cause}${sip}` };
    case 'busy':
      return { status: 'busy', reason: 'the line was busy' };
    case 'noAnswer':
      return { status: 'no_answer', reason: 'nobody answered' };
    default:
      return { status: 'failed', reason: `the call ended: ${event.cause}${sip}` };
  }
}

/** What applying an event did, kept on the inbox row. */
export type Outcome = 'applied' | 'stale' | 'recorded' | 'unknown call';

/**
 * The "handle event" use-case: moves the call forward for each carrier event (read by the Telnyx adapter into our
 * own {@link CarrierEvent}) and lets the {@link CallFlow} say the next thing. Every webhook lands in the call's
 * timeline. An answer or detection for a call already final in our books is hung up: never silence on a live line.
 */
export function createEventHandler(deps: {
  store: CallStore;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  flow: CallFlow;
  channelFreed: () => void;
  /** True when the dial asks for answering-machine detection: the first words wait for its verdict. */
  detectsMachines: boolean;
  /** True when detection also reports the end of a machine's greeting: a machine hears the message after it. */
  waitsForGreeting: boolean;
  /**
   * A hangup before any answer, offered first to carrier reliability (a channel-limit refusal goes back to the
   * queue). True: handled there, the call is not ended here.
   */
  onHungUpBeforeAnswer?: (call: Call, event: HungUp) => Promise<boolean>;
  /** A call reached its ending (retries: a busy or unanswered try gets its next one). */
  onEnded?: (call: Call) => Promise<unknown>;
}) {
  const { store, clock, flow } = deps;

  async function ignore(callId: string, event: CarrierNotice, reason: string): Promise<void> {
    await store.appendEvent({ callId, at: clock.now(), kind: 'note', name: 'ignored', detail: { eventId: event.eventId, eventType: event.name, reason } });
  }

  async function move(call: Call, event: CarrierNotice, to: CallStatus, reason: string | null = null): Promise<Call | undefined> {
    // Never out of `scheduled`: a call waiting in the queue has no leg at the carrier, so no webhook is about it.
    const from = sourcesOf(to).filter((s) => s !== 'scheduled');
    const moved = await store.transition(call.id, from, to, clock.now(), reason ? { reason } : {});
    if (!moved) {
      const current = (await store.getCall(call.id))?.status ?? call.status;
      await ignore(call.id, event, `would move ${current} to ${to}`);
    } else if (isFinal(to)) {
      flow.greetingDone(call.id);
      deps.metrics?.callsEnded.inc({ status: to });
      deps.channelFreed();
      await deps.onEnded?.(moved);
    }
    return moved;
  }

  /** Any sign of a live call (initiated, answered, a detection) that our books call final: hang it up. */
  async function hangUpIfFinal(call: Call, carrierId: string | null): Promise<boolean> {
    if (!isFinal(call.status)) return false;
    await flow.hangup({ ...call, callControlId: call.callControlId ?? carrierId }, `final-${call.status}`);
    return true;
  }

  /** A detection, a greeting's end or a key implies an answer, even when the answer's own webhook was lost. */
  async function answered(call: Call, event: CarrierNotice): Promise<Call | undefined> {
    if (call.status === 'in_progress') return call;
    return (await move(call, event, 'in_progress')) ?? undefined;
  }

  /**
   * A prompt the carrier cancelled as detection finished: said again once the verdict (and a machine's greeting) is
   * in, never left silent (see `CallFlow.cancelledByDetection`).
   */
  async function cancelled(call: Call): Promise<void> {
    const awaiting = call.answeredBy === 'machine' && deps.waitsForGreeting && flow.awaitingGreeting(call.id);
    await flow.cancelledByDetection(call, awaiting);
  }

  async function apply(call: Call, event: CarrierNotice, what: CarrierEvent): Promise<Outcome> {
    switch (what.kind) {
      case 'initiated': {
        if (await hangUpIfFinal(call, event.callControlId)) return 'applied';
        return (await move(call, event, 'ringing')) ? 'applied' : 'stale';
      }
      case 'answered': {
        if (await hangUpIfFinal(call, event.callControlId)) return 'applied';
        const live = await answered(call, event);
        if (!live || deps.detectsMachines) return live ? 'applied' : 'stale';
        // No detection: whoever answered hears the first words at once.
        if (live.answeredBy === null) {
          await store.update(call.id, { answeredBy: 'unknown' }, clock.now());
          deps.metrics?.answeredBy.inc({ by: 'unknown' });
        }
        await flow.speakFirst({ ...live, answeredBy: live.answeredBy ?? 'unknown' });
        return 'applied';
      }
      case 'machineDetected': {
        if (await hangUpIfFinal(call, event.callControlId)) return 'applied';
        const live = await answered(call, event);
        if (!live) return 'stale';
        if (live.answeredBy === null) deps.metrics?.answeredBy.inc({ by: what.answeredBy });
        await store.update(call.id, { answeredBy: what.answeredBy }, clock.now());
        const known = { ...live, answeredBy: what.answeredBy };
        // A fax hears nothing: hung up without a word.
        if (what.heard === 'fax') {
          await flow.faxDetected(known);
          return 'applied';
        }
        // A machine waits for its greeting to end when the carrier may say so, for a bounded time (in detect_beep and
        // premium the carrier says so only on a beep). A person, silence or an unsure verdict hears the menu now:
        // whoever is there can still press a key.
        if (what.answeredBy === 'machine' && deps.waitsForGreeting) await flow.waitForGreeting(known);
        else await flow.speakFirst(known);
        return 'applied';
      }
      case 'greetingEnded': {
        if (await hangUpIfFinal(call, event.callControlId)) return 'applied';
        const live = await answered(call, event);
        if (!live) return 'stale';
        if (live.answeredBy !== 'machine') await store.update(call.id, { answeredBy: 'machine' }, clock.now());
        flow.greetingDone(call.id);
        await flow.speakFirst({ ...live, answeredBy: 'machine' });
        return 'applied';
      }
      case 'speechEnded': {
        if (!isFinal(call.status) && what.how === 'cancelledByDetection') {
          await cancelled(call);
          return 'applied';
        }
        // Cut short by the callee's hangup: the call is over, a hangup would only be refused.
        if (isFinal(call.status) || what.how !== 'completed') return 'stale';
        await flow.speechEnded(call);
        return 'applied';
      }
      case 'digitsGathered': {
        if (isFinal(call.status)) return 'stale';
        if (what.status === 'cancelledByDetection') {
          await cancelled(call);
          return 'applied';
        }
        await flow.digits(call, what, event.occurredAt);
        return 'applied';
      }
      case 'hungUp': {
        if (!isFinal(call.status) && call.status !== 'in_progress' && deps.onHungUpBeforeAnswer && (await deps.onHungUpBeforeAnswer(call, what))) {
          return 'applied';
        }
        const { status, reason } = endingFor(what, call.status === 'in_progress');
        return (await move(call, event, status, reason)) ? 'applied' : 'stale';
      }
      case 'other':
        return 'recorded';
    }
  }

  /**
   * True when the timeline named `leg` before the call's last claim: a leg of an earlier attempt (one refused for
   * the channel limit and requeued), never the current one, which the carrier creates only after that claim.
   */
  async function earlierLeg(callId: string, leg: string): Promise<boolean> {
    const events = await store.listEvents(callId);
    let lastClaim = -1;
    events.forEach((e, i) => {
      if (e.kind === 'status' && e.name === 'dialing') lastClaim = i;
    });
    return events.slice(0, Math.max(lastClaim, 0)).some((e) => e.detail?.callControlId === leg);
  }

  /** Why an event is not about the call's current leg, or null when it is. */
  async function notCurrent(call: Call, leg: string | null): Promise<string | null> {
    if (call.status === 'scheduled') return 'the call waits in the queue: a late event of an earlier attempt';
    if (!leg) return null;
    if (call.callControlId) return leg === call.callControlId ? null : `another leg than the current ${call.callControlId}`;
    return (await earlierLeg(call.id, leg)) ? 'a leg of an earlier attempt' : null;
  }

  return async function handleEvent(event: CarrierNotice): Promise<Outcome> {
    const call =
      (event.callId ? await store.getCall(event.callId) : undefined) ??
      (event.callControlId ? await store.findCallByControlId(event.callControlId) : undefined);
    if (!call) return 'unknown call';
    const leg = event.callControlId;
    await store.appendEvent({
      callId: call.id,
      at: clock.now(),
      kind: 'webhook',
      name: event.name,
      // The leg is kept so a late event of an earlier attempt can be told from the current one's.
      detail: { eventId: event.eventId, occurredAt: new Date(event.occurredAt).toISOString(), ...(leg ? { callControlId: leg } : {}), ...event.detail },
    });
    const stale = await notCurrent(call, leg);
    if (stale) {
      await ignore(call.id, event, stale);
      return 'stale';
    }
    // The dial's answer may have been lost: the first event that names the carrier's id fills it in.
    if (!call.callControlId && leg) {
      await store.update(call.id, { callControlId: leg }, clock.now());
      return apply({ ...call, callControlId: leg }, event, event.event);
    }
    return apply(call, event, event.event);
  };
}
export type EventHandler = ReturnType<typeof createEventHandler>;
