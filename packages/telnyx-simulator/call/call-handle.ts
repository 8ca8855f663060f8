import type { TimerHandle } from '../clock.ts';
import type { FarEnd } from './far-end.ts';
import type { SimulatorKnobs } from '../simulator-options.ts';

/*
 * The slices of a call its helpers use. The helpers (views, playback, gather, detection) take these instead of
 * `SimulatedCall`, which builds and imports them, so no helper has to import the class back (no import cycle).
 * `SimulatedCall` implements them; tests' stand-ins only need the members listed here.
 */

export type CallState = 'ringing' | 'answered' | 'ended';

/** What is read off a call to describe it (Telnyx's `Call` resource, snapshots, observations). */
export interface CallRecord {
  readonly init: {
    readonly callControlId: string;
    readonly callLegId: string;
    readonly callSessionId: string;
    readonly connectionId: string;
    readonly from: string;
    readonly to: string;
    readonly clientState: string | null;
    readonly farEnd: Pick<FarEnd, 'answeredBy'>;
  };
  readonly clientState: string | null;
  readonly state: CallState;
  readonly startedAt: number;
  readonly answeredAt: number | undefined;
  readonly endedAt: number | undefined;
  readonly hangupCause: string | undefined;
  readonly hangupSource: string | undefined;
  readonly spoken: readonly string[];
  readonly digitsPressed: readonly string[];
  readonly events: readonly string[];
}

/** What a gather session drives on its call: timers, events and the far end's record. */
export interface CallMedia {
  readonly knobs: Readonly<SimulatorKnobs>;
  emit(eventType: string, extra: Record<string, unknown>, isLast?: boolean): void;
  schedule(ms: number, fn: () => void, progress: boolean): TimerHandle;
  cancel(handle: TimerHandle): void;
  recordSpoken(text: string): void;
  recordDigit(digit: string): void;
}

/** The playback queue also stops on an ended call and asks the far end which key it presses per menu. */
export interface PlaybackCall extends CallMedia {
  readonly state: CallState;
  readonly init: { readonly farEnd: Pick<FarEnd, 'digitAt'> };
}
