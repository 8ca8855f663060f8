import type { Clock } from '../clock.ts';
import { createCommandLedger } from './command-ledger.ts';
import { createDialRateLimit } from './dial-rate-limit.ts';
import { farEndFor } from '../call/far-end.ts';
import type { FarEnd } from '../call/far-end.ts';
import { DETECTION_MODES, detectionRequestOf } from '../call/machine-detection.ts';
import type { DetectionRequest } from '../call/machine-detection.ts';
import { Scenario, scenarioFor } from '../call/scenarios.ts';
import type { SimulatedCall } from '../call/simulated-call.ts';
import { isE164, isLoopbackHttpUrl, stringField } from './simulator-http.ts';
import type { Reply } from './simulator-http.ts';
import { COMMAND_ID_WINDOW_MS, DEFAULT_RING_TIMEOUT_SECS, DEFAULT_TIME_LIMIT_SECS, MIN_TIME_LIMIT_SECS } from '../simulator-options.ts';
import type { ChannelLimitMode, SimulatorKnobs } from '../simulator-options.ts';
import { telnyxErrors } from './telnyx-errors.ts';
import { retriesPolicyOf } from '../webhooks/delivery-policy.ts';
import type { WebhookRoute } from '../webhooks/webhook-dispatcher.ts';

/** Everything a dial decided about the call it places. */
export type Placement = {
  connectionId: string;
  to: string;
  from: string;
  clientState: string | null;
  route: WebhookRoute;
  ringTimeoutMs: number;
  timeLimitMs: number;
  farEnd: FarEnd;
  detection: DetectionRequest | undefined;
  /** False when the account is out of channels: the call is placed only to fail with SIP 403. */
  occupiesChannel: boolean;
};

export type DialCommandDeps = {
  clock: Clock;
  knobs: () => Readonly<SimulatorKnobs>;
  random: () => number;
  liveCalls: () => number;
  place: (placement: Placement) => SimulatedCall;
  count: (what: 'rateLimited' | 'channelLimited' | 'dialsUnknownOutcome') => void;
};

/** `POST /v2/calls`: validation, command_id repeats, the rate limit, scenarios, the channel limit, placing. */
export function createDialCommand(deps: DialCommandDeps): (body: Record<string, unknown>) => Reply {
  const { clock, knobs, random } = deps;
  const dials = createCommandLedger<Record<string, unknown>>(COMMAND_ID_WINDOW_MS);
  const rateLimit = createDialRateLimit();
  // Scenario attempts already failed once, by command_id (or number), so the next attempt succeeds; bounded like
  // the command_id ledger: a retry after 60 s counts as a new first attempt.
  const failedOnce = createCommandLedger<true>(COMMAND_ID_WINDOW_MS);

  const seconds = (body: Record<string, unknown>, name: string, min: number, max: number, fallback: number) => {
    const value = body[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw telnyxErrors.invalidParameter(name, `The '${name}' parameter must be an integer from ${min} to ${max}.`);
    }
    return value;
  };

  const repeated = (k: Readonly<SimulatorKnobs>, earlier: Record<string, unknown>): Reply => {
    if (k.repeatedDialCommandId === 'replay') return { status: 200, body: earlier, deduplicated: true };
    if (k.repeatedDialCommandId === 'empty-200') return { status: 200, body: { data: { result: 'ok' } }, deduplicated: true };
    const refusal = telnyxErrors.duplicateCommand();
    return { status: refusal.status, body: refusal.body, deduplicated: true };
  };

  return (body) => {
    const now = clock.now();
    const k = knobs();
    const connectionId = stringField(body, 'connection_id');
    const to = stringField(body, 'to');
    const from = stringField(body, 'from');
    if (connectionId === undefined) throw telnyxErrors.missingParameter('connection_id');
    if (to === undefined) throw telnyxErrors.missingParameter('to');
    if (from === undefined) throw telnyxErrors.missingParameter('from');
    if (!isE164(to)) throw telnyxErrors.notE164('to');
    const webhookUrl = stringField(body, 'webhook_url') ?? k.webhookUrl;
    if (webhookUrl === undefined) throw telnyxErrors.missingParameter('webhook_url');
    if (!isLoopbackHttpUrl(webhookUrl)) throw telnyxErrors.nonLoopbackWebhook();
    const failoverUrl = stringField(body, 'webhook_failover_url');
    if (failoverUrl !== undefined && !isLoopbackHttpUrl(failoverUrl)) throw telnyxErrors.nonLoopbackWebhook('webhook_failover_url');
    const ringTimeoutSecs = seconds(body, 'timeout_secs', 5, 600, DEFAULT_RING_TIMEOUT_SECS);
    const timeLimitSecs = seconds(body, 'time_limit_secs', MIN_TIME_LIMIT_SECS, DEFAULT_TIME_LIMIT_SECS, DEFAULT_TIME_LIMIT_SECS);
    const amd = body.answering_machine_detection;
    if (amd !== undefined && amd !== 'disabled' && !DETECTION_MODES.includes(amd as never)) {
      throw telnyxErrors.invalidParameter('answering_machine_detection', `Use one of ${[...DETECTION_MODES, 'disabled'].join(', ')}.`);
    }

    const commandId = stringField(body, 'command_id');
    const earlier = commandId === undefined ? undefined : dials.get(commandId, now);
    if (earlier) return repeated(k, earlier);

    let headers: Record<string, string>;
    try {
      headers = rateLimit.admit(now, k);
    } catch (error) {
      deps.count('rateLimited');
      throw error;
    }

    const scenario = scenarioFor(to);
    const attemptKey = commandId ?? `to:${to}`;
    if (scenario === Scenario.invalidDestination) throw telnyxErrors.invalidDestination();
    if (scenario === Scenario.carrierError && failedOnce.get(attemptKey, now) === undefined) {
      failedOnce.remember(attemptKey, true, now);
      throw telnyxErrors.unexpected(500, 'The call could not be set up because of an upstream carrier error.');
    }
    if (scenario === Scenario.rateLimited && failedOnce.get(attemptKey, now) === undefined) {
      failedOnce.remember(attemptKey, true, now);
      const limited = { ...headers, 'x-ratelimit-remaining': '0', 'retry-after': '1' };
      // Telnyx's general rate-limit refusal (its "Rate limiting" page), unlike the dial rate's own 90103.
      throw telnyxErrors.tooManyRequests('10011', 'You have exceeded the maximum number of allowed requests.', limited);
    }
    const overChannels = deps.liveCalls() >= k.channels;
    if (overChannels) deps.count('channelLimited');
    const refusedAs = overChannels ? channelLimitForm(k, random) : undefined;
    if (refusedAs === 'api-429') {
      throw telnyxErrors.tooManyRequests(k.rateLimitErrorCode, `User channel limit exceeded: ${k.channels} concurrent calls allowed on this account.`, {
        ...headers,
        'retry-after': '1',
      });
    }
    if (refusedAs === 'api-403') throw telnyxErrors.channelLimit(k.channels, headers);

    const farEnd = farEndFor(scenario);
    const call = deps.place({
      connectionId,
      to,
      from,
      clientState: stringField(body, 'client_state') ?? null,
      route: { url: webhookUrl, failoverUrl, retriesMs: retriesPolicyOf(body) },
      ringTimeoutMs: Math.min(ringTimeoutSecs * 1000, k.ringTimeoutCapMs ?? Infinity),
      timeLimitMs: timeLimitSecs * 1000,
      farEnd,
      detection: detectionRequestOf(body),
      occupiesChannel: !overChannels,
    });
    // Dialing is asynchronous on Telnyx: the dial response always says is_alive false.
    const data = { ...call.resource(), is_alive: false };
    if (commandId !== undefined) dials.remember(commandId, { data }, now);
    const reply: Reply = { status: 200, body: { data }, headers, after: () => call.begin(refusedAs === 'sip-403' ? 'channel-limit' : refusedAs === 'sip-403-rejected' ? 'channel-limit-rejected' : farEnd.reaction) };
    if (k.dialUnknownOutcomeRate > 0 && k.dialUnknownOutcomeModes.length > 0 && random() < k.dialUnknownOutcomeRate) {
      deps.count('dialsUnknownOutcome');
      reply.lostAs = k.dialUnknownOutcomeModes[Math.floor(random() * k.dialUnknownOutcomeModes.length)];
    }
    return reply;
  };
}

/** The form of this refusal: one of `channelLimitModes` drawn at random, else `channelLimitMode`. */
function channelLimitForm(k: Readonly<SimulatorKnobs>, random: () => number): ChannelLimitMode {
  const modes = k.channelLimitModes;
  return modes.length > 0 ? (modes[Math.floor(random() * modes.length)] ?? k.channelLimitMode) : k.channelLimitMode;
}
