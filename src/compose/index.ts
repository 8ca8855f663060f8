import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createSystemClock, type Clock } from '../kernel/clock.ts';
import type { Config } from '../config/schema.ts';
import type { InstanceInfo } from '../kernel/instance.ts';
import { ROOT_DIR } from '../kernel/paths.ts';
import { createViews, type Views } from '../http/views.ts';
import { createLogger, type Logger } from '../kernel/logger.ts';
import { createMetrics, type Metrics } from '../kernel/metrics.ts';
import { createStore } from '../store/create-store.ts';
import type { Store } from '../store/store.ts';
import { createCallService, type CallService } from '../calls/call-service.ts';
import { createCallPlacer } from '../dialing/place-call.ts';
import { createReconciler } from '../upkeep/reconciler.ts';
import { ReconcileLoop } from '../upkeep/reconcile-loop.ts';
import { createChannelRefusalHandler } from '../dialing/requeue-call.ts';
import type { SchedulingRules } from '../calls/input/schedule-input.ts';
import { defaultAllowedCountries, SIMULATOR_CALLER_ID } from '../calls/input/destination-policy.ts';
import { createMaintenance, MaintenanceJobs, type Maintenance } from '../upkeep/housekeeping.ts';
import { Dialer } from '../dialing/dialer.ts';
import { createDialLimiter } from '../dialing/dial-limiter.ts';
import { Capacity } from '../dialing/capacity.ts';
import { DialRecovery, DIAL_LEASE_MS } from '../dialing/recovery.ts';
import { createInProcessNotifier, type Notifier } from '../kernel/cluster-bus.ts';
import { createPgNotifier } from '../store/postgres/pg-notify.ts';
import type { Telephony } from '../calls/carrier.ts';
import { createTelnyxTelephony } from '../telnyx/telnyx-telephony.ts';
import { createRetryingTelephony } from '../telnyx/command-retries.ts';
import { withDialRetries } from '../dialing/dial-retries.ts';
import { CarrierSimulator } from 'telnyx-simulator';
import { createBuiltinJokeSource } from '../jokes/builtin-joke-source.ts';
import { createHttpJokeSource } from '../jokes/http-joke-source.ts';
import type { JokeSource } from '../calls/joke-source.ts';
import { EventWorker } from '../inbox/inbox-worker.ts';
import { createEventHandler } from '../calls/handle-event.ts';
import { toCarrierNotice } from '../telnyx/telnyx-events.ts';
import { createCallFlow, type CallFlow } from '../calls/call-flow.ts';
import { reportsGreetingEnd } from '../telnyx/speech-options.ts';
import { createWebhookVerifier, type WebhookVerifier } from '../telnyx/webhook-verifier.ts';
import { createAccountParts, type AccountParts } from './accounts.ts';
import type { DevOutbox } from '../mail/dev-outbox.ts';
import { createScheduleKeeper, ScheduleKeeper, SCHEDULE_SWEEP_MS } from '../schedules/schedule-keeper.ts';
import { createScheduleService, type ScheduleService } from '../schedules/schedule-service.ts';
import { createRetries, type Retries } from '../schedules/retry-calls.ts';
import { createChangeSignal, withChangeSignal } from '../live/change-signal.ts';
import { LiveStreams } from '../live/live-streams.ts';
import { callJson } from '../http/call-json.ts';


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
  endpoint: { localUrl: string | undefined; tunnelUrl: string | undefined };
  jokes: JokeSource;
  verifyWebhook: WebhookVerifier;
  events: EventWorker;
  /** What the callee hears, step by step; `nudge` speaks to an answered call left silent by a lost webhook. */
  callFlow: CallFlow;
  queue: Dialer;
  /** Signals between the instances on one database (in-process alone on SQLite); `changed` feeds the live page. */
  notifier: Notifier;
  calls: CallService;
  maintenance: Maintenance;
  /** Checks the calls we think are live against the carrier's record, at start and every few seconds. */
  reconciler: ReconcileLoop;
  jobs: MaintenanceJobs;
  /** Repeating schedules (issue 12); their keeper creates each next occurrence, and retries ride on its sweep. */
  schedules: ScheduleService;
  scheduleKeeper: ScheduleKeeper;
  retries: Retries;
  /** Open live streams (`GET /api/calls/events`), closed first on shutdown. */
  live: LiveStreams;
} & AccountParts;

export type DepsOverrides = Partial<
  Pick<Deps, 'logger' | 'clock' | 'newId' | 'store' | 'metrics' | 'views' | 'instance' | 'telephony' | 'jokes' | 'simulator' | 'notifier'>
> & {
  isTty?: boolean;
  /** The development outbox to keep mails in (tests pass one to read them). */
  outbox?: DevOutbox;
  /** Randomness for retry jitter and joke choice (tests make it predictable). */
  random?: () => number;
};

/**
 * The composition root: builds each part once and wires them explicitly. Tests pass overrides (a manual clock,
 * a logger writing to memory, a store on a temp file) and get the same app.
 */
export function buildDeps(config: Config, overrides: DepsOverrides = {}): Deps {
  const clock = overrides.clock ?? createSystemClock();
  const newId = overrides.newId ?? randomUUID;
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, pretty: config.logPretty && overrides.isTty === true });
  const pkg = JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8')) as { version: string };
  // Every call change made through this store rings the live streams of this instance (issue 11).
  const changeSignal = createChangeSignal();
  const store = withChangeSignal(overrides.store ?? createStore(config.databaseUrl, ROOT_DIR), changeSignal);
  const metrics = overrides.metrics ?? createMetrics();
  const random = overrides.random ?? Math.random;
  const instance = overrides.instance ?? { instanceId: newId(), hostname: hostname(), version: pkg.version, startedAt: clock.now() };
  const owner = instance.instanceId;
  const notifier =
    overrides.notifier ??
    (/^postgres(ql)?:\/\//.test(config.databaseUrl)
      ? createPgNotifier({ connectionString: config.databaseUrl, instanceId: owner, clock, logger })
      : createInProcessNotifier((err) => logger.error({ err }, 'a queue signal listener failed')));
  // One dial-rate limiter for claims, dial retries and recovered dials, shared through the database.
  const dialRate = createDialLimiter({ store, clock, perSecond: config.queue.dialsPerSecond, windowMs: 1000 + config.queue.dialRateMarginMs });
  const endpoint: Deps['endpoint'] = { localUrl: undefined, tunnelUrl: undefined };
  const { apiKey } = config.telnyx;
  // No API key: the carrier simulator stands in for Telnyx, so a new user sees the whole flow offline.
  const simulator =
    overrides.simulator ??
    (apiKey
      ? undefined
      : new CarrierSimulator({
          answerDelayMs: config.simulator.answerDelayMs,
          speakMsPerChar: config.simulator.speakMsPerChar,
          maxCallMs: config.simulator.maxCallMs,
          random,
        }));
  const carrier =
    overrides.telephony ??
    createRetryingTelephony(
      createTelnyxTelephony({
        apiKey: apiKey ?? 'simulator',
        baseUrl: () => (simulator ? simulator.baseUrl : config.telnyx.baseUrl),
        connectionId: config.telnyx.connectionId ?? 'simulated-connection',
        fromNumber: config.telnyx.fromNumber ?? SIMULATOR_CALLER_ID,
        webhookUrl: () => {
          if (simulator) return endpoint.localUrl && `${endpoint.localUrl}/webhook`;
          const base = config.publicUrl ?? endpoint.tunnelUrl;
          return base ? `${base.replace(/\/$/, '')}/webhook` : undefined;
        },
        voice: config.telnyx.voice,
        language: config.telnyx.language,
        ringTimeoutSecs: config.telnyx.ringTimeoutSecs,
        timeLimitSecs: config.telnyx.timeLimitSecs,
        webhookRetriesMs: config.telnyx.webhookRetriesMs,
        answeringMachineDetection: config.telnyx.answeringMachineDetection,
        requestTimeoutMs: config.telnyx.requestTimeoutMs,
      }),
      { clock, random, logger, command: { baseMs: 250, capMs: 8000, budgetMs: 30_000 } },
    );
  const telephony = withDialRetries(carrier, {
    clock,
    random,
    logger,
    // Every dial retry must land inside Telnyx's 60 s command_id window, or a repeat could place a second call.
    policy: { baseMs: 250, capMs: 8000, budgetMs: config.queue.dialRetryWindowSeconds * 1000 },
    dialRate,
    // Half the rate's margin: a dial sent later than that after its slot takes a fresh one (see the margin).
    staleSlotMs: config.queue.dialRateMarginMs / 2,
  });
  const builtinJokes = createBuiltinJokeSource({ random });
  const jokes =
    overrides.jokes ??
    (config.jokes.apiUrl
      ? createHttpJokeSource({ url: config.jokes.apiUrl, timeoutMs: config.jokes.timeoutMs, fallback: builtinJokes, logger })
      : builtinJokes);

  // A freed channel is told to every instance's queue (this one's at once), through the notifier.
  const channelFreed = () => notifier.publish({ kind: 'freed' });
  const placeCall = createCallPlacer({
    store,
    clock,
    logger,
    metrics,
    telephony,
    channelFreed,
    dialWindowMs: config.queue.dialRetryWindowSeconds * 1000,
  });
  const capacity = new Capacity({
    clock,
    logger,
    maxConcurrentCalls: config.queue.maxConcurrentCalls,
    probeSeconds: config.queue.capacityProbeSeconds,
    onRaised: () => queue.capacityRaised(),
  });
  // A claimed occurrence has left `scheduled`: its schedule gets its next one at once.
  const dispatch: typeof placeCall = Object.assign((call: Parameters<typeof placeCall>[0], how: Parameters<typeof placeCall>[1]) => {
    scheduleKeeper.occurrenceLeft(call);
    return placeCall(call, how);
  }, placeCall);
  const recovery = new DialRecovery({
    store,
    clock,
    logger,
    metrics,
    owner,
    limiter: dialRate,
    dispatch: placeCall,
    dialing: placeCall.dialing,
    options: { leaseMs: DIAL_LEASE_MS, dialWindowMs: config.queue.dialRetryWindowSeconds * 1000, maxLatenessSeconds: config.queue.maxLatenessSeconds },
  });
  const queue: Dialer = new Dialer({
    store,
    clock,
    logger,
    metrics,
    options: { windowSize: config.queue.windowSize, leaseMs: DIAL_LEASE_MS },
    capacity,
    limiter: dialRate,
    recovery,
    owner,
    dispatch,
  });
  // Every instance's queue hears what any instance schedules, cancels or frees.
  notifier.subscribe((signal) => {
    if (signal.kind === 'scheduled') queue.scheduled({ id: signal.id, dueAt: signal.dueAt });
    else if (signal.kind === 'canceled') queue.canceled(signal.id);
    else if (signal.kind === 'freed') queue.channelFreed();
    else if (signal.kind === 'resync') queue.resync();
    // A call changed on any instance (or signals may have been missed): this instance's live streams read now.
    if (signal.kind === 'changed') changeSignal.ring(signal.accountId);
    else if (signal.kind === 'resync') changeSignal.ring();
  });
  const queueSignals = {
    scheduled: (entry: { id: string; dueAt: number }) => notifier.publish({ kind: 'scheduled', id: entry.id, dueAt: entry.dueAt }),
    canceled: (id: string) => notifier.publish({ kind: 'canceled', id }),
  };
  const beforeSchedule = (accountId: string, to: string, dueAt: number) => accountParts.limits.beforeSchedule(accountId, to, dueAt);
  const retries = createRetries({ store, clock, logger, newId, queue: queueSignals, beforeSchedule });
  const keeperCore = createScheduleKeeper({ store, clock, logger, newId, queue: queueSignals, beforeSchedule, maxLatenessMs: config.queue.maxLatenessSeconds * 1000 });
  const scheduleKeeper = new ScheduleKeeper({ core: keeperCore, clock, logger, sweepMs: SCHEDULE_SWEEP_MS, alsoSweep: [() => retries.sweep()] });
  const maintenance = createMaintenance({
    store,
    clock,
    logger,
    metrics,
    options: config.maintenance,
    channelFreed,
    telephony,
    maxCallMs: (config.queue.dialRetryWindowSeconds + config.telnyx.ringTimeoutSecs + config.telnyx.timeLimitSecs + config.reconcile.hangupGraceSeconds) * 1000,
  });
  const callFlow = createCallFlow({
    store, clock, logger, metrics, telephony, jokes, menuTimeoutMs: config.telnyx.menuTimeoutMs,
    onOptedOut: async (number, at, reason) => (await store.endSchedulesTo(number, at, reason)).length,
  });
  const amd = config.telnyx.answeringMachineDetection;
  const handle = createEventHandler({
    store,
    clock,
    logger,
    metrics,
    flow: callFlow,
    channelFreed,
    detectsMachines: amd !== 'disabled',
    onHungUpBeforeAnswer: createChannelRefusalHandler({
      store,
      clock,
      logger,
      metrics,
      queue: { scheduled: queueSignals.scheduled, channelRefused: () => queue.channelRefused() },
      channelFreed,
      options: { backoffMs: config.queue.channelLimitBackoffSeconds * 1000, maxRequeues: config.queue.channelLimitMaxRequeues },
    }),
    waitsForGreeting: reportsGreetingEnd(amd),
    onEnded: (call) => retries.ended(call),
  });
  const events = new EventWorker({ store, clock, logger, metrics, handle, read: toCarrierNotice, owner });
  const reconciler = createReconciler({
    store,
    clock,
    logger,
    metrics,
    telephony,
    channelFreed,
    isDialing: placeCall.isDialing,
    leasedDials: (now) => store.leasedDials(now),
    // On the call's event chain: a nudge never speaks while a webhook of the same call is being applied.
    nudge: (callId) => events.serialise(callId, () => callFlow.nudge(callId)),
    options: {
      ringTimeoutMs: config.telnyx.ringTimeoutSecs * 1000,
      timeLimitMs: config.telnyx.timeLimitSecs * 1000,
      dialWindowMs: config.queue.dialRetryWindowSeconds * 1000,
      unknownGraceMs: config.reconcile.unknownGraceSeconds * 1000,
      silentAfterMs: config.reconcile.silentAfterSeconds * 1000,
      hangupGraceMs: config.reconcile.hangupGraceSeconds * 1000,
    },
  });
  const accountParts = createAccountParts({
    config,
    store,
    clock,
    newId,
    logger,
    rootDir: ROOT_DIR,
    localUrl: () => endpoint.localUrl,
    outbox: overrides.outbox,
  });
  const rules: SchedulingRules = {
    ...config.scheduling,
    // Unset: only the caller id's own country (the simulator's is a US number), so a stranger cannot run up an
    // international bill; anything wider is the operator's explicit choice.
    allowedCountries:
      config.scheduling.allowedCountries ??
      defaultAllowedCountries(config.telnyx.fromNumber ?? (simulator ? SIMULATOR_CALLER_ID : undefined), config.scheduling.defaultCountry),
  };
  return {
    config,
    logger,
    clock,
    newId,
    store,
    metrics,
    views: overrides.views ?? createViews({ templatesDir: join(ROOT_DIR, 'templates') }),
    instance,
    rules,
    telephony,
    simulator,
    simulated: simulator !== undefined,
    endpoint,
    jokes,
    verifyWebhook: createWebhookVerifier({ publicKey: () => (simulator ? simulator.publicKeyBase64 : config.telnyx.publicKey) }),
    events,
    callFlow,
    queue,
    notifier,
    calls: createCallService({ store, clock, newId, queue: queueSignals, beforeSchedule: (accountId, to, dueAt) => accountParts.limits.beforeSchedule(accountId, to, dueAt) }),
    ...accountParts,
    maintenance,
    reconciler: new ReconcileLoop({ reconciler, clock, logger, intervalMs: config.reconcile.intervalMs, lease: { leases: store, owner } }),
    jobs: new MaintenanceJobs({ maintenance, options: config.maintenance, logger, lease: { leases: store, owner, clock } }),
    schedules: createScheduleService({ store, clock, newId, rules, queue: queueSignals, keeper: keeperCore, beforeSchedule }),
    scheduleKeeper,
    retries,
    live: new LiveStreams({ store, clock, logger, signal: changeSignal, toJson: callJson }),
  };
}

