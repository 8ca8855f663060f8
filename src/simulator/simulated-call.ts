import type { Clock, TimerHandle } from '../clock.ts';
import type { AnsweredBy, FarEnd, FarEndReaction } from './far-end.ts';
import { GatherSession } from './gather-session.ts';
import type { GatherRequest } from './gather-session.ts';
import type { IdleTracker } from './idle-tracker.ts';
import { startMachineDetection } from './machine-detection.ts';
import type { DetectionRequest } from './machine-detection.ts';
import type { SimulatorKnobs } from './simulator-options.ts';

export type CallState = 'ringing' | 'answered' | 'ended';

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

export type SimulatedCallInit = {
  callControlId: string;
  callLegId: string;
  callSessionId: string;
  connectionId: string;
  from: string;
  to: string;
  clientState: string | null;
  ringTimeoutMs: number;
  /** The call is ended with `time_limit` this long after the answer. */
  timeLimitMs: number;
  farEnd: FarEnd;
  /** Answering-machine detection the dial asked for; undefined when it did not (or said `disabled`). */
  detection: DetectionRequest | undefined;
};

export type SimulatedCallDeps = {
  clock: Clock;
  knobs: () => Readonly<SimulatorKnobs>;
  idle: Pick<IdleTracker, 'begin'>;
  /** Hands an event to the webhook side; `isLast` marks the final event of the call. */
  emit: (call: SimulatedCall, eventType: string, payload: Record<string, unknown>, isLast: boolean) => void;
  onEnded: (call: SimulatedCall) => void;
};

type Playback = { kind: 'speak'; text: string } | { kind: 'gather'; request: GatherRequest };

/**
 * One call leg: its state and the timers that move it along (answer, speech, menus, detection, limits).
 * `schedule`, `emit` and the `record*` methods are for the call's behaviours (gather, detection), not for tests.
 */
export class SimulatedCall {
  readonly init: SimulatedCallInit;
  readonly startedAt: number;
  readonly spoken: string[] = [];
  readonly digitsPressed: string[] = [];
  readonly events: string[] = [];
  clientState: string | null;
  state: CallState = 'ringing';
  answeredAt: number | undefined;
  endedAt: number | undefined;
  hangupCause: string | undefined;
  hangupSource: string | undefined;
  readonly #deps: SimulatedCallDeps;
  readonly #timers = new Map<TimerHandle, () => void>();
  readonly #queue: Playback[] = [];
  #speaking: TimerHandle | undefined;
  #gather: GatherSession | undefined;
  #menus = 0;
  #lastOccurredMicros = 0;

  constructor(init: SimulatedCallInit, deps: SimulatedCallDeps) {
    this.init = init;
    this.#deps = deps;
    this.clientState = init.clientState;
    this.startedAt = deps.clock.now();
  }

  get callControlId(): string {
    return this.init.callControlId;
  }

  get knobs(): Readonly<SimulatorKnobs> {
    return this.#deps.knobs();
  }

  /** True while a gather is collecting (or prompting). */
  get gathering(): boolean {
    return this.#gather !== undefined;
  }

  /** Sends `call.initiated` and sets the far end going; called once the dial response is on its way. */
  begin(reaction: FarEndReaction): void {
    this.emit('call.initiated', { direction: 'outgoing', state: 'bridging', start_time: new Date(this.startedAt).toISOString() });
    const { answerDelayMs } = this.#deps.knobs();
    if (reaction === 'channel-limit') {
      this.schedule(0, () => this.end('unspecified', 'unknown', '403'), true);
      return;
    }
    this.schedule(this.init.ringTimeoutMs, () => this.end('timeout', 'unknown', '487'), true);
    if (reaction === 'answer') this.schedule(answerDelayMs, () => this.#answer(), true);
    if (reaction === 'busy') this.schedule(answerDelayMs, () => this.end('user_busy', 'callee', '486'), true);
    if (reaction === 'reject') this.schedule(answerDelayMs, () => this.end('call_rejected', 'callee', '603'), true);
  }

  /** Queues text to speak; speeches and gathers play one after another like Telnyx's playback queue. */
  speak(text: string): void {
    this.#enqueue({ kind: 'speak', text });
  }

  /** Queues a gather: its prompt plays when the queue reaches it, then the far end presses (or not). */
  gather(request: GatherRequest): void {
    this.#enqueue({ kind: 'gather', request });
  }

  /** Stops the running gather (`call.gather.ended` `cancelled`); false when none runs. */
  stopGather(): boolean {
    const gather = this.#gather;
    if (!gather) return false;
    gather.finish('cancelled');
    return true;
  }

  /** Our side hangs up: a cancel while ringing, a normal clearing once answered. */
  hangup(): void {
    if (this.state === 'ringing') this.end('originator_cancel', 'caller', '487');
    else this.end('normal_clearing', 'caller', 'unspecified');
  }

  /** Ends the call once: stops speech and gathers (reporting them cut short), cancels timers, sends `call.hangup`. */
  end(cause: string, source: string, sipCause: string): void {
    if (this.state === 'ended') return;
    if (this.#speaking !== undefined) {
      this.cancel(this.#speaking);
      this.#speaking = undefined;
      this.emit('call.speak.ended', { status: 'call_hangup' });
    }
    this.#queue.length = 0;
    this.#gather?.finish('call_hangup');
    this.dispose();
    this.state = 'ended';
    this.endedAt = this.#deps.clock.now();
    this.hangupCause = cause;
    this.hangupSource = source;
    this.emit(
      'call.hangup',
      { state: 'hangup', hangup_cause: cause, hangup_source: source, sip_hangup_cause: sipCause, start_time: new Date(this.startedAt).toISOString() },
      true,
    );
    this.#deps.onEnded(this);
  }

  /** Cancels every pending timer without sending anything; used when the simulator stops. */
  dispose(): void {
    for (const handle of [...this.#timers.keys()]) this.cancel(handle);
  }

  /**
   * Telnyx's `Call` resource for this leg, as retrieve-status returns it (the dial answer sets `is_alive` false).
   * `call_duration` is whole seconds since the answer (0 before it); `client_state` is left out when there is none,
   * as the SDK types it optional rather than nullable.
   */
  resource(): Record<string, unknown> {
    const alive = this.state !== 'ended';
    const durationMs = this.answeredAt === undefined ? 0 : (this.endedAt ?? this.#deps.clock.now()) - this.answeredAt;
    return {
      record_type: 'call',
      call_control_id: this.init.callControlId,
      call_leg_id: this.init.callLegId,
      call_session_id: this.init.callSessionId,
      ...(this.clientState === null ? {} : { client_state: this.clientState }),
      is_alive: alive,
      call_duration: Math.floor(durationMs / 1000),
      start_time: new Date(this.startedAt).toISOString(),
      ...(alive ? {} : { end_time: new Date(this.endedAt ?? this.startedAt).toISOString() }),
    };
  }

  snapshot(): CallSnapshot {
    return {
      callControlId: this.init.callControlId,
      callLegId: this.init.callLegId,
      callSessionId: this.init.callSessionId,
      connectionId: this.init.connectionId,
      to: this.init.to,
      from: this.init.from,
      dialClientState: this.init.clientState,
      state: this.state,
      startedAt: this.startedAt,
      answeredAt: this.answeredAt,
      answeredBy: this.answeredAt === undefined ? undefined : this.init.farEnd.answeredBy,
      endedAt: this.endedAt,
      hangupCause: this.hangupCause,
      hangupSource: this.hangupSource,
      spoken: [...this.spoken],
      digitsPressed: [...this.digitsPressed],
      events: [...this.events],
    };
  }

  /**
   * Telnyx stamps occurred_at with microseconds; keeping them strictly increasing per call means a receiver
   * ordering by occurred_at recovers emission order even when two events share a millisecond.
   */
  nextOccurredAt(): string {
    const micros = Math.max(this.#deps.clock.now() * 1000, this.#lastOccurredMicros + 1);
    this.#lastOccurredMicros = micros;
    const iso = new Date(Math.floor(micros / 1000)).toISOString();
    return `${iso.slice(0, -1)}${String(micros % 1000).padStart(3, '0')}Z`;
  }

  /** Records what the far end heard. */
  recordSpoken(text: string): void {
    this.spoken.push(text);
  }

  /** Records a key the far end pressed. */
  recordDigit(digit: string): void {
    this.digitsPressed.push(digit);
  }

  /**
   * Sends an event with the fields every Call Control webhook carries. `direction` is not among them: Telnyx's
   * spec has it on `call.initiated` only, which passes it in `extra`.
   */
  emit(eventType: string, extra: Record<string, unknown>, isLast = false): void {
    this.events.push(eventType);
    const payload = {
      call_control_id: this.init.callControlId,
      call_leg_id: this.init.callLegId,
      call_session_id: this.init.callSessionId,
      client_state: this.clientState,
      connection_id: this.init.connectionId,
      from: this.init.from,
      to: this.init.to,
      ...extra,
    };
    this.#deps.emit(this, eventType, payload, isLast);
  }

  /** Runs `fn` after `ms`; `progress` timers count towards `whenIdle` (they are the far end's next move). */
  schedule(ms: number, fn: () => void, progress: boolean): TimerHandle {
    const done = progress ? this.#deps.idle.begin() : () => undefined;
    const handle = this.#deps.clock.setTimeout(() => {
      this.#timers.delete(handle);
      try {
        fn();
      } finally {
        done();
      }
    }, ms);
    this.#timers.set(handle, done);
    return handle;
  }

  cancel(handle: TimerHandle): void {
    const done = this.#timers.get(handle);
    if (!done) return;
    this.#timers.delete(handle);
    this.#deps.clock.clearTimeout(handle);
    done();
  }

  #answer(): void {
    this.state = 'answered';
    this.answeredAt = this.#deps.clock.now();
    this.dispose();
    this.emit('call.answered', { state: 'answered', start_time: new Date(this.startedAt).toISOString() });
    if (this.init.detection) startMachineDetection(this, this.init.detection, this.init.farEnd.answeredBy);
    // Neither is progress: a test awaiting idleness should not wait out the callee's patience or the time limit.
    this.schedule(this.#deps.knobs().maxCallMs, () => this.end('normal_clearing', 'callee', 'unspecified'), false);
    this.schedule(this.init.timeLimitMs, () => this.end('time_limit', 'unknown', 'unspecified'), false);
  }

  #enqueue(item: Playback): void {
    this.#queue.push(item);
    if (this.#speaking === undefined && this.#gather === undefined) this.#playNext();
  }

  #playNext(): void {
    const item = this.#queue.shift();
    if (item === undefined || this.state === 'ended') return;
    if (item.kind === 'gather') {
      const menuIndex = this.#menus++;
      this.#gather = new GatherSession(this, item.request, this.init.farEnd.digitAt(menuIndex), () => {
        this.#gather = undefined;
        this.#playNext();
      });
      this.#gather.start();
      return;
    }
    this.recordSpoken(item.text);
    this.emit('call.speak.started', {});
    const ms = Math.max(1, Math.round(item.text.length * this.#deps.knobs().speakMsPerChar));
    this.#speaking = this.schedule(
      ms,
      () => {
        this.#speaking = undefined;
        this.emit('call.speak.ended', { status: 'completed' });
        this.#playNext();
      },
      true,
    );
  }
}
