import type { Clock } from '../clock.ts';
import { activeCallsPage } from './active-calls.ts';
import { createCommandLedger } from './command-ledger.ts';
import { createDialCommand } from './dial-command.ts';
import { forgetEndedCalls } from '../history-limit.ts';
import { gatherRequestOf, payloadOf } from './gather-request.ts';
import type { IdleTracker } from '../idle-tracker.ts';
import { SimulatedCall } from '../call/simulated-call.ts';
import type { CallSnapshot } from '../call/call-views.ts';
import { CALL_CONTROL_ID_PATTERN } from '../simulator-ids.ts';
import type { IdSource } from '../simulator-ids.ts';
import { stringField } from './simulator-http.ts';
import type { Reply } from './simulator-http.ts';
import { COMMAND_ID_WINDOW_MS } from '../simulator-options.ts';
import type { SimulatorKnobs } from '../simulator-options.ts';
import { telnyxErrors } from './telnyx-errors.ts';
import type { WebhookEventData, WebhookRoute } from '../webhooks/webhook-dispatcher.ts';

/** Call counters since start. */
export type CallCounters = {
  callsPlaced: number;
  liveCalls: number;
  /** Highest number of simultaneously live calls seen. */
  maxLiveCalls: number;
  rateLimited: number;
  channelLimited: number;
  /** Placed dials whose HTTP answer was lost (`dialUnknownOutcomeRate`). */
  dialsUnknownOutcome: number;
};

export type CallControlDeps = {
  clock: Clock;
  ids: IdSource;
  knobs: () => Readonly<SimulatorKnobs>;
  random: () => number;
  idle: Pick<IdleTracker, 'begin'>;
  sendWebhook: (callControlId: string, route: WebhookRoute, event: WebhookEventData, isLast: boolean) => void;
  onCallEnded: (call: CallSnapshot) => void;
};

/** The Call Control semantics behind the HTTP layer: each method answers a request or throws a Telnyx failure. */
export type CallControl = {
  dial(body: Record<string, unknown>): Reply;
  speak(callControlId: string, body: Record<string, unknown>): Reply;
  gatherUsingSpeak(callControlId: string, body: Record<string, unknown>): Reply;
  gatherStop(callControlId: string, body: Record<string, unknown>): Reply;
  hangup(callControlId: string, body: Record<string, unknown>): Reply;
  status(callControlId: string): Reply;
  activeCalls(connectionId: string, query: URLSearchParams): Reply;
  readonly calls: ReadonlyMap<string, SimulatedCall>;
  readonly counters: Readonly<CallCounters>;
  /** Cancels every call's timers without sending anything. */
  disposeAll(): void;
};

const OK: Reply = { status: 200, body: { data: { result: 'ok' } } };

/** Creates the call-control state: calls, command_id ledgers and the dial path. */
export function createCallControl(deps: CallControlDeps): CallControl {
  const { clock, ids, knobs, idle } = deps;
  const calls = new Map<string, SimulatedCall>();
  /** Each call's place in placement order: the active-calls cursors point at it. */
  const positions = new WeakMap<SimulatedCall, number>();
  const actions = createCommandLedger<true>(COMMAND_ID_WINDOW_MS);
  const counters: CallCounters = { callsPlaced: 0, liveCalls: 0, maxLiveCalls: 0, rateLimited: 0, channelLimited: 0, dialsUnknownOutcome: 0 };

  const findCall = (callControlId: string) => {
    if (!CALL_CONTROL_ID_PATTERN.test(callControlId)) throw telnyxErrors.invalidCallControlId();
    const call = calls.get(callControlId);
    // Which status Telnyx gives a call it no longer knows is not documented: the knob plays either.
    if (!call) throw knobs().unknownCallStatus === 422 ? telnyxErrors.callEnded() : telnyxErrors.resourceNotFound(`No call with call_control_id ${callControlId}.`);
    return call;
  };

  const dial = createDialCommand({
    clock,
    knobs,
    random: deps.random,
    liveCalls: () => counters.liveCalls,
    count: (what) => counters[what]++,
    place: (placement) => {
      const { route, occupiesChannel, ...rest } = placement;
      const init = { ...rest, callControlId: ids.callControlId(), callLegId: ids.timeUuid(clock.now()), callSessionId: ids.timeUuid(clock.now()) };
      const call = new SimulatedCall(init, {
        clock,
        knobs,
        idle,
        emit: (source, eventType, payload, isLast) => {
          const event = { record_type: 'event' as const, event_type: eventType, id: ids.uuid(), occurred_at: source.nextOccurredAt(), payload };
          deps.sendWebhook(source.callControlId, route, event, isLast);
        },
        onEnded: (ended) => {
          if (occupiesChannel) counters.liveCalls--;
          deps.onCallEnded(ended.snapshot());
        },
      });
      forgetEndedCalls(calls, knobs().historyLimit);
      calls.set(call.callControlId, call);
      positions.set(call, counters.callsPlaced);
      counters.callsPlaced++;
      if (occupiesChannel) {
        counters.liveCalls++;
        counters.maxLiveCalls = Math.max(counters.maxLiveCalls, counters.liveCalls);
      }
      return call;
    },
  });

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

  /** Media commands need a live, answered call. */
  const answeredCall = (call: SimulatedCall) => {
    if (call.state === 'ended') throw telnyxErrors.callEnded();
    if (call.state === 'ringing') throw telnyxErrors.callNotAnswered();
  };

  return {
    dial,

    speak(callControlId, body) {
      const call = findCall(callControlId);
      if (isRepeat(call, body)) return { ...OK, deduplicated: true };
      const payload = payloadOf(body);
      if (stringField(body, 'voice') === undefined) throw telnyxErrors.missingParameter('voice');
      answeredCall(call);
      accept(call, body);
      return { ...OK, after: () => call.speak(payload) };
    },

    gatherUsingSpeak(callControlId, body) {
      const call = findCall(callControlId);
      if (isRepeat(call, body)) return { ...OK, deduplicated: true };
      const request = gatherRequestOf(body);
      answeredCall(call);
      accept(call, body);
      return { ...OK, after: () => call.gather(request) };
    },

    gatherStop(callControlId, body) {
      const call = findCall(callControlId);
      if (isRepeat(call, body)) return { ...OK, deduplicated: true };
      answeredCall(call);
      accept(call, body);
      return { ...OK, after: () => call.stopGather() };
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

    activeCalls(connectionId, query) {
      return { status: 200, body: activeCallsPage(
          [...calls.values()].map((call) => ({ call, position: positions.get(call) ?? 0 })),
          connectionId,
          query,
        ), };
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
