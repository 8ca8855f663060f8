import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type Koa from 'koa';
import { createApp } from './app.ts';
import type { Deps } from './compose/index.ts';
import { openTunnel, type Tunnel } from './http/tunnel.ts';
import { runDoctor, type DoctorCheck } from './telnyx/telnyx-doctor.ts';
import { answerClientErrors } from './http/security/client-errors.ts';
import { limitConnections } from './http/security/connection-limits.ts';
import { createProxyTrust, trustedProxyList } from './http/security/proxy-trust.ts';
import type { Worker } from './kernel/background.ts';

/**
 * The running service: database migrations, background workers and the HTTP listener, started in that order and
 * stopped in reverse. Stopping lets in-flight requests finish (bounded by `http.shutdownTimeoutMs`) and closes
 * keep-alive sockets so nothing holds the process open.
 */
export class Service {
  readonly deps: Deps;
  readonly app: Koa;
  #server: Server | undefined;
  /** Open sockets and how many requests each has in flight, so a stop can end exactly the idle ones. */
  #sockets = new Map<Socket, number>();
  #responses = new Set<ServerResponse>();
  #stopping: Promise<void> | undefined;
  #tunnel: Tunnel | undefined;

  constructor(deps: Deps) {
    this.deps = deps;
    this.app = createApp(deps);
  }

  /** True while the listener accepts connections. */
  get listening(): boolean {
    return this.#server?.listening ?? false;
  }

  /** Migrates, starts workers, listens; resolves with the address actually bound (port 0 picks a free one). */
  async start(): Promise<{ url: string; port: number; host: string; tunnelUrl?: string; doctor?: DoctorCheck[] }> {
    const { config, store, logger, simulator } = this.deps;
    await store.migrate();
    if (simulator) await simulator.start();
    const handle = this.app.callback();
    const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = config.http;
    // A slow client (slowloris) is cut off once its headers or its whole request take too long; Node checks those
    // deadlines every `connectionsCheckingInterval`, 30 s by default, which let 1,100 slow connections hold the
    // listener for 89 s.
    const headersTimeout = Math.min(headersTimeoutMs, requestTimeoutMs);
    const server = createServer(
      {
        headersTimeout,
        requestTimeout: requestTimeoutMs,
        keepAliveTimeout: keepAliveTimeoutMs,
        connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeout / 4))),
      },
      // Koa's handler settles its own promise (errors go to the error middleware and app 'error').
      (req, res) => void handle(req, res),
    );
    answerClientErrors(server, { logger, newId: this.deps.newId });
    const trust = createProxyTrust(trustedProxyList(config.http));
    if (config.http.trustProxy) logger.warn('TRUST_PROXY is deprecated: it now means TRUSTED_PROXIES=loopback (a proxy on this host); set TRUSTED_PROXIES instead');
    limitConnections(server, {
      max: config.http.maxConnections,
      perAddress: config.http.maxConnectionsPerAddress,
      // A trusted proxy's one address stands for all its clients: the per-address cap applies to everyone else.
      exempt: (address) => trust.trusts(address),
      onClosed: (reason) => this.deps.metrics.connectionsRefused.inc({ reason }),
    });
    // The backstop (twice MAX_CONNECTIONS, see connection-limits.ts) should never be reached.
    server.on('drop', () => this.deps.metrics.connectionsRefused.inc({ reason: 'max_connections' }));
    server.on('connection', (socket: Socket) => {
      this.#sockets.set(socket, 0);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      this.#sockets.set(socket, (this.#sockets.get(socket) ?? 0) + 1);
      this.#responses.add(res);
      if (this.#stopping) res.setHeader('Connection', 'close');
      res.once('close', () => {
        this.#responses.delete(res);
        const inFlight = this.#sockets.get(socket);
        if (inFlight === undefined) return;
        this.#sockets.set(socket, inFlight - 1);
        if (this.#stopping && inFlight === 1) socket.end();
      });
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port, address } = server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    const url = `http://${host}:${port}`;
    this.deps.endpoint.localUrl = url;
    // A developer talking to real Telnyx from a laptop, with no public URL of their own: open the tunnel.
    if (config.stage === 'development' && config.ngrokAuthtoken && !this.deps.simulated && !config.publicUrl) {
      this.#tunnel = await openTunnel({ port, authtoken: config.ngrokAuthtoken, logger });
      this.deps.endpoint.tunnelUrl = this.#tunnel?.url;
    }
    // Development against real Telnyx: no silent start when nothing can receive its webhooks, and the set-up is
    // checked (make doctor's checks) so a broken piece is named before the first call.
    let doctor: DoctorCheck[] | undefined;
    if (config.stage === 'development' && !this.deps.simulated && config.telnyx.apiKey) {
      const publicBase = config.publicUrl ?? this.deps.endpoint.tunnelUrl;
      if (!publicBase) {
        await new Promise((resolve) => server.close(resolve));
        throw new Error(
          config.ngrokAuthtoken
            ? 'TELNYX_API_KEY is set but the ngrok tunnel did not open, so Telnyx webhooks cannot arrive: check NGROK_AUTHTOKEN, or set PUBLIC_URL'
            : 'TELNYX_API_KEY is set but nothing can receive Telnyx webhooks: set NGROK_AUTHTOKEN (a tunnel) or PUBLIC_URL in .env',
        );
      }
      doctor = await runDoctor({
        apiKey: config.telnyx.apiKey,
        baseUrl: config.telnyx.baseUrl,
        connectionId: config.telnyx.connectionId,
        fromNumber: config.telnyx.fromNumber,
        publicKey: config.telnyx.publicKey,
        maxConcurrentCalls: config.queue.maxConcurrentCalls,
        allowedCountries: this.deps.rules.allowedCountries,
        publicBase,
        requestTimeoutMs: config.telnyx.requestTimeoutMs,
      }).catch((err: unknown) => {
        logger.warn({ err }, 'the Telnyx set-up could not be checked');
        return undefined;
      });
    }
    // Workers start after the listener, so a call dialed at once already has somewhere to send its webhooks.
    for (const worker of this.#workers()) await worker.start();
    logger.info({ url, instanceId: this.deps.instance.instanceId, simulated: this.deps.simulated }, 'listening');
    return { url, port, host: address, ...(this.deps.endpoint.tunnelUrl ? { tunnelUrl: this.deps.endpoint.tunnelUrl } : {}), ...(doctor ? { doctor } : {}) };
  }

  /**
   * The background workers in start order: the bus first (the others publish on it); the dialer's recovery before
   * the schedule keeper (old occurrences are `missed` by then, so each schedule gets its next one) and before the
   * reconciler (dials it retries are known to be under way before the first round looks).
   */
  #workers(): Worker[] {
    const { bus, inboxWorker, dialer, scheduleKeeper, reconciler, jobs } = this.deps;
    return [bus, inboxWorker, dialer, scheduleKeeper, reconciler, jobs];
  }

  /** Idempotent graceful stop. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const { logger, store, config, clock, simulator } = this.deps;
    // Before anything is awaited: responses still being prepared tell their clients to go.
    for (const res of this.#responses) if (!res.headersSent) res.setHeader('Connection', 'close');
    // Live streams never finish by themselves: end them now, so their sockets close with the other idle ones.
    await this.deps.live.stop();
    // Pending greeting waits would speak on a stopping service: the reconciler of the next start nudges instead.
    this.deps.callFlow.stop();
    // Workers first, while the carrier and our listener are still up: no new claims, in-flight dials and commands
    // finish (or are left, uncommitted, for the next start). What arrives meanwhile is stored for the next start.
    for (const worker of this.#workers().reverse()) await worker.stop();
    // Account mails already accepted (202) go out before the process ends.
    await this.deps.mailer.drain();
    if (simulator) await simulator.stop();
    const server = this.#server;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets are dropped now (as Node's closeIdleConnections does); busy ones end when their
      // last response is written (see 'request' above).
      for (const [socket, inFlight] of this.#sockets) if (inFlight === 0) socket.destroy();
      const forced = clock.sleep(config.http.shutdownTimeoutMs).then(() => 'timeout' as const);
      if ((await Promise.race([closed, forced])) === 'timeout') {
        logger.warn({ open: this.#sockets.size }, 'shutdown timeout: closing remaining connections');
        server.closeAllConnections();
        await closed;
      }
    }
    await this.#tunnel?.close();
    await store.close();
    logger.info('stopped');
  }
}
