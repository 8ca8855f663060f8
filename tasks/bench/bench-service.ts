import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destination } from 'pino';
import { loadConfig, mergeConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/schema.ts';
import { buildDeps, type Deps } from '../../src/compose/index.ts';
import { ROOT_DIR } from '../../src/kernel/paths.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { Service } from '../../src/service.ts';

import { freePort } from '../free-port.ts';

export { freePort };

/** A fresh temp folder for one scenario's files (a SQLite database: see `createBenchDb`). */
export function benchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `daj-bench-${prefix}-`));
}

export type BenchServiceOptions = {
  /** The scenario's own fresh database (`sqlite:…` or `postgres://…`; see bench-db.ts). */
  databaseUrl: string;
  /** The carrier: its API address (`…/v2`) and the base64 key that verifies its webhooks. */
  telnyx: { baseUrl: string; publicKey: string };
  /** Config overrides on top of the production stage (queue limits…). */
  overrides?: Record<string, unknown>;
  /** Answer webhooks from a listener that applies each before answering (see inline-webhooks.ts). */
  inlineWebhooks?: boolean;
};

export type BenchService = {
  deps: Deps;
  config: Config;
  service: Service;
  /** Migrates (idempotent; setup may insert before start), starts workers and the listener. */
  start(): Promise<string>;
};

/**
 * The real service, built by the real composition root, configured as an operator would run it: the production
 * stage, a Telnyx-compatible carrier (the simulator in its own process, or nothing for benchmarks that never dial),
 * logs at `info` — written to /dev/null, so their cost is paid but the terminal stays readable.
 */
export async function buildBenchService(options: BenchServiceOptions): Promise<BenchService> {
  const port = await freePort();
  const config = loadConfig({
    env: { STAGE: 'production' },
    configDir: join(ROOT_DIR, 'config'),
    overrides: mergeConfig(
      {
        host: '127.0.0.1',
        port,
        databaseUrl: options.databaseUrl,
        publicUrl: `http://127.0.0.1:${port}`,
        logLevel: 'info',
        http: { shutdownTimeoutMs: 1000 },
        telnyx: {
          apiKey: 'bench-key',
          publicKey: options.telnyx.publicKey,
          connectionId: 'bench-connection',
          fromNumber: '+12025550100',
          baseUrl: options.telnyx.baseUrl,
        },
        // Production requires mail and a signing secret; no benchmark sends mail (nodemailer connects only to send).
        mail: { smtpUrl: 'smtp://127.0.0.1:9' },
        auth: { jwtSecret: randomBytes(32).toString('base64url') },
        // Benchmarks measure throughput, not the abuse limits (0 = off): one bench account schedules thousands of calls.
        limits: Object.fromEntries(
          ['callsPerAccountPerDay', 'pendingCallsPerAccount', 'callsPerNumberPerDay', 'callsPerNumberPerAccountPerDay', 'loginsPerAddressPer15Min', 'loginFailuresPerAccountPer15Min', 'loginFailuresPerAccountAndAddressPer15Min', 'registrationsPerAddressPerHour', 'mailsPerRecipientPerHour'].map((k) => [k, 0]),
        ),
        // The bench account is new: no probation either.
        probation: { days: 0 },
      },
      options.overrides ?? {},
    ),
  });
  const logger = createLogger({ level: 'info', destination: destination({ dest: '/dev/null', sync: false }) });
  const deps = buildDeps(config, { logger });
  const service = new Service(deps);
  return {
    deps,
    config,
    service,
    async start() {
      await deps.store.migrate();
      return (await service.start()).url;
    },
  };
}


