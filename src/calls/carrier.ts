/** What the domain asks of a carrier. Implemented by the Telnyx adapter (which also talks to the simulator). */
export type DialRequest = {
  /** Our call id; travels as `client_state` so webhooks can be matched back. */
  callId: string;
  /** E.164 destination. */
  to: string;
  /** Idempotency key: the carrier ignores a repeat within its window. */
  commandId: string;
  /** No attempt may start after this instant (ms): past it a repeat would no longer be recognised as one. */
  /**
   * When the dial's rate slot was taken (the claim's time). A dial sent much later than its slot takes a fresh one
   * first, so the carrier's count of dials per second matches ours even when a process stalls between the two.
   */
  slotAt?: number;
  deadline?: number;
};

export type DialResult = {
  callControlId: string;
  callLegId?: string;
  callSessionId?: string;
};

/** What the carrier knows of one call (Telnyx's call status, or an entry of the connection's active calls). */
export type CarrierCall = {
  callControlId: string;
  alive: boolean;
  /**
   * True when the carrier says the call is over (Telnyx sets `end_time` only then). `alive: false` alone is weaker:
   * Telnyx documents it as always false in a dial's answer, so a call still being set up may read so.
   */
  ended: boolean;
  /** Our call id, decoded from the call's `client_state`, when it carries one of ours. */
  callId: string | undefined;
  /** Seconds since the call started, as the carrier counts them. */
  durationSecs: number | undefined;
};

/** A spoken menu that waits for one key. */
export type GatherMenu = {
  text: string;
  /** The keys offered, e.g. `19`. */
  validDigits: string;
  /** How long to wait for a key after the prompt ends. */
  timeoutMs: number;
};

export type Telephony = {
  dial(request: DialRequest): Promise<DialResult>;
  speak(callControlId: string, text: string, commandId: string): Promise<void>;
  /** Speaks `menu.text`, then waits for one of `menu.validDigits`; the carrier reports the key pressed (or none). */
  gather(callControlId: string, menu: GatherMenu, commandId: string): Promise<void>;
  hangup(callControlId: string, commandId: string): Promise<void>;
  /** The carrier's record of a call; undefined when it knows no such call (ended long ago, or never placed). */
  callStatus(callControlId: string): Promise<CarrierCall | undefined>;
  /** Every call alive on our connection, as the carrier lists them (all pages). */
  activeCalls(): Promise<CarrierCall[]>;
};

export const TelephonyErrorKind = {
  /** Worth another try later: 429, 5xx, timeouts, connection errors. */
  retryable: 'retryable',
  /** Will not succeed however often we try: invalid number, call already ended. */
  permanent: 'permanent',
} as const;
export type TelephonyErrorKind = (typeof TelephonyErrorKind)[keyof typeof TelephonyErrorKind];

/**
 * What a refused command said about the call, in the domain's words (the adapter maps the carrier's codes):
 * `not_answered_yet`, the leg still rings; `call_ended`, the leg is over; `channel_limit`, a dial refused for want of
 * a channel. The first two are unconfirmed codes: a caller asks the call's status before acting on them.
 */
export type CarrierRefusal = 'not_answered_yet' | 'call_ended' | 'channel_limit';

/** The carrier's limit on one spoken prompt, in characters: the flow fits its words within it. */
export const MAX_SPEECH_CHARS = 3000;

/** A carrier failure, classified so callers decide between retry and giving up without knowing HTTP. */
export class TelephonyError extends Error {
  readonly kind: TelephonyErrorKind;
  readonly status: number | undefined;
  readonly code: string | undefined;
  /** The carrier's own `Retry-After`, when it gave one. */
  readonly retryAfterMs: number | undefined;
  /**
   * True when the carrier may have acted although we got no answer saying so (a timeout, a dropped connection, a
   * 5xx after the request was sent, a 200 without a call id): a dial that ends so may have placed the call.
   */
  readonly outcomeUnknown: boolean;
  /** What the carrier's refusal means for the call, when the adapter knows. */
  readonly refusal: CarrierRefusal | undefined;
  constructor(
    message: string,
    kind: TelephonyErrorKind,
    options: { status?: number; code?: string; cause?: unknown; retryAfterMs?: number; outcomeUnknown?: boolean; refusal?: CarrierRefusal } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'TelephonyError';
    this.kind = kind;
    this.status = options.status;
    this.code = options.code;
    this.retryAfterMs = options.retryAfterMs;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
    this.refusal = options.refusal;
  }
}
