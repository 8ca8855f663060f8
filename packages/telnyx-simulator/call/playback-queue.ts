import type { TimerHandle } from '../clock.ts';
import type { PlaybackCall } from './call-handle.ts';
import { GatherSession } from './gather-session.ts';
import type { GatherRequest } from './gather-session.ts';

type Playback = { kind: 'speak'; text: string } | { kind: 'gather'; request: GatherRequest };

/**
 * A call's media queue: speaks and gathers play one after another, like Telnyx's playback queue. A speak sends
 * `call.speak.started` and, after `length × speakMsPerChar`, `call.speak.ended`; a gather runs a
 * {@link GatherSession} and holds the queue until it ends.
 */
export class PlaybackQueue {
  readonly #call: PlaybackCall;
  readonly #queue: Playback[] = [];
  #speaking: TimerHandle | undefined;
  #gather: GatherSession | undefined;
  #menus = 0;

  constructor(call: PlaybackCall) {
    this.#call = call;
  }

  speak(text: string): void {
    this.#enqueue({ kind: 'speak', text });
  }

  gather(request: GatherRequest): void {
    this.#enqueue({ kind: 'gather', request });
  }

  /** Stops the running gather (`cancelled`); false when none runs. */
  stopGather(): boolean {
    const gather = this.#gather;
    if (!gather) return false;
    gather.finish('cancelled');
    return true;
  }

  /**
   * Detection finished while a prompt plays: Telnyx cancels it (the speak or gather ends `cancelled_amd`), and what
   * was queued behind it is dropped too. False when nothing played.
   */
  cancelForDetection(): boolean {
    if (this.#speaking === undefined && this.#gather === undefined) return false;
    this.#queue.length = 0;
    if (this.#speaking !== undefined) {
      this.#call.cancel(this.#speaking);
      this.#speaking = undefined;
      this.#call.emit('call.speak.ended', { status: 'cancelled_amd' });
    }
    this.#gather?.finish('cancelled_amd');
    return true;
  }

  /** The call is ending: the speech or gather under way ends `call_hangup`, the rest is dropped. */
  cutShort(): void {
    this.#queue.length = 0;
    if (this.#speaking !== undefined) {
      this.#call.cancel(this.#speaking);
      this.#speaking = undefined;
      this.#call.emit('call.speak.ended', { status: 'call_hangup' });
    }
    this.#gather?.finish('call_hangup');
  }

  #enqueue(item: Playback): void {
    this.#queue.push(item);
    if (this.#speaking === undefined && this.#gather === undefined) this.#playNext();
  }

  #playNext(): void {
    const item = this.#queue.shift();
    const call = this.#call;
    if (item === undefined || call.state === 'ended') return;
    if (item.kind === 'gather') {
      const digit = call.init.farEnd.digitAt(this.#menus++);
      this.#gather = new GatherSession(call, item.request, digit, () => {
        this.#gather = undefined;
        this.#playNext();
      });
      this.#gather.start();
      return;
    }
    call.recordSpoken(item.text);
    call.emit('call.speak.started', {});
    const ms = Math.max(1, Math.round(item.text.length * call.knobs.speakMsPerChar));
    this.#speaking = call.schedule(
      ms,
      () => {
        this.#speaking = undefined;
        call.emit('call.speak.ended', { status: 'completed' });
        this.#playNext();
      },
      true,
    );
  }
}
