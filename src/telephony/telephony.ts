/** What the domain asks of a carrier. Implemented by the Telnyx adapter (which also talks to the simulator). */
export type DialRequest = {
  /** Our call id; travels as `client_state` so webhooks can be matched back. */
  callId: string;
  /** E.164 destination. */
  to: string;
  /** Idempotency key: the carrier ignores a repeat within its window. */
  commandId: string;
  /** No attempt may start after this instant (ms): past it a repeat would no longer be recognised as one. */
  deadline?: number;
};

export type DialResult = {
  callControlId: string;
  callLegId?: string;
  callSessionId?: string;
};

export type Telephony = {
  dial(request: DialRequest): Promise<DialResult>;
  speak(callControlId: string, text: string, commandId: string): Promise<void>;
  hangup(callControlId: string, commandId: string): Promise<void>;
};

export const TelephonyErrorKind = {
  /** Worth another try later: 429, 5xx, timeouts, connection errors. */
  retryable: 'retryable',
  /** Will not succeed however often we try: invalid number, call already ended. */
  permanent: 'permanent',
} as const;
export type TelephonyErrorKind = (typeof TelephonyErrorKind)[keyof typeof TelephonyErrorKind];

/** A carrier failure, classified so callers decide between retry and giving up without knowing HTTP. */
export class TelephonyError extends Error {
  readonly kind: TelephonyErrorKind;
  readonly status: number | undefined;
  readonly code: string | undefined;
  /** The carrier's own `Retry-After`, when it gave one. */
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    kind: TelephonyErrorKind,
    options: { status?: number; code?: string; cause?: unknown; retryAfterMs?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'TelephonyError';
    this.kind = kind;
    this.status = options.status;
    this.code = options.code;
    this.retryAfterMs = options.retryAfterMs;
  }
}
