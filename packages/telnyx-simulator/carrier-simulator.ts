import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSystemClock } from './clock.ts';
import type { Clock } from './clock.ts';
import { defaultAccount, type SimulatedAccount } from './api/account.ts';
import { createApiRouter } from './api/api-router.ts';
import type { CommandRecord } from './api/api-router.ts';
import { createCallControl } from './api/call-control.ts';
import type { CallControl, CallCounters } from './api/call-control.ts';
import { createCallObservations } from './call/call-observations.ts';
import type { CallObservations } from './call/call-observations.ts';
import { trimHistory } from './history-limit.ts';
import { createIdleTracker } from './idle-tracker.ts';
import { sendLostAnswer } from './api/lost-answer.ts';
import type { CallSnapshot } from './call/call-views.ts';
import { createIdSource } from './simulator-ids.ts';
import type { IdSource } from './simulator-ids.ts';
import { isLoopbackHost, readBody, sendJson } from './api/simulator-http.ts';
import type { Reply } from './api/simulator-http.ts';
import { DEFAULT_KNOBS } from './simulator-options.ts';
import type { SimulatorKnobs, SimulatorOptions } from './simulator-options.ts';
import { TelnyxApiFailure, telnyxErrors } from './api/telnyx-errors.ts';
import { createWebhookDispatcher } from './webhooks/webhook-dispatcher.ts';
import type { WebhookAttempt, WebhookCounts, WebhookDispatcher } from './webhooks/webhook-dispatcher.ts';
import { createWebhookSigner } from './webhooks/webhook-signer.ts';

export type { CommandRecord } from './api/api-router.ts';

/** Counters since start, for tests and benchmarks. */
export type SimulatorStats = CallCounters & {
  faultsInjected: number;
  webhooks: WebhookCounts;
};

/** Events a test can listen to (or `once()` on) instead of sleeping. */
export type SimulatorEventMap = {
  /** An API request has been read and is about to wait out `apiLatencyMs` and be answered. */
  request: [{ method: string; path: string }];
  command: [CommandRecord];
  webhook: [WebhookAttempt];
  'call-ended': [CallSnapshot];
};

/**
 * A Telnyx Call Control v2 stand-in on loopback HTTP: the real `telnyx` SDK talks to it with
 * `baseURL` set to {@link CarrierSimulator.baseUrl} (which ends in `/v2`, as the SDK's default does), and
 * `webhooks.unwrap` accepts its webhooks given {@link CarrierSimulator.publicKeyBase64}.
 * Single use: `start` once, `stop` once. See README.md beside this file for scenarios and knobs.
 */
export class CarrierSimulator extends EventEmitter<SimulatorEventMap> {
  /** Base64 of the raw 32-byte ed25519 public key that verifies this simulator's webhooks. */
  readonly publicKeyBase64: string;
  /** Every dial, speak and hangup received, in arrival order. */
  readonly commands: CommandRecord[] = [];
  /** Every webhook delivery attempt, in order. */
  readonly webhookAttempts: WebhookAttempt[] = [];
  #knobs: SimulatorKnobs;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #ids: IdSource;
  readonly #idle = createIdleTracker();
  readonly #webhookIdle = createIdleTracker();
  readonly #dispatcher: WebhookDispatcher;
  readonly #control: CallControl;
  readonly #respond: (req: IncomingMessage, text: string) => Reply;
  /** Questions about the calls placed, for tests and the soak: see {@link CallObservations}. */
  readonly observe: CallObservations;
  /**
   * The account behind the API key (balance, applications, outbound voice profiles, numbers): what set-up checks
   * read and set-up changes. Mutable: tests break one piece at a time.
   */
  readonly account: SimulatedAccount;
  /** Aborted on stop: API requests waiting out `apiLatencyMs` answer at once. */
  readonly #stopping = new AbortController();
  #faultsInjected = 0;
  #server: Server | undefined;
  #baseUrl: string | undefined;
  #state: 'new' | 'running' | 'stopped' = 'new';

  constructor(options: SimulatorOptions = {}) {
    super();
    const { clock, random, signingSeedBase64, account, ...knobs } = options;
    this.account = account ?? defaultAccount();
    this.#knobs = { ...DEFAULT_KNOBS, ...withoutUndefined(knobs) };
    this.#clock = clock ?? createSystemClock();
    this.#random = random ?? Math.random;
    this.#ids = createIdSource(this.#random);
    const signer = createWebhookSigner(signingSeedBase64);
    this.publicKeyBase64 = signer.publicKeyBase64;
    const knobsNow = () => this.#knobs;
    const dispatcher = createWebhookDispatcher({
      clock: this.#clock,
      signer,
      knobs: knobsNow,
      random: this.#random,
      idle: {
        begin: () => {
          const overall = this.#idle.begin();
          const webhooks = this.#webhookIdle.begin();
          return () => {
            overall();
            webhooks();
          };
        },
      },
      onAttempt: (attempt) => {
        this.webhookAttempts.push(attempt);
        trimHistory(this.webhookAttempts, this.#knobs.historyLimit);
        this.emit('webhook', attempt);
      },
    });
    this.#dispatcher = dispatcher;
    this.#control = createCallControl({
      clock: this.#clock,
      ids: this.#ids,
      knobs: knobsNow,
      random: this.#random,
      idle: this.#idle,
      sendWebhook: (callControlId, route, event, isLast) => dispatcher.send(callControlId, route, event, isLast),
      onCallEnded: (call) => this.emit('call-ended', call),
    });
    this.#respond = createApiRouter({
      clock: this.#clock,
      knobs: knobsNow,
      random: this.#random,
      control: this.#control,
      onFault: () => this.#faultsInjected++,
      account: () => this.account,
      onCommand: (record) => {
        this.commands.push(record);
        trimHistory(this.commands, this.#knobs.historyLimit);
        this.emit('command', record);
      },
    });
    this.observe = createCallObservations(this.#control.calls);
  }

  /** What to give the SDK as `baseURL` (or `TELNYX_BASE_URL`): `http://host:port/v2`. */
  get baseUrl(): string {
    if (this.#baseUrl === undefined) throw new Error('carrier simulator is not started');
    return this.#baseUrl;
  }

  /** The knobs in force. */
  get knobs(): Readonly<SimulatorKnobs> {
    return { ...this.#knobs };
  }

  /** Changes knobs at runtime; calls already placed keep their ring timeout, time limit, detection and webhook route. */
  configure(partial: Partial<SimulatorKnobs>): void {
    this.#knobs = { ...this.#knobs, ...withoutUndefined(partial) };
  }

  /** Listens on loopback (port 0 picks a free port) and resolves with the SDK base URL. */
  async start({ host = '127.0.0.1', port = 0 }: { host?: string; port?: number } = {}): Promise<{ baseUrl: string; port: number }> {
    if (this.#state !== 'new') throw new Error(`carrier simulator cannot start: it is ${this.#state}`);
    if (!isLoopbackHost(host)) throw new Error(`carrier simulator listens on loopback only, not ${host}`);
    this.#state = 'running';
    const server = createServer((req, res) => {
      this.#serve(req, res).catch((error: unknown) => {
        // A bug in the simulator (or a throwing listener): say so plainly, it is a test tool, not the service.
        const failure = telnyxErrors.unexpected(500, `Simulator fault: ${String(error)}`);
        sendJson(res, { status: failure.status, body: failure.body }, 'none');
      });
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.#baseUrl = `http://${hostPart}:${address.port}/v2`;
    return { baseUrl: this.#baseUrl, port: address.port };
  }

  /** Closes the server, cancels every timer, drops queued webhooks and awaits the deliveries on the wire. */
  async stop(): Promise<void> {
    if (this.#state !== 'running') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopped';
    this.#stopping.abort();
    this.#control.disposeAll();
    const server = this.#server;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
    await this.#dispatcher.stop();
  }

  /** Resolves when no API request, webhook delivery or far-end step is pending (`maxCallMs` and time-limit hangups do not count). */
  whenIdle(): Promise<void> {
    return this.#idle.whenIdle();
  }

  /**
   * Resolves when no webhook is held, queued, in flight or waiting to retry. Unlike {@link whenIdle} it ignores
   * the far end's timers, so a test on a manual clock can settle deliveries before advancing time.
   */
  whenWebhooksSettled(): Promise<void> {
    return this.#webhookIdle.whenIdle();
  }

  /** Resolves with the first command, already received or yet to come, that matches. */
  waitForCommand(match: (command: CommandRecord) => boolean = () => true): Promise<CommandRecord> {
    const seen = this.commands.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const listener = (command: CommandRecord) => {
        if (!match(command)) return;
        this.off('command', listener);
        resolve(command);
      };
      this.on('command', listener);
    });
  }

  /** Calls still alive (ringing or answered) at the carrier. */
  liveCalls(): CallSnapshot[] {
    return this.observe.live();
  }

  /** Dials placed (calls created) whose dial carried this `client_state`; the soak's "none dialed twice". */
  placedCount(clientState: string): number {
    return this.observe.placedCount(clientState);
  }

  /** Calls answered (by a person or a machine) on which nothing was ever spoken: a silent answered call. */
  answeredNeverSpoken(): CallSnapshot[] {
    return this.observe.answeredNeverSpoken();
  }

  /** Texts spoken on a call, in order. */
  spoken(callControlId: string): string[] {
    return [...(this.#control.calls.get(callControlId)?.spoken ?? [])];
  }

  /** Texts spoken on every call to a number, in order of the calls. */
  spokenTo(to: string): string[] {
    return [...this.#control.calls.values()].filter((call) => call.init.to === to).flatMap((call) => call.spoken);
  }

  call(callControlId: string): CallSnapshot | undefined {
    return this.#control.calls.get(callControlId)?.snapshot();
  }

  calls(): CallSnapshot[] {
    return [...this.#control.calls.values()].map((call) => call.snapshot());
  }

  get stats(): SimulatorStats {
    return { ...this.#control.counters, faultsInjected: this.#faultsInjected, webhooks: this.#dispatcher.counts };
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const done = this.#idle.begin();
    const requestId = this.#ids.uuid();
    try {
      const text = await readBody(req);
      this.emit('request', { method: req.method ?? '', path: req.url ?? '' });
      if (this.#knobs.apiLatencyMs > 0) await this.#clock.sleep(this.#knobs.apiLatencyMs, this.#stopping.signal);
      const reply = this.#respond(req, text);
      if (reply.lostAs === undefined) sendJson(res, reply, requestId);
      else sendLostAnswer(res, reply, requestId);
      if (this.#state === 'running') reply.after?.();
    } catch (error) {
      if (!(error instanceof TelnyxApiFailure)) throw error;
      sendJson(res, { status: error.status, body: error.body, headers: error.headers }, requestId);
    } finally {
      done();
    }
  }

}

function withoutUndefined<T extends object>(partial: T): Partial<T> {
  return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<T>;
}
