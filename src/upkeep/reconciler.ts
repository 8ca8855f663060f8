import { LIVE_STATUSES, type Call } from '../calls/call.ts';
import { timeSlices } from '../kernel/background.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { CallStore } from '../calls/call-store.ts';
import type { CarrierCall, Telephony } from '../calls/carrier.ts';
import { commandId } from '../calls/command-id.ts';
import { positionOf } from '../calls/input/list-cursor.ts';
import { OUTCOME_UNKNOWN_REASON } from '../calls/reasons.ts';

export type ReconcileOptions = {
  ringTimeoutMs: number;
  timeLimitMs: number;
  /** How long after its claim a dial may still be under way (retries inside the command_id window). */
  dialWindowMs: number;
  unknownGraceMs: number;
  silentAfterMs: number;
  hangupGraceMs: number;
};

/** What one round did, for logs and tests. */
export type ReconcileReport = {
  checked: number;
  ended: number;
  answered: number;
  nudged: number;
  hungUp: number;
  unknownFailed: number;
  found: number;
  /** Calls the carrier could not be asked about this round (left for the next). */
  errors: number;
  /** Calls seen ended at the carrier and still live here: the next round, {@link ENDED_SLACK_MS} on, ends them. */
  pendingEnds: number;
};

/**
 * A call the carrier calls ended is ended by us only when a later round still finds it live this long after the
 * first sighting: its own hangup webhook, usually a few milliseconds behind, gives the truer ending.
 */
export const ENDED_SLACK_MS = 1500;

/** Live calls read from the store at a time. */
const PAGE = 200;

/** Lets timers and I/O run: a round over many calls never holds the event loop for long. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A call still ringing this long after its ring timeout began cannot be ringing: the carrier's clock starts a little after the dial's acceptance. */
const RING_SLACK_MS = 2000;

/**
 * Compares the calls we think are live with the carrier's own record, so a lost webhook, a crash or an outage
 * costs seconds, not a channel for half an hour:
 * - ended at the carrier (or unknown to it) → our row ends, its channel is freed;
 * - alive past its ring timeout (counted from the dial's acceptance, see `ringAge`) while we still think it rings →
 *   it was answered and the webhook was lost: it moves to `in_progress` and the call flow speaks to it (`nudge`; a
 *   leg the carrier says is not answered yet goes back to `ringing` there, and is asked about again next round);
 * - answered and quiet for too long → nudged (its machine-detection or speech webhook was lost);
 * - alive past ring timeout + time limit + grace → hung up at the carrier (Telnyx's own time limit failed us);
 * - a dial whose outcome is unknown is looked up in the connection's active calls by its client_state; found, it
 *   gets its carrier id; absent after a grace period, it ends `failed` ("outcome unknown").
 */
export function createReconciler(deps: {
  store: CallStore;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  telephony: Telephony;
  channelFreed: () => void;
  /** True while this process is still dialing the call (its outcome is not in yet). */
  isDialing: (callId: string) => boolean;
  /** Calls some instance (this one or another on the database) holds a live dial lease on: still being dialed. */
  leasedDials?: (now: number) => Promise<Set<string>>;
  /** The call flow's "speak now if nothing was said yet"; true when it spoke. */
  nudge: (callId: string) => Promise<boolean>;
  options: ReconcileOptions;
}) {
  const { store, clock, logger, options } = deps;
  /** When each call was first seen ended at the carrier; entries go when the call is settled (bounded by live calls). */
  const seenEnded = new Map<string, number>();
  const count = (action: string) => deps.metrics?.reconciled.inc({ action });

  const note = (call: Call, name: string, detail: Record<string, unknown>) =>
    store.appendEvent({ callId: call.id, at: clock.now(), kind: 'note', name, detail });

  /**
   * A live call with no carrier id that no dial of ours is still working on: past `dialing` (a webhook moved it
   * on without its id reaching the row), or dialing with an unknown outcome, or dialing long after any retry.
   */
  function unsettledDial(call: Call, now: number, leased: Set<string>): boolean {
    if (call.callControlId || deps.isDialing(call.id) || leased.has(call.id)) return false;
    if (call.status !== 'dialing') return true;
    return call.reason === OUTCOME_UNKNOWN_REASON || (call.claimedAt ?? 0) + options.dialWindowMs + options.unknownGraceMs < now;
  }

  /**
   * How long the call's leg has been ringing (or alive): counted from the dial's acceptance, since a slow or retried
   * dial can spend most of the command_id window before the carrier starts ringing; failing that, from the first sign
   * of the leg after the call's last claim (a webhook, the reconciler finding it); failing that, from the claim. The
   * timeline is read only once the claim itself is old enough for the answer to matter.
   */
  async function ringAge(call: Call, now: number): Promise<number> {
    const claimed = call.claimedAt ?? call.updatedAt;
    if (now - claimed <= options.ringTimeoutMs + RING_SLACK_MS) return now - claimed;
    const events = await store.listEvents(call.id);
    let lastClaim = 0;
    events.forEach((e, i) => {
      if (e.kind === 'status' && e.name === 'dialing') lastClaim = i;
    });
    const first = events
      .slice(lastClaim)
      .find((e) => e.kind === 'webhook' || (e.kind === 'command' && e.name === 'dial.accepted') || (e.kind === 'note' && e.name === 'reconcile.found'));
    return now - Math.max(claimed, first?.at ?? claimed);
  }

  async function endAt(call: Call, report: ReconcileReport): Promise<void> {
    const first = seenEnded.get(call.id);
    if (first === undefined) seenEnded.set(call.id, clock.now());
    if (first === undefined || clock.now() - first < ENDED_SLACK_MS) return;
    seenEnded.delete(call.id);
    const answered = call.status === 'in_progress';
    const ended = await store.transition(call.id, [call.status], answered ? 'completed' : 'failed', clock.now(), {
      reason: answered
        ? 'ended at the carrier; its hangup webhook never arrived'
        : 'the carrier ended the call before any answer reached us (its webhooks were lost)',
    });
    if (!ended) return;
    report.ended += 1;
    count('ended');
    deps.metrics?.callsEnded.inc({ status: ended.status });
    deps.channelFreed();
  }

  async function settleAlive(call: Call, carrier: CarrierCall, report: ReconcileReport): Promise<void> {
    const now = clock.now();
    const age = await ringAge(call, now);
    if (age > options.ringTimeoutMs + options.timeLimitMs + options.hangupGraceMs) {
      const id = commandId('hangup', call.id, call.attempt, 'over-time-limit');
      await note(call, 'reconcile.hangup', { callControlId: carrier.callControlId, commandId: id, ageMs: age });
      await deps.telephony.hangup(carrier.callControlId, id);
      report.hungUp += 1;
      count('hung_up');
      return;
    }
    if ((call.status === 'dialing' || call.status === 'ringing') && age > options.ringTimeoutMs + RING_SLACK_MS) {
      const moved = await store.transition(call.id, [call.status], 'in_progress', now);
      if (moved) {
        await note(call, 'reconcile.answered', { reason: 'alive at the carrier past its ring timeout: answered, its webhook lost' });
        report.answered += 1;
        count('answered');
        if (await deps.nudge(call.id)) {
          report.nudged += 1;
          count('nudged');
        }
      }
      return;
    }
    if (call.status === 'in_progress' && now - call.updatedAt > options.silentAfterMs && (await deps.nudge(call.id))) {
      await note(call, 'reconcile.nudged', { reason: `answered and nothing said for ${Math.round((now - call.updatedAt) / 1000)} s` });
      report.nudged += 1;
      count('nudged');
    }
  }

  /** A live call with no carrier id, looked up in the carrier's active calls by its client_state. */
  async function settleWithoutId(call: Call, found: CarrierCall | undefined, now: number, report: ReconcileReport): Promise<void> {
    if (found) {
      await store.update(call.id, { callControlId: found.callControlId, reason: null }, clock.now());
      await note(call, 'reconcile.found', { callControlId: found.callControlId });
      report.found += 1;
      count('found');
      await settleAlive({ ...call, callControlId: found.callControlId }, found, report);
    } else if (call.status !== 'dialing') {
      // Answered or ringing by its webhooks, no longer listed by the carrier: it ended.
      await endAt(call, report);
    } else if (now - call.updatedAt >= options.unknownGraceMs) {
      const failed = await store.transition(call.id, ['dialing'], 'failed', clock.now(), { reason: 'dial outcome unknown: the carrier has no such call' });
      if (!failed) return;
      report.unknownFailed += 1;
      count('unknown_failed');
      deps.metrics?.callsEnded.inc({ status: 'failed' });
      deps.channelFreed();
    }
  }

  /**
   * True when the call needs the carrier's word this round: a dial without a carrier id (`unsettledDial`), a leg
   * still ringing in our books past its ring timeout (its answer or hangup lost), an answered call quiet for
   * `silentAfterMs` (nothing said, its hangup lost, or over its time limit), or one seen ended at the carrier last
   * round. Every other live call is left alone: its own webhooks are due, and asking about it would cost a request
   * per live call per round.
   */
  function needsWord(call: Call, now: number, leased: Set<string>): boolean {
    if (!call.callControlId) return unsettledDial(call, now, leased);
    if (seenEnded.has(call.id)) return true;
    if (call.status === 'in_progress') return now - call.updatedAt > options.silentAfterMs;
    return now - (call.claimedAt ?? call.updatedAt) > options.ringTimeoutMs + RING_SLACK_MS;
  }

  async function settleWithId(call: Call & { callControlId: string }, now: number, report: ReconcileReport): Promise<void> {
    report.checked += 1;
    try {
      const carrier = await deps.telephony.callStatus(call.callControlId);
      // Not alive without an end is trusted only once the call could no longer be ringing (see CarrierCall.ended).
      const over =
        !carrier ||
        carrier.ended ||
        (!carrier.alive && (call.status === 'in_progress' || (await ringAge(call, now)) > options.ringTimeoutMs + RING_SLACK_MS));
      if (over) {
        await endAt(call, report);
      } else {
        seenEnded.delete(call.id);
        if (carrier.alive) await settleAlive(call, carrier, report);
      }
    } catch (err) {
      report.errors += 1;
      logger.warn({ err, callId: call.id }, 'reconcile: the carrier could not be asked about a call');
    }
  }

  /**
   * Every live call, read a page of {@link PAGE} at a time (the store's own keyset paging) with a turn of the event
   * loop between pages: one read of 10,000 live rows held the loop for about 50 ms. A call that changes status between
   * two pages may be missed or read twice; the next round sees it again.
   */
  async function liveCalls(): Promise<Call[]> {
    const all: Call[] = [];
    const seen = new Set<string>();
    let after: ReturnType<typeof positionOf> | undefined;
    for (;;) {
      const page = await store.listCalls({ statuses: LIVE_STATUSES, after, limit: PAGE });
      for (const call of page) {
        if (!seen.has(call.id)) all.push(call);
        seen.add(call.id);
      }
      const last = page[page.length - 1];
      if (page.length < PAGE || !last) return all;
      after = positionOf(last);
      await turn();
    }
  }

  /**
   * One round over the live calls that need the carrier's word (see `needsWord`), in slices of a few milliseconds
   * ({@link timeSlices}) with a turn of the event loop between them, so a round over thousands of live calls never holds the loop for long.
   * Errors asking about one call leave it for the next round.
   */
  async function reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { checked: 0, ended: 0, answered: 0, nudged: 0, hungUp: 0, unknownFailed: 0, found: 0, errors: 0, pendingEnds: 0 };
    const now = clock.now();
    const live = await liveCalls();
    const liveIds = new Set<string>();
    for (const call of live) liveIds.add(call.id);
    for (const id of seenEnded.keys()) if (!liveIds.has(id)) seenEnded.delete(id);
    // Another instance's dial under way is left alone, like our own: its lease says so.
    const leased = live.some((call) => !call.callControlId) && deps.leasedDials ? await deps.leasedDials(now) : new Set<string>();
    const due: Call[] = [];
    const slices = timeSlices();
    for (const call of live) {
      await slices.pause();
      if (needsWord(call, now, leased)) due.push(call);
    }
    const unsettled = due.filter((call) => !call.callControlId);
    let active: Map<string, CarrierCall> | undefined;
    if (unsettled.length > 0) {
      try {
        active = new Map((await deps.telephony.activeCalls()).flatMap((c) => (c.callId ? [[c.callId, c] as const] : [])));
      } catch (err) {
        logger.warn({ err }, 'reconcile: the carrier did not list its active calls');
        report.errors += unsettled.length;
      }
    }
    for (let i = 0; i < due.length; i++) {
      await slices.pause();
      const call = due[i] as Call;
      const controlId = call.callControlId;
      if (controlId) {
        await settleWithId({ ...call, callControlId: controlId }, now, report);
        continue;
      }
      if (!active) continue;
      report.checked += 1;
      await settleWithoutId(call, active.get(call.id), now, report).catch((err: unknown) => {
        report.errors += 1;
        logger.warn({ err, callId: call.id }, 'reconcile: settling a call without a carrier id failed');
      });
    }
    report.pendingEnds = seenEnded.size;
    if (report.ended + report.answered + report.nudged + report.hungUp + report.unknownFailed + report.found > 0) {
      logger.info({ ...report }, 'reconciled calls with the carrier');
    }
    return report;
  }

  return { reconcile };
}
export type Reconciler = ReturnType<typeof createReconciler>;
