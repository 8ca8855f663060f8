import type { CallLimitsFor } from '../calls/call-store.ts';
import { v7 as uuidv7 } from 'uuid';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { CarrierSimulator } from 'telnyx-simulator';
import type { CallFlow } from '../calls/call-flow.ts';
import type { CallService } from '../calls/call-service.ts';
import type { Telephony } from '../calls/carrier.ts';
import type { SchedulingRules } from '../calls/input/schedule-input.ts';
import type { JokeSource } from '../calls/joke-source.ts';
import type { Config } from '../config/schema.ts';
import type { Dialer } from '../dialing/dialer.ts';
import { queueSignals } from '../dialing/signals.ts';
import { createViews, type Views } from '../http/views.ts';
import type { WebhookVerifier } from '../inbox/inbox-codec.ts';
import type { InboxWorker } from '../inbox/inbox-worker.ts';
import type { ReceiveWebhook } from '../inbox/receive-webhook.ts';
import { createSystemClock, type Clock } from '../kernel/clock.ts';
import type { ClusterBus } from '../kernel/cluster-bus.ts';
import type { InstanceInfo } from '../kernel/instance.ts';
import { createLogger, type Logger } from '../kernel/logger.ts';
import { createMetrics, type Metrics } from '../kernel/metrics.ts';
import { ROOT_DIR } from '../kernel/paths.ts';
import { LIVE_DEFAULTS, LiveStreams, type LiveLimits } from '../live/live-streams.ts';
import { ringOnBus } from '../live/change-signal.ts';
import { callJson } from '../http/call-json.ts';
import type { DevOutbox } from '../mail/dev-outbox.ts';
import type { ScheduleKeeper } from '../schedules/schedule-keeper.ts';
import type { ScheduleService } from '../schedules/schedule-service.ts';
import type { Retries } from '../schedules/retry-calls.ts';
import type { Store } from '../store/store.ts';
import type { HousekeepingJobs } from '../upkeep/housekeeping.ts';
import type { ReconcileLoop } from '../upkeep/reconcile-loop.ts';
import { createAccountParts, type AccountParts } from './accounts.ts';
import { composeCalls, schedulingRules } from './calls.ts';
import { composeDialing } from './dialing.ts';
import { composeInbox } from './inbox.ts';
import { composeSchedules } from './schedules.ts';
import { composeStore } from './store.ts';
import { composeTelephony, type Endpoint } from './telephony.ts';
import { composeUpkeep } from './upkeep.ts';

/** The live streams' limits from the configuration. */
const liveLimits = (config: Config): LiveLimits => ({
  ...LIVE_DEFAULTS.limits,
  perAccount: config.live.streamsPerAccount,
  total: config.live.streamsPerInstance,
  leaseMs: config.live.leaseSeconds * 1000,
});

/** Everything the app and its workers need, built once by {@link buildDeps}. */
export type Deps = {
  config: Config;
  logger: Logger;
  clock: Clock;
  newId: () => string;
  store: Store;
  metrics: Metrics;
  views: Views;
  instance: InstanceInfo;
  rules: SchedulingRules;
  telephony: Telephony;
  /** The in-process carrier simulator, present when no Telnyx API key is configured. */
  simulator: CarrierSimulator | undefined;
  /** True when calls go to the built-in carrier simulator rather than Telnyx. */
  simulated: boolean;
  /** Our own address, known once the listener is bound; the simulator's webhooks come back to it. */
  endpoint: Endpoint;
  jokes: JokeSource;
  verifyWebhook: WebhookVerifier;
  /** `POST /webhook`'s use-case: verify, store, wake the worker. */
  receiveWebhook: ReceiveWebhook;
  /** Applies stored webhook events in the background, in order per call. */
  inboxWorker: InboxWorker;
  /** What the callee hears, step by step; `nudge` speaks to an answered call left silent by a lost webhook. */
  callFlow: CallFlow;
  dialer: Dialer;
  /** Signals between the instances on one database (in-process alone on SQLite); `changed` feeds the live page. */
  bus: ClusterBus;
  calls: CallService;
  /** Checks the calls we think are live against the carrier's record, at start and every few seconds. */
  reconciler: ReconcileLoop;
  jobs: HousekeepingJobs;
  schedules: ScheduleService;
  scheduleKeeper: ScheduleKeeper;
  retries: Retries;
  /** Open live streams (`GET /api/calls/events`), closed first on shutdown. */
  live: LiveStreams;
} & AccountParts;

export type DepsOverrides = Partial<Pick<Deps, 'logger' | 'clock' | 'newId' | 'store' | 'metrics' | 'views' | 'instance' | 'telephony' | 'jokes' | 'simulator' | 'bus'>> & {
  isTty?: boolean;
  /** The development outbox to keep mails in (tests pass one to read them). */
  outbox?: DevOutbox;
  /** Randomness for retry jitter and joke choice (tests make it predictable). */
  random?: () => number;
};

/**
 * The composition root: builds each module once, in dependency order, and wires them explicitly; effects that cross
 * modules are callbacks given here. Tests pass overrides (a manual clock, a logger writing to memory, a store on a
 * temp file) and get the same app.
 */
export function buildDeps(config: Config, overrides: DepsOverrides = {}): Deps {
  const clock = overrides.clock ?? createSystemClock();
  // Time-ordered ids (UUIDv7: 48 bits of milliseconds, then 74 random): a new row's key lands at the end of each
  // index it leads (the calls' and the timeline's primary keys) instead of on a random page, so a commit writes a few
  // pages, not one per row — a SQLite call insert with its timeline cost 95–105 µs of CPU instead of 147–162 µs
  // (40,000 inserts, 20 per commit). No id grants anything by being unguessable: every read is scoped to its owner.
  const newId = overrides.newId ?? uuidv7;
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, pretty: config.logPretty && overrides.isTty === true });
  const metrics = overrides.metrics ?? createMetrics();
  const random = overrides.random ?? Math.random;
  const pkg = JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8')) as { version: string };
  const instance = overrides.instance ?? { instanceId: newId(), hostname: hostname(), version: pkg.version, startedAt: clock.now() };
  const owner = instance.instanceId;
  const base = { config, clock, logger };

  const { store, bus, changeSignal } = composeStore({ ...base, databaseUrl: config.databaseUrl, rootDir: ROOT_DIR, owner, store: overrides.store, bus: overrides.bus });
  const carrierPart = composeTelephony({ ...base, random, simulator: overrides.simulator, telephony: overrides.telephony });
  const simulated = carrierPart.simulator !== undefined;
  const accountParts = createAccountParts({ ...base, store, newId, rootDir: ROOT_DIR, localUrl: () => carrierPart.endpoint.localUrl, outbox: overrides.outbox });
  const callLimits: CallLimitsFor = (accountId, to, dueAt) => accountParts.limits.callGuard(accountId, to, dueAt);
  // Scheduling, canceling and a freed channel reach every instance's dialer (this one's at once) over the bus.
  const queue = queueSignals(bus);
  const channelFreed = () => bus.publish({ kind: 'freed' });

  const rules = schedulingRules(config, simulated);
  const { schedules, scheduleKeeper, retries } = composeSchedules({ ...base, store, newId, rules, queue, callLimits });
  const dialing = composeDialing({
    ...base,
    store,
    bus,
    metrics,
    random,
    owner,
    carrier: carrierPart.carrier,
    carrierAsIs: overrides.telephony !== undefined,
    channelFreed,
    // A claimed occurrence has left `scheduled`: its schedule gets its next one at once.
    onClaimed: (call) => scheduleKeeper.occurrenceLeft(call),
    queue,
  });
  // The inbox worker is built after the call flow, which needs its event chains for greeting waits: bound late.
  const late: { chains?: InboxWorker } = {};
  const serialise = <T>(callId: string, work: () => Promise<T>): Promise<T> => (late.chains ? late.chains.serialise(callId, work) : work());
  const { calls, callFlow, jokes } = composeCalls({ ...base, store, metrics, newId, random, rules, jokes: overrides.jokes, queue, callLimits: accountParts.limits.countsCalls ? callLimits : undefined, telephony: dialing.telephony, serialise });
  const { inboxWorker, receiveWebhook } = composeInbox({
    ...base,
    store,
    metrics,
    owner,
    verifyWebhook: carrierPart.verifyWebhook,
    callFlow,
    channelRefusal: dialing.channelRefusal,
    channelFreed,
    onEnded: (call) => retries.ended(call),
  });
  late.chains = inboxWorker;
  const { reconciler, jobs } = composeUpkeep({ ...base, store, metrics, owner, telephony: dialing.telephony, channelFreed, placeCall: dialing.placeCall, inboxWorker, callFlow });
  const live = new LiveStreams({ store, clock, logger, signal: changeSignal, toJson: callJson, instanceId: owner, newId, limits: liveLimits(config) });
  ringOnBus(bus, changeSignal);

  return {
    config,
    logger,
    clock,
    newId,
    store,
    metrics,
    views: overrides.views ?? createViews({ templatesDir: join(ROOT_DIR, 'templates'), globals: { tunnelUrl: () => carrierPart.endpoint.tunnelUrl ?? '' } }),
    instance,
    rules,
    telephony: dialing.telephony,
    simulator: carrierPart.simulator,
    simulated,
    endpoint: carrierPart.endpoint,
    jokes,
    verifyWebhook: carrierPart.verifyWebhook,
    receiveWebhook,
    inboxWorker,
    callFlow,
    dialer: dialing.dialer,
    bus,
    calls,
    reconciler,
    jobs,
    schedules,
    scheduleKeeper,
    retries,
    live,
    ...accountParts,
  };
}
