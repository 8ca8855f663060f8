import type { CallLimitsFor } from '../calls/call-store.ts';
import { createCallFlow, type CallFlow } from '../calls/call-flow.ts';
import { createCallService, type CallService, type QueueSignals } from '../calls/call-service.ts';
import type { Telephony } from '../calls/carrier.ts';
import { defaultAllowedCountries, SIMULATOR_CALLER_ID } from '../calls/input/destination-policy.ts';
import type { SchedulingRules } from '../calls/input/schedule-input.ts';
import type { JokeSource } from '../calls/joke-source.ts';
import type { Config } from '../config/schema.ts';
import { reportsGreetingEndOnlyOnBeep } from '../telnyx/speech-options.ts';
import { createBuiltinJokeSource } from '../jokes/builtin-joke-source.ts';
import { createHttpJokeSource } from '../jokes/http-joke-source.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { Store } from '../store/store.ts';

/** What a request to schedule is checked against (destinations, how far ahead, message length). */
export function schedulingRules(config: Config, simulated: boolean): SchedulingRules {
  return {
    ...config.scheduling,
    // Unset: only the caller id's own country (the simulator's is a US number), so a stranger cannot run up an
    // international bill; anything wider is the operator's explicit choice.
    allowedCountries:
      config.scheduling.allowedCountries ??
      defaultAllowedCountries(config.telnyx.fromNumber ?? (simulated ? SIMULATOR_CALLER_ID : undefined), config.scheduling.defaultCountry),
  };
}

export type CallsPart = { calls: CallService; callFlow: CallFlow; jokes: JokeSource };

/** The call's own use-cases: scheduling and canceling, and what the callee hears. */
export function composeCalls(deps: {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  newId: () => string;
  random: () => number;
  rules: SchedulingRules;
  telephony: Telephony;
  jokes?: JokeSource;
  queue: QueueSignals;
  /** Undefined when no limit on calls is on: nothing to count, so no locks to take. */
  callLimits: CallLimitsFor | undefined;
  /** The call's event chain (the inbox worker's, built later): a greeting wait that runs out speaks on it. */
  serialise?: <T>(callId: string, work: () => Promise<T>) => Promise<T>;
}): CallsPart {
  const { config, store, clock, logger } = deps;
  const builtinJokes = createBuiltinJokeSource({ random: deps.random });
  const jokes =
    deps.jokes ??
    (config.jokes.apiUrl ? createHttpJokeSource({ url: config.jokes.apiUrl, timeoutMs: config.jokes.timeoutMs, fallback: builtinJokes, logger }) : builtinJokes);
  const callFlow = createCallFlow({
    store,
    clock,
    logger,
    metrics: deps.metrics,
    telephony: deps.telephony,
    jokes,
    menuTimeoutMs: config.telnyx.menuTimeoutMs,
    // Only where the greeting's end may never come (no beep); elsewhere a long greeting is waited out in full.
    greetingWaitMs: reportsGreetingEndOnlyOnBeep(config.telnyx.answeringMachineDetection) ? config.telnyx.greetingWaitSecs * 1000 : 0,
    serialise: deps.serialise,
    // Opting out ends every schedule to the number too (before its occurrences are canceled, so none is made again).
    onOptedOut: async (number, at, reason) => (await store.endSchedulesTo(number, at, reason)).length,
  });
  const calls = createCallService({ store, clock, newId: deps.newId, queue: deps.queue, callLimits: deps.callLimits });
  return { calls, callFlow, jokes };
}
