import type { Clock } from './clock.ts';
import type { SimulatedAccount } from './api/account-types.ts';

/**
 * Ways a dial's HTTP answer can be lost although the call is placed: the client waits until it gives up
 * (`timeout`), the socket is destroyed (`drop`), a 5xx Telnyx error arrives after the call was set up
 * (`error-after`), or a 200 arrives whose `data` has no `call_control_id` (`no-call-id`).
 */
export const DIAL_UNKNOWN_OUTCOME_MODES = ['timeout', 'drop', 'error-after', 'no-call-id'] as const;
export type DialUnknownOutcomeMode = (typeof DIAL_UNKNOWN_OUTCOME_MODES)[number];

/**
 * How a dial beyond `channels` is refused. Telnyx documents only SIP `403 User channel limit exceeded` on the
 * leg; how its `hangup_cause` names it is not published (`sip-403`: `unspecified`; `sip-403-rejected`:
 * `call_rejected`, FreeSWITCH's name for a SIP 403), and the refusal may come back on the dial instead
 * (`api-403`: HTTP 403 naming the channel limit; `api-429`: HTTP 429 naming it). Every form but `sip-403` is assumed.
 */
export const CHANNEL_LIMIT_MODES = ['sip-403', 'sip-403-rejected', 'api-403', 'api-429'] as const;
export type ChannelLimitMode = (typeof CHANNEL_LIMIT_MODES)[number];

/** What a dial repeating an accepted `command_id` within 60 s gets; never a second call. */
export const REPEATED_DIAL_ANSWERS = ['replay', 'empty-200', '422'] as const;
export type RepeatedDialAnswer = (typeof REPEATED_DIAL_ANSWERS)[number];

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
  /** Dial rate: `dialsPerSecond × rateLimitWindowMs / 1000` dials are admitted in any sliding window; more get `429`. */
  dialsPerSecond: number;
  /** The rate-limit window (Telnyx: 5 s); the `x-ratelimit-*` headers describe it. */
  rateLimitWindowMs: number;
  /** The `code` of a dial-rate refusal: `90103`, Telnyx's "Dials Per Second Limit" code (`10011` is its general rate limit). */
  rateLimitErrorCode: string;
  /** Concurrent live calls (ringing or answered) allowed on the account. */
  channels: number;
  /**
   * How a dial beyond `channels` fails. Telnyx documents the channel limit as a SIP `403 User channel limit
   * exceeded` on the call leg, so the closest imitation is `sip-403`: the dial is accepted, then the call ends
   * with `call.hangup` (`unspecified`, `sip_hangup_cause` `403`). `api-429` refuses the dial itself, which is
   * easier to assert on.
   */
  channelLimitMode: ChannelLimitMode;
  /**
   * Each refusal draws its form from these instead of `channelLimitMode` when not empty (the soak mixes them).
   */
  channelLimitModes: readonly ChannelLimitMode[];
  /** What a well-formed but unknown (or forgotten) call id gets: `404` (`10005`) or `422` (`90018`); both are assumed. */
  unknownCallStatus: 404 | 422;
  /** Detection finishing while a prompt plays cancels it (`cancelled_amd`), as Telnyx's speak/gather statuses say. */
  amdCancelsPrompt: boolean;
  /** Deliver every webhook twice (same event id). */
  duplicateWebhooks: boolean;
  /** Deliver consecutive webhooks of a call swapped where the second comes within `reorderHoldMs` of the first. */
  reorderWebhooks: boolean;
  /** How long a webhook waits for its successor when `reorderWebhooks` is on. */
  reorderHoldMs: number;
  /** Where webhooks go when a dial carries no `webhook_url` (Telnyx's connection-level URL). */
  webhookUrl: string | undefined;
  /** Fraction (0..1) of webhooks never delivered at all, as if lost on the way (counted in `stats.webhooks.lost`). */
  webhookLossRate: number;
  /** Fraction (0..1) of placed dials whose HTTP answer is lost; the call is placed all the same. */
  dialUnknownOutcomeRate: number;
  /** How a lost answer looks; one is drawn at random per lost answer. */
  dialUnknownOutcomeModes: readonly DialUnknownOutcomeMode[];
  /** What a repeated dial `command_id` gets back (see {@link RepeatedDialAnswer}). */
  repeatedDialCommandId: RepeatedDialAnswer;
  /** Caps every dial's ring timeout, so tests can send a legal `timeout_secs` (≥ 5) yet run fast; none if undefined. */
  ringTimeoutCapMs: number | undefined;
  /** Time from `call.answered` until answering-machine detection reports (when the dial asked for it). */
  amdDelayMs: number;
  /** An answering machine's greeting, from the answer until its beep (`call.machine.greeting.ended`). */
  machineGreetingMs: number;
  /** Time after a gather's prompt ends until the far end presses its digit. */
  digitDelayMs: number;
  /**
   * Attempts per webhook (the first included) before it is dropped. Telnyx delivers once (then to the failover
   * URL) unless the dial sets `webhook_retries_policies`, which overrides this per event type.
   */
  webhookAttempts: number;
  /** Backoff before the second attempt; doubles for each further one. */
  webhookRetryDelayMs: number;
  /** A delivery attempt that takes longer than this counts as failed. */
  webhookTimeoutMs: number;
  /**
   * Most calls, commands and webhook attempts kept for observation; beyond it the oldest (ended calls only) are
   * forgotten, a tenth at a time, and a forgotten call's id answers 404 like an unknown one.
   */
  historyLimit: number;
};

/** Constructor options: any knob, plus the injected parts. */
export type SimulatorOptions = Partial<SimulatorKnobs> & {
  clock?: Clock;
  /** `Math.random`-like source for ids and fault injection. */
  random?: () => number;
  /** Base64 of a 32-byte ed25519 seed, to keep the same public key across restarts; fresh key if absent. */
  signingSeedBase64?: string;
  /** The account behind the API key (see `SimulatedAccount`); a default one matching the service's simulated ids. */
  account?: SimulatedAccount;
};

/**
 * Defaults: Telnyx's own behaviour (one webhook delivery, channel limit as SIP 403, 30 dials/s over a 5 s window)
 * for a verified account (10 channels), with quick but not instant human-like timing.
 */
export const DEFAULT_KNOBS: Readonly<SimulatorKnobs> = Object.freeze({
  apiLatencyMs: 0,
  faultRate: 0,
  answerDelayMs: 1000,
  speakMsPerChar: 60,
  maxCallMs: 120_000,
  dialsPerSecond: 30,
  channels: 10,
  rateLimitWindowMs: 5000,
  rateLimitErrorCode: '90103',
  channelLimitMode: 'sip-403',
  channelLimitModes: [],
  amdCancelsPrompt: true,
  unknownCallStatus: 404,
  duplicateWebhooks: false,
  reorderWebhooks: false,
  reorderHoldMs: 500,
  webhookUrl: undefined,
  webhookLossRate: 0,
  dialUnknownOutcomeRate: 0,
  dialUnknownOutcomeModes: DIAL_UNKNOWN_OUTCOME_MODES,
  repeatedDialCommandId: 'replay',
  ringTimeoutCapMs: undefined,
  amdDelayMs: 1500,
  machineGreetingMs: 3000,
  digitDelayMs: 500,
  webhookAttempts: 1,
  webhookRetryDelayMs: 100,
  webhookTimeoutMs: 5000,
  historyLimit: 100_000,
});

/** Telnyx ignores a repeated `command_id` only within this window. */
export const COMMAND_ID_WINDOW_MS = 60_000;

/** Telnyx's default `timeout_secs` for a dial. */
export const DEFAULT_RING_TIMEOUT_SECS = 30;

/** Telnyx's smallest `time_limit_secs` (its dial parameter's documented range is 30..14400). */
export const MIN_TIME_LIMIT_SECS = 30;

/** Telnyx's default (and maximum) `time_limit_secs`: four hours from the answer. */
export const DEFAULT_TIME_LIMIT_SECS = 14_400;
