import type { Clock, TimerHandle } from '../clock.ts';
import type { IdleTracker } from './idle-tracker.ts';
import type { SimulatorKnobs } from './simulator-options.ts';

/** How the far end reacts once the call is ringing. `none` rings until the ring timeout. */
export type FarEndReaction = 'answer' | 'busy' | 'reject' | 'none' | 'channel-limit';

export type CallState = 'ringing' | 'answered' | 'ended';

/** What a test can see of a simulated call. */
export type CallSnapshot = {
  callControlId: string;
  callLegId: string;
  callSessionId: string;
  to: string;
  from: string;
  state: CallState;
  hangupCause: string | undefined;
  hangupSource: string | undefined;
  spoken: readonly string[];
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
};

export type SimulatedCallDeps = {
  clock: Clock;
  knobs: () => Readonly<SimulatorKnobs>;
  idle: Pick<IdleTracker, 'begin'>;
  /** Hands an event to the webhook side; `isLast` marks the final event of the call. */
  emit: (call: SimulatedCall, eventType: string, payload: Record<string, unknown>, isLast: boolean) => void;
  onEnded: (call: SimulatedCall) => void;
};

/** One call leg: its state and the timers that move it along (answer, speech, ring timeout, callee hangup). */
export class SimulatedCall {
  readonly init: SimulatedCallInit;
  readonly startedAt: number;
  readonly spoken: string[] = [];
  readonly events: string[] = [];
  clientState: string | null;
  state: CallState = 'ringing';
  answeredAt: number | undefined;
  endedAt: number | undefined;
  hangupCause: string | undefined;
  hangupSource: string | undefined;
  readonly #deps: SimulatedCallDeps;
  readonly #timers = new Map<TimerHandle, () => void>();
  readonly #speakQueue: string[] = [];
  #speaking: TimerHandle | undefined;
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

  /** Sends `call.initiated` and sets the far end going; called once the dial response is on its way. */
  begin(reaction: FarEndReaction): void {
    this.#emit('call.initiated', { state: 'bridging' });
    const { answerDelayMs } = this.#deps.knobs();
    if (reaction === 'channel-limit') {
      this.#schedule(0, () => this.end('unspecified', 'unknown', '403'), true);
      return;
    }
    this.#schedule(this.init.ringTimeoutMs, () => this.end('timeout', 'unknown', '487'), true);
    if (reaction === 'answer') this.#schedule(answerDelayMs, () => this.#answer(), true);
    if (reaction === 'busy') this.#schedule(answerDelayMs, () => this.end('user_busy', 'callee', '486'), true);
    if (reaction === 'reject') this.#schedule(answerDelayMs, () => this.end('call_rejected', 'callee', '603'), true);
  }

  /** Queues text to speak; speeches play one after another like Telnyx's speak queue. */
  speak(text: string): void {
    this.#speakQueue.push(text);
    if (this.#speaking === undefined) this.#speakNext();
  }

  /** Our side hangs up: a cancel while ringing, a normal clearing once answered. */
  hangup(): void {
    if (this.state === 'ringing') this.end('originator_cancel', 'caller', '487');
    else this.end('normal_clearing', 'caller', 'unspecified');
  }

  /** Ends the call once: stops speech (reporting it cut short), cancels timers, sends `call.hangup`. */
  end(cause: string, source: string, sipCause: string): void {
    if (this.state === 'ended') return;
    if (this.#speaking !== undefined) {
      this.#cancel(this.#speaking);
      this.#speaking = undefined;
      this.#emit('call.speak.ended', { status: 'call_hangup' });
    }
    this.#speakQueue.length = 0;
    this.dispose();
    this.state = 'ended';
    this.endedAt = this.#deps.clock.now();
    this.hangupCause = cause;
    this.hangupSource = source;
    this.#emit(
      'call.hangup',
      {
        state: 'hangup',
        hangup_cause: cause,
        hangup_source: source,
        sip_hangup_cause: sipCause,
        start_time: new Date(this.startedAt).toISOString(),
        end_time: new Date(this.endedAt).toISOString(),
      },
      true,
    );
    this.#deps.onEnded(this);
  }

  /** Cancels every pending timer without sending anything; used when the simulator stops. */
  dispose(): void {
    for (const handle of [...this.#timers.keys()]) this.#cancel(handle);
  }

  /** Telnyx's `Call` resource for this leg, as dial and retrieve-status return it. */
  resource(): Record<string, unknown> {
    const alive = this.state !== 'ended';
    const duration = this.answeredAt === undefined ? 0 : ((this.endedAt ?? this.#deps.clock.now()) - this.answeredAt) / 1000;
    return {
      record_type: 'call',
      call_control_id: this.init.callControlId,
      call_leg_id: this.init.callLegId,
      call_session_id: this.init.callSessionId,
      client_state: this.clientState,
      is_alive: alive,
      call_duration: this.answeredAt === undefined ? null : Math.round(duration),
      start_time: new Date(this.startedAt).toISOString(),
      ...(alive ? {} : { end_time: new Date(this.endedAt ?? this.startedAt).toISOString() }),
    };
  }

  snapshot(): CallSnapshot {
    return {
      callControlId: this.init.callControlId,
      callLegId: this.init.callLegId,
      callSessionId: this.init.callSessionId,
      to: this.init.to,
      from: this.init.from,
      state: this.state,
      hangupCause: this.hangupCause,
      hangupSource: this.hangupSource,
      spoken: [...this.spoken],
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

  #answer(): void {
    this.state = 'answered';
    this.answeredAt = this.#deps.clock.now();
    this.dispose();
    this.#emit('call.answered', { state: 'answered', start_time: new Date(this.startedAt).toISOString() });
    // Not progress: a test awaiting idleness should not wait out the callee's patience.
    this.#schedule(this.#deps.knobs().maxCallMs, () => this.end('normal_clearing', 'callee', 'unspecified'), false);
  }

  #speakNext(): void {
    const text = this.#speakQueue.shift();
    if (text === undefined) return;
    this.spoken.push(text);
    this.#emit('call.speak.started', {});
    const ms = Math.max(1, Math.round(text.length * this.#deps.knobs().speakMsPerChar));
    this.#speaking = this.#schedule(
      ms,
      () => {
        this.#speaking = undefined;
        this.#emit('call.speak.ended', { status: 'completed' });
        this.#speakNext();
      },
      true,
    );
  }

  #emit(eventType: string, extra: Record<string, unknown>, isLast = false): void {
    this.events.push(eventType);
    const payload = {
      call_control_id: this.init.callControlId,
      call_leg_id: this.init.callLegId,
      call_session_id: this.init.callSessionId,
      client_state: this.clientState,
      connection_id: this.init.connectionId,
      from: this.init.from,
      to: this.init.to,
      direction: 'outgoing',
      ...extra,
    };
    this.#deps.emit(this, eventType, payload, isLast);
  }

  /** `progress` timers count towards `whenIdle`: they are the far end's next move. */
  #schedule(ms: number, fn: () => void, progress: boolean): TimerHandle {
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

  #cancel(handle: TimerHandle): void {
    const done = this.#timers.get(handle);
    if (!done) return;
    this.#timers.delete(handle);
    this.#deps.clock.clearTimeout(handle);
    done();
  }
}
