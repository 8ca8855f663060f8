import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { CallClaims, CallStore, DueEntry } from '../calls/call-store.ts';
import type { Call } from '../calls/call.ts';
import type { HungUp } from '../calls/carrier-event.ts';

/**
 * Telnyx reports its channel limit on the call leg: the dial is accepted, then the leg ends before any answer with
 * SIP `403 User channel limit exceeded` (Telnyx's concurrent-limits page). Which `hangup_cause` comes with it is not
 * documented: Telnyx's causes follow FreeSWITCH, which names a SIP 403 `call_rejected`, and `unspecified` has been
 * seen too, so any cause goes. The same SIP code has other causes too: the handler below also asks whether any
 * channel was held by another call of ours.
 */
export function isChannelLimitRefusal(event: HungUp): boolean {
  return event.sipCause === '403';
}

/**
 * The hung-up hook for a call not yet answered: a channel-limit refusal is not the callee's answer, so the call goes
 * back to the queue (`scheduled`, due after a back-off that doubles per refusal) instead of ending `failed`, and
 * the queue shrinks its concurrency. This is the one sanctioned move backwards (docs/the-call.md); the timeline says why.
 * After `maxRequeues` refusals the call ends `failed` with the carrier's reason. Returns true when it handled the event.
 */
export function createChannelRefusalHandler(deps: {
  store: CallStore & CallClaims;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  /** The queue: takes the call back, and learns that the account has fewer channels than we thought. */
  queue: { scheduled(entry: DueEntry): void; channelRefused(): void };
  channelFreed: () => void;
  options: { backoffMs: number; maxRequeues: number };
}) {
  const { store, clock } = deps;

  /** Back to the queue after a back-off (or `failed` after too many refusals); `how` names the refusal's form. */
  async function requeue(call: Call, how: string): Promise<boolean> {
    deps.queue.channelRefused();
    // `attempt` counts claims; every claim after the first of this call followed a refusal.
    const refusals = call.attempt;
    if (refusals > deps.options.maxRequeues) {
      const failed = await store.transition(call.id, [call.status], 'failed', clock.now(), {
        reason: `the carrier refused ${refusals} dials for want of a channel (${how})`,
      });
      if (failed) {
        deps.metrics?.channelRefusals.inc({ outcome: 'failed' });
        deps.metrics?.callsEnded.inc({ status: 'failed' });
        deps.channelFreed();
      }
      return true;
    }
    const delay = deps.options.backoffMs * 2 ** Math.min(refusals - 1, 6);
    const dueAt = clock.now() + delay;
    const requeued = await store.requeue(
      call.id,
      [call.status],
      dueAt,
      clock.now(),
      `the carrier's channel limit was reached (${how}): back in the queue for attempt ${refusals + 1} in ${Math.round(delay / 1000)} s`,
    );
    if (!requeued) return false;
    deps.metrics?.channelRefusals.inc({ outcome: 'requeued' });
    deps.logger.info({ callId: call.id, attempt: refusals, delayMs: delay, how }, 'channel limit: call requeued');
    deps.queue.scheduled({ id: call.id, dueAt });
    deps.channelFreed();
    return true;
  }

  async function onHungUpBeforeAnswer(call: Call, event: HungUp): Promise<boolean> {
    if (!isChannelLimitRefusal(event) || (call.status !== 'dialing' && call.status !== 'ringing')) return false;
    // Telnyx answers 403 for more than the channel limit (a caller id it does not accept, a destination the account
    // may not call, a reserved header). A channel limit refuses a leg only while other legs hold the channels: with
    // no other call of ours live, it is none of ours to wait out, and the call ends `failed` with the SIP cause
    // instead of being dialed again and again (and shrinking the queue's concurrency).
    if ((await store.countLive()) - 1 < 1) {
      deps.logger.warn({ callId: call.id }, 'SIP 403 with no other call of ours live: not the channel limit, the call ends');
      return false;
    }
    return requeue(call, 'SIP 403');
  }

  /**
   * A dial the carrier refused in so many words for the channel limit (an API error rather than a SIP 403 on the
   * leg): the words leave no doubt, so it goes back to the queue whatever else is live (other applications on the
   * account may hold the channels). True when handled.
   */
  async function onDialRefused(call: Call, reason: string): Promise<boolean> {
    if (call.status !== 'dialing') return false;
    return requeue(call, `dial refused: ${reason}`);
  }

  return Object.assign(onHungUpBeforeAnswer, { onDialRefused });
}

export type ChannelRefusalHandler = ReturnType<typeof createChannelRefusalHandler>;
