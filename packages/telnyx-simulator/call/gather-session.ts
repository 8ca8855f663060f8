import type { TimerHandle } from '../clock.ts';
import type { CallMedia } from './call-handle.ts';

/** A `gather_using_speak` as the simulator plays it, with Telnyx's defaults filled in. */
export type GatherRequest = {
  payload: string;
  /** Spoken before the prompt on a retry after invalid input (Telnyx's `invalid_payload`). */
  invalidPayload: string | undefined;
  validDigits: string;
  minimumDigits: number;
  maximumDigits: number;
  /** Plays of the prompt when nothing is pressed, the first included. */
  maximumTries: number;
  /** Wait for a key after the prompt ends, before a replay (or the end). */
  timeoutMs: number;
  interDigitTimeoutMs: number;
  /** Ends input early; empty string: none. */
  terminatingDigit: string;
};

/** How a gather ended, as `call.gather.ended` reports it. */
export type GatherStatus = 'valid' | 'invalid' | 'call_hangup' | 'cancelled' | 'cancelled_amd' | 'timeout';

/** Telnyx's documented defaults for the gather parameters a dial may leave out. */
export const GATHER_DEFAULTS = {
  validDigits: '0123456789#*',
  minimumDigits: 1,
  maximumDigits: 128,
  maximumTries: 3,
  timeoutMs: 60_000,
  interDigitTimeoutMs: 5000,
  terminatingDigit: '#',
} as const;

/**
 * One menu on a call: plays the prompt (no speak events, as Telnyx sends none for gather_using_speak), lets the
 * far end press its key `digitDelayMs` after the prompt, and reports `call.dtmf.received` and
 * `call.gather.ended`. The far end presses at most one key per menu; a key outside `valid_digits` ends the gather
 * `invalid` at once (Telnyx would replay `invalid_payload` while tries remain; the simulated callee would not
 * press again anyway).
 */
export class GatherSession {
  readonly #call: CallMedia;
  readonly #request: GatherRequest;
  readonly #digit: string | undefined;
  readonly #onDone: () => void;
  #digits = '';
  #tries = 0;
  #timer: TimerHandle | undefined;
  #finished = false;

  constructor(call: CallMedia, request: GatherRequest, digit: string | undefined, onDone: () => void) {
    this.#call = call;
    this.#request = request;
    this.#digit = digit;
    this.#onDone = onDone;
  }

  /** Plays the prompt (again, on a retry) and waits for the far end. */
  start(): void {
    this.#tries++;
    const { payload } = this.#request;
    this.#call.recordSpoken(payload);
    const promptMs = Math.max(1, Math.round(payload.length * this.#call.knobs.speakMsPerChar));
    this.#wait(promptMs, () => this.#promptEnded());
  }

  /** Ends the gather once with `status`, sending `call.gather.ended`. */
  finish(status: GatherStatus): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#timer !== undefined) this.#call.cancel(this.#timer);
    this.#call.emit('call.gather.ended', { digits: this.#digits, status });
    this.#onDone();
  }

  #promptEnded(): void {
    const digit = this.#digit;
    if (digit !== undefined) {
      this.#wait(this.#call.knobs.digitDelayMs, () => this.#press(digit));
      return;
    }
    this.#wait(this.#request.timeoutMs, () => {
      if (this.#tries < this.#request.maximumTries) this.start();
      else this.finish('timeout');
    });
  }

  #press(digit: string): void {
    const request = this.#request;
    this.#call.recordDigit(digit);
    this.#call.emit('call.dtmf.received', { digit });
    if (request.terminatingDigit !== '' && digit === request.terminatingDigit) {
      this.finish(this.#digits.length >= request.minimumDigits ? 'valid' : 'invalid');
      return;
    }
    this.#digits += digit;
    if (!request.validDigits.includes(digit)) {
      this.finish('invalid');
      return;
    }
    if (this.#digits.length >= request.maximumDigits) {
      this.finish('valid');
      return;
    }
    // Fewer than maximum_digits: Telnyx waits the inter-digit timeout for more before ending the gather.
    this.#wait(request.interDigitTimeoutMs, () => this.finish(this.#digits.length >= request.minimumDigits ? 'valid' : 'invalid'));
  }

  #wait(ms: number, fn: () => void): void {
    this.#timer = this.#call.schedule(
      ms,
      () => {
        this.#timer = undefined;
        fn();
      },
      true,
    );
  }
}
