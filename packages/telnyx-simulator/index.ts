/**
 * The carrier simulator's one entry point (`telnyx-simulator`): a Telnyx Call Control v2 stand-in on loopback
 * HTTP, used by the service without Telnyx credentials, by the tests, the soak, chaos runs and benchmarks.
 * README.md beside this file describes its behaviour and knobs. Files under api/, call/ and webhooks/ are internal.
 */
export { CarrierSimulator } from './carrier-simulator.ts';
export type { CommandRecord, SimulatorEventMap, SimulatorStats } from './carrier-simulator.ts';
export { CHANNEL_LIMIT_MODES, DEFAULT_KNOBS, DIAL_UNKNOWN_OUTCOME_MODES, REPEATED_DIAL_ANSWERS } from './simulator-options.ts';
export type { ChannelLimitMode, DialUnknownOutcomeMode, RepeatedDialAnswer, SimulatorKnobs, SimulatorOptions } from './simulator-options.ts';
export type { CallState } from './call/call-handle.ts';
export { defaultAccount } from './api/account.ts';
export type { SimulatedAccount, SimulatedApplication, SimulatedOutboundProfile, SimulatedPhoneNumber } from './api/account.ts';
export type { CallSnapshot } from './call/call-views.ts';
export type { TelnyxErrorBody, TelnyxErrorItem } from './api/telnyx-errors.ts';
export type { WebhookAttempt, WebhookCounts } from './webhooks/webhook-dispatcher.ts';
// Signs webhook bodies as Telnyx does: tests and benchmarks forge the carrier's webhooks with it.
export { createWebhookSigner } from './webhooks/webhook-signer.ts';
export type { SignatureHeaders, WebhookSigner } from './webhooks/webhook-signer.ts';
export type { Clock, TimerHandle } from './clock.ts';
