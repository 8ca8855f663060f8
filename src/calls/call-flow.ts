import type { Clock, TimerHandle } from '../kernel/clock.ts';
import type { JokeSource } from './joke-source.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { CallStore } from './call-store.ts';
import { OPTED_OUT_REASON } from './reasons.ts';
import type { DoNotCallList } from './do-not-call-list.ts';
import { MAX_SPEECH_CHARS, TelephonyError, type Telephony } from './carrier.ts';
import type { Call } from './call.ts';
import type { DigitsGathered } from './carrier-event.ts';
import { commandId } from './command-id.ts';

export const MENU = 'Press 1 for another joke. Press 9 to stop calls to this number.';
export const GOODBYE = 'Thanks for listening. Goodbye!';
export const LAST_JOKE = 'That was the last joke for this call. Goodbye!';
export const OPTED_OUT = 'This number will not be called again. Goodbye.';
/** Jokes (the message counting as the first) one call may tell. */
export const MAX_JOKES = 3;
/** The timeline note that a prompt was cancelled by the carrier when detection finished (Telnyx's `cancelled_amd`). */
export const CANCELLED_BY_DETECTION = 'speech.cancelled-by-detection';
/** Prompts cancelled by detection that are said again; one more cancellation hangs up rather than loop. */
const MAX_REPEATS = 1;

/** What the carrier's refusal claimed about the call (a code no public source confirms: see `confirm` below). */
function refusalOf(err: unknown): 'not_answered_yet' | 'call_ended' | undefined {
  if (!(err instanceof TelephonyError)) return undefined;
  return err.refusal === 'not_answered_yet' || err.refusal === 'call_ended' ? err.refusal : undefined;
}

/** What one step of the call says; its name is part of its command id, so a step is sent once per call. */
type Step = `menu-${number}` | 'message' | 'goodbye' | 'opted-out';

/** Text plus what follows it, within Telnyx's limit per prompt: the text gives way, never the menu. */
export function fit(text: string, after = ''): string {
  const joined = after ? `${text} ${after}` : text;
  if (joined.length <= MAX_SPEECH_CHARS) return joined;
  const room = MAX_SPEECH_CHARS - (after ? after.length + 1 : 0) - 1;
  const cut = text.slice(0, room);
  const space = cut.lastIndexOf(' ');
  return `${space > room / 2 ? cut.slice(0, space) : cut}…${after ? ` ${after}` : ''}`;
}

/**
 * What the callee hears, step by step (docs/the-call.md): the message or a joke, then the menu (1: another
 * joke, at most {@link MAX_JOKES}; 9: the do-not-call list, confirmed by voice; nothing: goodbye), then a hangup.
 * A machine hears the message alone. Command ids derive from the call and the step, and the timeline records each
 * step sent, so an event delivered twice (or re-sent under a new event id) never says anything twice.
 */
export function createCallFlow(deps: {
  store: CallStore & DoNotCallList;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  telephony: Telephony;
  jokes: JokeSource;
  menuTimeoutMs: number;
  /** A number opted out: whatever else would call it (its schedules) ends; returns how many ended. */
  onOptedOut?: (number: string, at: number, reason: string) => Promise<number>;
  /**
   * The longest a machine's message waits for the carrier's "greeting ended" after detection called it a machine:
   * in `detect_beep` and `premium` Telnyx sends that event only when it hears a beep. 0 waits for the event alone.
   */
  greetingWaitMs?: number;
  /** Runs work on the call's event chain (the inbox worker's), so a timer never speaks while a webhook is applied. */
  serialise?: <T>(callId: string, work: () => Promise<T>) => Promise<T>;
}) {
  const { store, clock } = deps;
  /** The pending bounded waits for a greeting's end, one per call at most: bounded by the live calls. */
  const waits = new Map<string, TimerHandle>();
  let stopped = false;
  const onChain = <T>(callId: string, work: () => Promise<T>) => (deps.serialise ? deps.serialise(callId, work) : work());

  /**
   * The speaking steps (speak and gather, not hangups) sent to the carrier for this call, in order, each with the
   * time of the menu answer that led to it, if one did: `live` leaves out those the carrier cancelled when detection
   * finished (nobody heard them), `cancelled` counts those.
   */
  async function history(callId: string): Promise<{ live: { step: string; answers: unknown; text: unknown }[]; cancelled: number; unheard: string | undefined }> {
    const events = await store.listEvents(callId);
    const live: { step: string; answers: unknown; text: unknown }[] = [];
    let cancelled = 0;
    let unheard: string | undefined;
    for (const e of events) {
      if (e.kind === 'command' && (e.name === 'speak' || e.name === 'gather') && typeof e.detail?.step === 'string') {
        live.push({ step: e.detail.step, answers: e.detail.answers, text: e.detail.text });
      } else if (e.kind === 'note' && e.name === CANCELLED_BY_DETECTION) {
        cancelled += 1;
        const at = live.map((x) => x.step).lastIndexOf(String(e.detail?.step));
        if (at >= 0) {
          const [gone] = live.splice(at, 1);
          if (typeof gone?.text === 'string') unheard = gone.text.endsWith(` ${MENU}`) ? gone.text.slice(0, -MENU.length - 1) : gone.text;
        }
      }
    }
    return { live, cancelled, unheard };
  }
  const sent = async (callId: string) => (await history(callId)).live;
  const stepsSent = async (callId: string) => (await sent(callId)).map((s) => s.step);

  async function send(
    call: Call,
    name: string,
    step: string,
    work: (id: string) => Promise<void>,
    detail: Record<string, unknown> = {},
    repeat = 0,
  ): Promise<true | { refused: unknown }> {
    // Words the carrier refused outright (a 4xx: nothing was said) may have spent their command_id there — Telnyx
    // does not say — so the step's next try gets a new one; a crash retry, with no refusal on record, keeps the same.
    // A hangup keeps its id: refused, the call had ended already, and a repeat can only be refused again.
    const refusals =
      name === 'hangup'
        ? 0
        : (await store.listEvents(call.id)).filter(
            (e) => e.kind === 'error' && e.name === `${name}.failed` && e.detail?.step === step && typeof e.detail.status === 'number' && e.detail.status < 500,
          ).length;
    // A step said again after the carrier cancelled it gets its own id too (the first one was taken).
    const again = repeat > 0 ? ['again', repeat] : [];
    const id = refusals === 0 ? commandId(name, call.id, step, ...again) : commandId(name, call.id, step, ...again, 'after-refusal', refusals);
    try {
      await work(id);
    } catch (err) {
      const reason = err instanceof TelephonyError ? err.message : 'the carrier could not be reached';
      if (!(err instanceof TelephonyError)) deps.logger.error({ err, callId: call.id }, `${name} failed unexpectedly`);
      await store.appendEvent({
        callId: call.id,
        at: clock.now(),
        kind: 'error',
        name: `${name}.failed`,
        detail: { commandId: id, step, reason, status: err instanceof TelephonyError ? (err.status ?? null) : null },
      });
      return { refused: err };
    }
    // Recorded once the carrier took it: a crash before this line sends it again under the same id (a no-op there).
    await store.appendEvent({ callId: call.id, at: clock.now(), kind: 'command', name, detail: { commandId: id, step, ...detail } });
    return true;
  }

  /**
   * The carrier's own record of a leg: `gone` when it has ended or is unknown (no record), `alive` while it lives,
   * `unknown` when the carrier could not be asked.
   */
  async function confirm(controlId: string): Promise<'gone' | 'alive' | 'unknown'> {
    try {
      const status = await deps.telephony.callStatus(controlId);
      if (!status || status.ended) return 'gone';
      return 'alive';
    } catch (err) {
      deps.logger.warn({ err }, 'the call status could not confirm a refusal');
      return 'unknown';
    }
  }

  /** Ends the call at the carrier; `after` names why, and keeps the command id apart from other hangups. */
  async function hangup(call: Call, after: string): Promise<void> {
    const controlId = call.callControlId;
    if (!controlId) return;
    await send(call, 'hangup', `hangup-${after}`, (id) => deps.telephony.hangup(controlId, id), { after });
  }

  /**
   * Says `text` as a step; when the carrier refuses, hangs up rather than leave the callee in silence. When the answer
   * was only guessed (the reconciler's: alive past its ring timeout, the webhook lost) and the carrier says the leg is
   * not answered yet, it is still ringing: it goes back to `ringing` and is not hung up (that would cut off the phone).
   */
  async function say(
    call: Call,
    step: Step,
    text: string,
    menu: boolean,
    detail: { source: string; answers?: number },
    answerGuessed = false,
    repeat = 0,
  ): Promise<boolean> {
    const controlId = call.callControlId;
    if (!controlId) return false;
    const spoke = menu
      ? await send(call, 'gather', step, (id) => deps.telephony.gather(controlId, { text, validDigits: '19', timeoutMs: deps.menuTimeoutMs }, id), { text, ...detail }, repeat)
      : await send(call, 'speak', step, (id) => deps.telephony.speak(controlId, text, id), { text, ...detail }, repeat);
    if (spoke === true) return true;
    const claim = refusalOf(spoke.refused);
    if (claim) {
      // "Not answered yet" (90034) and "already ended" (90018) decide nothing alone: the call's status confirms them.
      const status = await confirm(controlId);
      if (status === 'gone') {
        await store.appendEvent({
          callId: call.id,
          at: clock.now(),
          kind: 'note',
          name: 'carrier.no-live-call',
          detail: { step, reason: 'the carrier has no live call: its hangup webhook or the reconciler ends it' },
        });
        return false;
      }
      // Only a guessed answer can be wrong about the leg: it still rings (or cannot be asked: hanging up could cut
      // off a ringing phone; the reconciler asks again next round).
      if (answerGuessed && claim === 'not_answered_yet') {
        await store.transition(call.id, ['in_progress'], 'ringing', clock.now(), { reason: 'the carrier says the call is not answered yet: it still rings' });
        return false;
      }
    }
    await hangup(call, `${step}-failed`);
    return false;
  }

  const menus = (steps: string[]) => steps.filter((s) => s.startsWith('menu-')).length;
  const isLastWord = (step: string | undefined) => step === 'message' || step === 'goodbye' || step === 'opted-out';

  return {
    hangup,

    /**
     * The first words, once: the message (or a joke) with the menu; a machine gets the message alone. False when
     * something was said already (a repeated answer, a late detection) or nothing could be.
     */
    async speakFirst(call: Call, answerGuessed = false): Promise<boolean> {
      const { live, cancelled, unheard } = await history(call.id);
      if (live.length > 0) return false;
      // Everything said so far was cancelled by the carrier as detection finished: say it again, once; cancelled
      // again, the call is hung up rather than left in silence or looping.
      if (cancelled > MAX_REPEATS) {
        await hangup(call, 'cancelled-by-detection');
        return false;
      }
      // Said again, it is the same words (the same joke), not a new one.
      const text = call.message ?? unheard ?? (await deps.jokes.next());
      const source = call.message ? 'message' : 'joke';
      if (call.answeredBy === 'machine') return say(call, 'message', fit(text), false, { source }, answerGuessed, cancelled);
      return say(call, 'menu-1', fit(text, MENU), true, { source }, answerGuessed, cancelled);
    },

    /**
     * The carrier cancelled the prompt under way as detection finished (`cancelled_amd`): nobody heard it. It is
     * noted as unheard (so `speakFirst` may say it again), and said again now when detection's verdict is already in
     * and no greeting is awaited; otherwise the verdict, the greeting's end or the bounded wait says it.
     */
    async cancelledByDetection(call: Call, awaitingGreeting: boolean): Promise<void> {
      const steps = await stepsSent(call.id);
      const step = steps[steps.length - 1];
      if (step === undefined) return;
      await store.appendEvent({
        callId: call.id,
        at: clock.now(),
        kind: 'note',
        name: CANCELLED_BY_DETECTION,
        detail: { step, reason: 'the carrier cancelled the prompt when answering-machine detection finished: it is said again' },
      });
      // Only the first words are said again; a later step cancelled ends the call, never silence.
      if (steps.length > 1) {
        await hangup(call, 'cancelled-by-detection');
        return;
      }
      if (call.answeredBy !== null && !awaitingGreeting) await this.speakFirst(call);
    },

    /**
     * Detection called it a fax: nothing we say can be heard, so the call is hung up without a word (noted).
     */
    async faxDetected(call: Call): Promise<void> {
      await store.appendEvent({ callId: call.id, at: clock.now(), kind: 'note', name: 'fax', detail: { reason: 'a fax answered: hung up without a word' } });
      await hangup(call, 'fax');
    },

    /**
     * A key pressed (or not) at the menu, the carrier's report of it made at `occurredAt`. A report of the same
     * moment seen again (re-sent under a new event id) has already been answered and is ignored.
     */
    async digits(call: Call, event: DigitsGathered, occurredAt: number): Promise<void> {
      const done = await sent(call.id);
      const steps = done.map((s) => s.step);
      const told = menus(steps);
      if (done.some((s) => s.answers === occurredAt)) return;
      // Only a menu we offered and have not moved past can be answered; a hangup or cancel needs nothing said.
      if (told === 0 || isLastWord(steps[steps.length - 1]) || event.status === 'hangup' || event.status === 'cancelled') return;
      const answers = occurredAt;
      const key = event.status === 'valid' ? event.digits.slice(0, 1) : '';
      deps.metrics?.menuChoices.inc({ choice: key === '9' ? 'opted_out' : key === '1' ? 'another_joke' : 'nothing' });
      if (key === '9') {
        await store.addDoNotCall({ number: call.to, addedAt: clock.now(), callId: call.id });
        // Every schedule to the number ends too (before its occurrences are canceled, so none is made again).
        const schedulesEnded = (await deps.onOptedOut?.(call.to, clock.now(), OPTED_OUT_REASON)) ?? 0;
        // Calls already scheduled to the number end now, so the page shows it; the claim refuses any it misses.
        const canceled = await store.cancelScheduledTo(call.to, clock.now(), OPTED_OUT_REASON);
        await store.appendEvent({
          callId: call.id,
          at: clock.now(),
          kind: 'note',
          name: 'do-not-call',
          detail: { reason: 'the callee pressed 9', scheduledCallsCanceled: canceled.length, schedulesEnded },
        });
        await say(call, 'opted-out', OPTED_OUT, false, { source: 'opted-out', answers });
      } else if (key === '1' && told < MAX_JOKES) {
        await say(call, `menu-${told + 1}`, fit(await deps.jokes.next(), MENU), true, { source: 'joke', answers });
      } else {
        await say(call, 'goodbye', key === '1' ? LAST_JOKE : GOODBYE, false, { source: 'goodbye', answers });
      }
    },

    /** A plain speech ended: after the last words, hang up. (A menu's prompt ending waits for its key.) */
    async speechEnded(call: Call): Promise<void> {
      const steps = await stepsSent(call.id);
      if (isLastWord(steps[steps.length - 1])) await hangup(call, 'last-words');
    },

    /**
     * For the carrier reconciler: a call in progress with nothing said yet (its detection or greeting webhook lost)
     * hears its first words now. False when the call is not in progress or was already spoken to, or when the carrier
     * says it is not answered yet (the reconciler's guess was wrong: it goes back to `ringing`, see `say`).
     */
    async nudge(callId: string): Promise<boolean> {
      const call = await store.getCall(callId);
      if (!call || call.status !== 'in_progress') return false;
      return this.speakFirst(call, true);
    },

    /**
     * Detection called it a machine and the greeting's end is awaited: if the carrier has not said so within
     * `greetingWaitMs` (a machine without a beep, in `detect_beep` or `premium`), the message is spoken then, and
     * the timeline says why. The reconciler's nudge stays the backstop should this process stop meanwhile.
     */
    async waitForGreeting(call: Call): Promise<void> {
      const waitMs = deps.greetingWaitMs ?? 0;
      if (stopped || waitMs <= 0 || waits.has(call.id) || (await stepsSent(call.id)).length > 0) return;
      await store.appendEvent({
        callId: call.id,
        at: clock.now(),
        kind: 'note',
        name: 'greeting.waiting',
        detail: { reason: `a machine: the message waits for its greeting to end, at most ${Math.round(waitMs / 1000)} s` },
      });
      const handle = clock.setTimeout(() => {
        waits.delete(call.id);
        if (stopped) return;
        onChain(call.id, () => this.greetingWaitOver(call.id)).catch((err: unknown) =>
          deps.logger.error({ err, callId: call.id }, 'speaking after the greeting wait failed'),
        );
      }, waitMs);
      waits.set(call.id, handle);
    },

    /** True while a bounded wait for the call's greeting is pending. */
    awaitingGreeting(callId: string): boolean {
      return waits.has(callId);
    },

    /** The greeting's end came (or the call moved on): its bounded wait is no longer needed. */
    greetingDone(callId: string): void {
      const handle = waits.get(callId);
      if (handle) clock.clearTimeout(handle);
      waits.delete(callId);
    },

    /** The bounded wait ran out with nothing said: the message is spoken now (noted in the timeline). */
    async greetingWaitOver(callId: string): Promise<boolean> {
      const call = await store.getCall(callId);
      if (!call || call.status !== 'in_progress' || (await stepsSent(callId)).length > 0) return false;
      await store.appendEvent({
        callId,
        at: clock.now(),
        kind: 'note',
        name: 'greeting.not-heard',
        detail: { reason: `no end of the greeting came within ${Math.round((deps.greetingWaitMs ?? 0) / 1000)} s (a machine without a beep?): the message is spoken now` },
      });
      return this.speakFirst({ ...call, answeredBy: call.answeredBy ?? 'machine' });
    },

    /** Cancels every pending wait; a wait that fires later does nothing. */
    stop(): void {
      stopped = true;
      for (const handle of waits.values()) clock.clearTimeout(handle);
      waits.clear();
    },

    /** True when nothing has been said on the call yet. */
    async silent(call: Call): Promise<boolean> {
      return (await stepsSent(call.id)).length === 0;
    },
  };
}
export type CallFlow = ReturnType<typeof createCallFlow>;
