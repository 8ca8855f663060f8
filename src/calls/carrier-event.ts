/**
 * What the carrier told us about a call, in our own words. The Telnyx adapter (`src/telnyx/telnyx-events.ts`)
 * is the only code that reads Telnyx's event names and fields; the call flow switches on these kinds.
 */
export type AnsweredBy = 'human' | 'machine' | 'unknown';

export type SpeechEnded = {
  kind: 'speechEnded';
  /**
   * `completed`: all of it was said; `hangup`: the callee hung up first; `cancelledByDetection`: the carrier stopped
   * it when answering-machine detection finished (Telnyx's `cancelled_amd`); `cancelled`: stopped otherwise.
   */
  how: 'completed' | 'hangup' | 'cancelled' | 'cancelledByDetection';
};

export type DigitsGathered = {
  kind: 'digitsGathered';
  digits: string;
  /**
   * `valid`: a digit we offered; `invalid`: another one; `timeout`: none; `hangup`/`cancelled`: the menu was cut
   * short; `cancelledByDetection`: the carrier stopped it when answering-machine detection finished.
   */
  status: 'valid' | 'invalid' | 'timeout' | 'hangup' | 'cancelled' | 'cancelledByDetection';
};

export type HungUp = {
  kind: 'hungUp';
  /** The carrier's cause, as it named it (kept for the timeline and the reason). */
  cause: string;
  /** What the cause means for us; the flow decides the status knowing whether the call was answered. */
  ending: 'normal' | 'busy' | 'noAnswer' | 'timeLimit' | 'rejected' | 'canceled' | 'notFound' | 'other';
  /** The SIP response code when the carrier gave one (`403` for a channel limit, say). */
  sipCause: string | null;
  /** Who hung up: `caller` is us, `callee` the far end. */
  source: 'caller' | 'callee' | 'unknown';
};

/**
 * Detection's verdict. `heard` says more than `answeredBy` where the carrier did: a fax tone (`answeredBy`
 * machine: nothing to say to it), silence or an unsure verdict (`answeredBy` unknown).
 */
export type MachineDetected = {
  kind: 'machineDetected';
  answeredBy: AnsweredBy;
  heard: 'person' | 'machine' | 'fax' | 'silence' | 'unsure';
};

export type CarrierEvent =
  | { kind: 'initiated' }
  | { kind: 'answered' }
  | MachineDetected
  | { kind: 'greetingEnded' }
  | SpeechEnded
  | DigitsGathered
  | HungUp
  | { kind: 'other' };

/**
 * One carrier webhook as the domain receives it: read at the edge (the Telnyx adapter) into our words, with what
 * the call's timeline should keep of it. src/calls never sees the carrier's JSON.
 */
export type CarrierNotice = {
  eventId: string;
  /** Our call id, when the event carried it back. */
  callId: string | null;
  /** The carrier's id of the call leg the event is about. */
  callControlId: string | null;
  occurredAt: number;
  /** The carrier's name for the event, as the timeline shows it. */
  name: string;
  event: CarrierEvent;
  /** The few fields worth keeping in the timeline (no numbers, no SIP headers). */
  detail: Record<string, unknown>;
};
