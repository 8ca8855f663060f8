import type { Clock } from '../clock.ts';
import { createCommandLedger } from './command-ledger.ts';
import type { IdleTracker } from './idle-tracker.ts';
import { Scenario, scenarioFor } from './scenarios.ts';
import { SimulatedCall } from './simulated-call.ts';
import type { CallSnapshot, FarEndReaction } from './simulated-call.ts';
import { CALL_CONTROL_ID_PATTERN } from './simulator-ids.ts';
import type { IdSource } from './simulator-ids.ts';
import { isE164, isLoopbackHttpUrl, stringField } from './simulator-http.ts';
import type { Reply } from './simulator-http.ts';
import { COMMAND_ID_WINDOW_MS, DEFAULT_RING_TIMEOUT_SECS } from './simulator-options.ts';
import type { SimulatorKnobs } from './simulator-options.ts';
import { createSlidingWindow } from './sliding-window.ts';
import { telnyxErrors } from './telnyx-errors.ts';
import type { WebhookEventData } from './webhook-dispatcher.ts';

/** Call counters since start. */
export type CallCounters = {
  callsPlaced: number;
  liveCalls: number;
  /** Highest number of simultaneously live calls seen. */
  maxLiveCalls: number;
  rateLimited: number;
  channelLimited: number;
};

export type CallControlDeps = {
  clock: Clock;
  ids: IdSource;
  knobs: () => Readonly<SimulatorKnobs>;
  idle: Pick<IdleTracker, 'begin'>;
  sendWebhook: (callControlId: string, url: string, event: WebhookEventData, isLast: boolean) => void;
  onCallEnded: (call: CallSnapshot) => void;
};

/** The Call Control semantics behind the HTTP layer: each method answers a request or throws a Telnyx failure. */
export type CallControl = {
  dial(body: Record<string, unknown>): Reply;
  speak(callControlId: string, body: Record<string, unknown>): Reply;
  hangup(callControlId: string, body: Record<string, unknown>): Reply;
  status(callControlId: string): Reply;
  readonly calls: ReadonlyMap<string, SimulatedCall>;
  readonly counters: Readonly<CallCounters>;
  /** Cancels every call's timers without sending anything. */
  disposeAll(): void;
};

const REACTIONS: Readonly<Record<Scenario, FarEndReaction>> = {
  [Scenario.answered]: 'answer',
  [Scenario.carrierError]: 'answer',
  [Scenario.rateLimited]: 'answer',
  [Scenario.busy]: 'busy',
  [Scenario.rejected]: 'reject',
  [Scenario.noAnswer]: 'none',
  [Scenario.invalidDestination]: 'none',
};

const OK: Reply = { status: 200, body: { data: { result: 'ok' } } };

/** Creates the call-control state: calls, command_id ledgers, the dial rate window and the scenario memory. */
export function createCallControl(deps: CallControlDeps): CallControl {
  const { clock, ids, knobs, idle } = deps;
  const calls = new Map<string, SimulatedCall>();
  const dials = createCommandLedger<Record<string, unknown>>(COMMAND_ID_WINDOW_MS);
  const actions = createCommandLedger<true>(COMMAND_ID_WINDOW_MS);
  const dialWindow = createSlidingWindow(1000);
  // Scenario attempts already failed once, by command_id (or number), so the next attempt succeeds.
  const failedOnce = new Set<string>();
  const counters: CallCounters = { callsPlaced: 0, liveCalls: 0, maxLiveCalls: 0, rateLimited: 0, channelLimited: 0 };

  const findCall = (callControlId: string) => {
    if (!CALL_CONTROL_ID_PATTERN.test(callControlId)) throw telnyxErrors.invalidCallControlId();
    const call = calls.get(callControlId);
    if (!call) throw telnyxErrors.resourceNotFound(`No call with call_control_id ${callControlId}.`);
    return call;
  };

  const place = (body: Record<string, unknown>, fields: { connectionId: string; to: string; from: string; webhookUrl: string; occupiesChannel: boolean }) => {
    const timeoutSecs = typeof body.timeout_secs === 'number' && body.timeout_secs > 0 ? body.timeout_secs : DEFAULT_RING_TIMEOUT_SECS;
    const init = {
      callControlId: ids.callControlId(),
      callLegId: ids.uuid(),
      callSessionId: ids.uuid(),
      connectionId: fields.connectionId,
      from: fields.from,
      to: fields.to,
      clientState: stringField(body, 'client_state') ?? null,
      ringTimeoutMs: timeoutSecs * 1000,
    };
    const call = new SimulatedCall(init, {
      clock,
      knobs,
      idle,
      emit: (source, eventType, payload, isLast) => {
        const event = { record_type: 'event' as const, event_type: eventType, id: ids.uuid(), occurred_at: source.nextOccurredAt(), payload };
        deps.sendWebhook(source.callControlId, fields.webhookUrl, event, isLast);
      },
      onEnded: (ended) => {
        if (fields.occupiesChannel) counters.liveCalls--;
        deps.onCallEnded(ended.snapshot());
      },
    });
    calls.set(call.callControlId, call);
    counters.callsPlaced++;
    if (fields.occupiesChannel) {
      counters.liveCalls++;
      counters.maxLiveCalls = Math.max(counters.maxLiveCalls, counters.liveCalls);
    }
    return call;
  };

  /** Telnyx ignores a command_id already used on the same call within 60 s, answering as if it acted. */
  const isRepeat = (call: SimulatedCall, body: Record<string, unknown>) => {
    const commandId = stringField(body, 'command_id');
    return commandId !== undefined && actions.get(`${call.callControlId}|${commandId}`, clock.now()) === true;
  };

  const accept = (call: SimulatedCall, body: Record<string, unknown>) => {
    const commandId = stringField(body, 'command_id');
    if (commandId !== undefined) actions.remember(`${call.callControlId}|${commandId}`, true, clock.now());
    // A command's client_state replaces the call's for every later webhook, as on Telnyx.
    const clientState = stringField(body, 'client_state');
    if (clientState !== undefined) call.clientState = clientState;
  };

  return {
    dial(body) {
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

      const commandId = stringField(body, 'command_id');
      const earlier = commandId === undefined ? undefined : dials.get(commandId, now);
      if (earlier) return { status: 200, body: earlier, deduplicated: true };

      if (dialWindow.count(now) >= k.dialsPerSecond) {
        counters.rateLimited++;
        const retryAfter = Math.max(1, Math.ceil(dialWindow.msUntilSlot(now) / 1000));
        throw telnyxErrors.tooManyRequests(`Dial rate limit exceeded: at most ${k.dialsPerSecond} dials per second.`, retryAfter);
      }
      dialWindow.add(now);

      const scenario = scenarioFor(to);
      const attemptKey = commandId ?? `to:${to}`;
      if (scenario === Scenario.invalidDestination) throw telnyxErrors.invalidDestination();
      if (scenario === Scenario.carrierError && !failedOnce.has(attemptKey)) {
        failedOnce.add(attemptKey);
        throw telnyxErrors.unexpected(500, 'The call could not be set up because of an upstream carrier error.');
      }
      if (scenario === Scenario.rateLimited && !failedOnce.has(attemptKey)) {
        failedOnce.add(attemptKey);
        throw telnyxErrors.tooManyRequests('You have exceeded the maximum number of allowed requests.', 1);
      }
      const overChannels = counters.liveCalls >= k.channels;
      if (overChannels) counters.channelLimited++;
      if (overChannels && k.channelLimitMode === 'api-429') {
        throw telnyxErrors.tooManyRequests(`User channel limit exceeded: ${k.channels} concurrent calls allowed on this account.`, 1);
      }

      const call = place(body, { connectionId, to, from, webhookUrl, occupiesChannel: !overChannels });
      // Dialing is asynchronous on Telnyx: the dial response always says is_alive false.
      const data = { ...call.resource(), is_alive: false };
      if (commandId !== undefined) dials.remember(commandId, { data }, now);
      const reaction: FarEndReaction = overChannels ? 'channel-limit' : REACTIONS[scenario];
      return { status: 200, body: { data }, after: () => call.begin(reaction) };
    },

    speak(callControlId, body) {
      const call = findCall(callControlId);
      if (isRepeat(call, body)) return { ...OK, deduplicated: true };
      const payload = stringField(body, 'payload');
      if (payload === undefined) throw telnyxErrors.missingParameter('payload');
      if (stringField(body, 'voice') === undefined) throw telnyxErrors.missingParameter('voice');
      if (call.state === 'ended') throw telnyxErrors.callEnded();
      if (call.state === 'ringing') throw telnyxErrors.callNotAnswered();
      accept(call, body);
      return { ...OK, after: () => call.speak(payload) };
    },

    hangup(callControlId, body) {
      const call = findCall(callControlId);
      if (isRepeat(call, body)) return { ...OK, deduplicated: true };
      if (call.state === 'ended') throw telnyxErrors.callEnded();
      accept(call, body);
      return { ...OK, after: () => call.hangup() };
    },

    status(callControlId) {
      return { status: 200, body: { data: findCall(callControlId).resource() } };
    },

    calls,
    get counters() {
      return { ...counters };
    },
    disposeAll() {
      for (const call of calls.values()) call.dispose();
    },
  };
}
