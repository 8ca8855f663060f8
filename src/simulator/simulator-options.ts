import type { Clock } from '../clock.ts';

/** How the simulated network behaves. Every knob can be changed while running with `configure`. */
export type SimulatorKnobs = {
  /** Delay before any API request is answered (clock time). */
  apiLatencyMs: number;
  /** Fraction (0..1) of API requests answered `503` without acting. */
  faultRate: number;
  /** Time from `call.initiated` until the far end reacts: answers, is busy, or rejects. */
  answerDelayMs: number;
  /** Speaking time per character of a speak payload. */
  speakMsPerChar: number;
  /** The callee hangs up on their own this long after answering. */
  maxCallMs: number;
  /** Dials admitted in any 1 s window; more are refused `429`. */
  dialsPerSecond: number;
  /** Concurrent live calls (ringing or answered) allowed on the account. */
  channels: number;
  /**
   * How a dial beyond `channels` fails. Telnyx documents the channel limit as a SIP `403 User channel limit
   * exceeded` on the call leg, so the closest imitation is `sip-403`: the dial is accepted, then the call ends
   * with `call.hangup` (`unspecified`, `sip_hangup_cause` `403`). `api-429` refuses the dial itself, which is
   * easier to assert on.
   */
  channelLimitMode: 'api-429' | 'sip-403';
  /** Deliver every webhook twice (same event id). */
  duplicateWebhooks: boolean;
  /** Deliver consecutive webhooks of a call swapped where the second comes within `reorderHoldMs` of the first. */
  reorderWebhooks: boolean;
  /** How long a webhook waits for its successor when `reorderWebhooks` is on. */
  reorderHoldMs: number;
  /** Where webhooks go when a dial carries no `webhook_url` (Telnyx's connection-level URL). */
  webhookUrl: string | undefined;
  /** Attempts per webhook (the first included) before it is dropped. */
  webhookAttempts: number;
  /** Backoff before the second attempt; doubles for each further one. */
  webhookRetryDelayMs: number;
  /** A delivery attempt that takes longer than this counts as failed. */
  webhookTimeoutMs: number;
};

/** Constructor options: any knob, plus the injected parts. */
export type SimulatorOptions = Partial<SimulatorKnobs> & {
  clock?: Clock;
  /** `Math.random`-like source for ids and fault injection. */
  random?: () => number;
  /** Base64 of a 32-byte ed25519 seed, to keep the same public key across restarts; fresh key if absent. */
  signingSeedBase64?: string;
};

/**
 * Defaults: a freshly verified Telnyx account (10 channels, about 30 dials/s) with quick but not instant
 * human-like timing, so a developer running the app against it sees realistic pacing.
 */
export const DEFAULT_KNOBS: Readonly<SimulatorKnobs> = Object.freeze({
  apiLatencyMs: 0,
  faultRate: 0,
  answerDelayMs: 1000,
  speakMsPerChar: 60,
  maxCallMs: 120_000,
  dialsPerSecond: 30,
  channels: 10,
  channelLimitMode: 'api-429',
  duplicateWebhooks: false,
  reorderWebhooks: false,
  reorderHoldMs: 500,
  webhookUrl: undefined,
  webhookAttempts: 3,
  webhookRetryDelayMs: 100,
  webhookTimeoutMs: 5000,
});

/** Telnyx ignores a repeated `command_id` only within this window. */
export const COMMAND_ID_WINDOW_MS = 60_000;

/** Telnyx's default `timeout_secs` for a dial. */
export const DEFAULT_RING_TIMEOUT_SECS = 30;
