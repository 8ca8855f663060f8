import type { Clock, TimerHandle } from '../clock.ts';
import type { CallMedia, CallRecord, CallState, PlaybackCall } from './call-handle.ts';
import { callResource, callSnapshot } from './call-views.ts';
import type { CallSnapshot } from './call-views.ts';
import type { FarEnd, FarEndReaction } from './far-end.ts';
import type { GatherRequest } from './gather-session.ts';
import type { IdleTracker } from '../idle-tracker.ts';
import { startMachineDetection } from './machine-detection.ts';
import type { DetectionRequest } from './machine-detection.ts';
import { PlaybackQueue } from './playback-queue.ts';
import type { SimulatorKnobs } from '../simulator-options.ts';

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

/**
 * One call leg: its state and the timers that move it along (answer, speech, menus, detection, limits).
 * `schedule`, `emit` and the `record*` methods are for the call's behaviours (gather, detection), not for tests.
 */
export class SimulatedCall implements CallRecord, CallMedia, PlaybackCall {
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
  readonly #playback: PlaybackQueue;
  #lastOccurredMicros = 0;

  constructor(init: SimulatedCallInit, deps: SimulatedCallDeps) {
    this.init = init;
    this.#deps = deps;
    this.clientState = init.clientState;
    this.startedAt = deps.clock.now();
    this.#playback = new PlaybackQueue(this);
  }

  get callControlId(): string {
    return this.init.callControlId;
  }

  get knobs(): Readonly<SimulatorKnobs> {
    return this.#deps.knobs();
  }

  /** Sends `call.initiated` and sets the far end going; called once the dial response is on its way. */
  begin(reaction: FarEndReaction): void {
    this.emit('call.initiated', { direction: 'outgoing', state: 'bridging', start_time: new Date(this.startedAt).toISOString() });
    const { answerDelayMs } = this.#deps.knobs();
    if (reaction === 'channel-limit' || reaction === 'channel-limit-rejected') {
      // Telnyx documents SIP 403 "User channel limit exceeded"; its hangup_cause follows FreeSWITCH, which may name
      // a SIP 403 `call_rejected` as well as `unspecified`: the knob picks which.
      const cause = reaction === 'channel-limit' ? 'unspecified' : 'call_rejected';
      this.schedule(0, () => this.end(cause, 'unknown', '403'), true);
      return;
    }
    this.schedule(this.init.ringTimeoutMs, () => this.end('timeout', 'unknown', '487'), true);
    if (reaction === 'answer') this.schedule(answerDelayMs, () => this.#answer(), true);
    if (reaction === 'busy') this.schedule(answerDelayMs, () => this.end('user_busy', 'callee', '486'), true);
    if (reaction === 'reject') this.schedule(answerDelayMs, () => this.end('call_rejected', 'callee', '603'), true);
  }

  /** Queues text to speak; speeches and gathers play one after another like Telnyx's playback queue. */
  speak(text: string): void {
    this.#playback.speak(text);
  }

  /** Queues a gather: its prompt plays when the queue reaches it, then the far end presses (or not). */
  gather(request: GatherRequest): void {
    this.#playback.gather(request);
  }

  /** Stops the running gather (`call.gather.ended` `cancelled`); false when none runs. */
  stopGather(): boolean {
    return this.#playback.stopGather();
  }

  /** Our side hangs up: a cancel while ringing, a normal clearing once answered. */
  hangup(): void {
    if (this.state === 'ringing') this.end('originator_cancel', 'caller', '487');
    else this.end('normal_clearing', 'caller', 'unspecified');
  }

  /** Ends the call once: stops speech and gathers (reporting them cut short), cancels timers, sends `call.hangup`. */
  end(cause: string, source: string, sipCause: string): void {
    if (this.state === 'ended') return;
    this.#playback.cutShort();
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

  /** Telnyx's `Call` resource for this leg now (see {@link callResource}). */
  resource(): Record<string, unknown> {
    return callResource(this, this.#deps.clock.now());
  }

  snapshot(): CallSnapshot {
    return callSnapshot(this);
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
    if (this.init.detection) {
      const cancels = () => {
        if (this.#deps.knobs().amdCancelsPrompt) this.#playback.cancelForDetection();
      };
      startMachineDetection(this, this.init.detection, this.init.farEnd.answeredBy, this.init.farEnd.heard, cancels);
    }
    // Neither is progress: a test awaiting idleness should not wait out the callee's patience or the time limit.
    this.schedule(this.#deps.knobs().maxCallMs, () => this.end('normal_clearing', 'callee', 'unspecified'), false);
    this.schedule(this.init.timeLimitMs, () => this.end('time_limit', 'unknown', 'unspecified'), false);
  }
}
