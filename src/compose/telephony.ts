import { CarrierSimulator } from 'telnyx-simulator';
import type { Telephony } from '../calls/carrier.ts';
import { SIMULATOR_CALLER_ID } from '../calls/input/destination-policy.ts';
import type { Config } from '../config/schema.ts';
import type { WebhookVerifier } from '../inbox/inbox-codec.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import { createRetryingTelephony } from '../telnyx/command-retries.ts';
import { createTelnyxTelephony } from '../telnyx/telnyx-telephony.ts';
import { createWebhookVerifier } from '../telnyx/webhook-verifier.ts';

/** Our own address, known once the listener is bound (and the tunnel's, once open); webhooks come back to it. */
export type Endpoint = { localUrl: string | undefined; tunnelUrl: string | undefined };

export type TelephonyPart = {
  /** The in-process carrier simulator, present when no Telnyx API key is configured. */
  simulator: CarrierSimulator | undefined;
  /** The carrier with command retries; dials are sent once here (dialing adds its own retries). */
  carrier: Telephony;
  verifyWebhook: WebhookVerifier;
  endpoint: Endpoint;
};

/**
 * Where Telnyx sends a call's webhooks: the simulator calls our local address; Telnyx needs `PUBLIC_URL`, else the
 * development tunnel's URL.
 */
function webhookUrl(config: Config, simulator: CarrierSimulator | undefined, endpoint: Endpoint): string | undefined {
  if (simulator) return endpoint.localUrl && `${endpoint.localUrl}/webhook`;
  const base = config.publicUrl ?? endpoint.tunnelUrl;
  return base ? `${base.replace(/\/$/, '')}/webhook` : undefined;
}

/** The carrier: Telnyx through its SDK, or (no API key) the simulator speaking the same API, so a new user sees the whole flow offline. */
export function composeTelephony(deps: {
  config: Config;
  clock: Clock;
  logger: Logger;
  random: () => number;
  simulator?: CarrierSimulator;
  telephony?: Telephony;
}): TelephonyPart {
  const { config } = deps;
  const endpoint: Endpoint = { localUrl: undefined, tunnelUrl: undefined };
  const { apiKey } = config.telnyx;
  const simulator =
    deps.simulator ??
    (apiKey
      ? undefined
      : new CarrierSimulator({
          answerDelayMs: config.simulator.answerDelayMs,
          speakMsPerChar: config.simulator.speakMsPerChar,
          maxCallMs: config.simulator.maxCallMs,
          random: deps.random,
        }));
  const carrier =
    deps.telephony ??
    createRetryingTelephony(
      createTelnyxTelephony({
        apiKey: apiKey ?? 'simulator',
        baseUrl: () => (simulator ? simulator.baseUrl : config.telnyx.baseUrl),
        connectionId: config.telnyx.connectionId ?? 'simulated-connection',
        fromNumber: config.telnyx.fromNumber ?? SIMULATOR_CALLER_ID,
        webhookUrl: () => webhookUrl(config, simulator, endpoint),
        voice: config.telnyx.voice,
        language: config.telnyx.language,
        ringTimeoutSecs: config.telnyx.ringTimeoutSecs,
        timeLimitSecs: config.telnyx.timeLimitSecs,
        webhookRetriesMs: config.telnyx.webhookRetriesMs,
        answeringMachineDetection: config.telnyx.answeringMachineDetection,
        requestTimeoutMs: config.telnyx.requestTimeoutMs,
      }),
      { clock: deps.clock, random: deps.random, logger: deps.logger, command: { baseMs: 250, capMs: 8000, budgetMs: 30_000 } },
    );
  const verifyWebhook = createWebhookVerifier({ publicKey: () => (simulator ? simulator.publicKeyBase64 : config.telnyx.publicKey) });
  return { simulator, carrier, verifyWebhook, endpoint };
}
