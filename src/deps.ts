import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSystemClock, type Clock } from './clock.ts';
import type { Config } from './config/schema.ts';
import type { InstanceInfo } from './http/routes/health-routes.ts';
import { createViews, type Views } from './http/views.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createStore } from './store/create-store.ts';
import type { Store } from './store/store.ts';

/** The project's root folder (templates, config and relative database paths are found from here). */
export const ROOT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

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
};

export type DepsOverrides = Partial<Omit<Deps, 'config'>> & { isTty?: boolean };

/**
 * The composition root: builds each part once and wires them explicitly. Tests pass overrides (a manual clock,
 * a logger writing to memory, a store on a temp file) and get the same app.
 */
export function buildDeps(config: Config, overrides: DepsOverrides = {}): Deps {
  const clock = overrides.clock ?? createSystemClock();
  const newId = overrides.newId ?? randomUUID;
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, pretty: config.logPretty && overrides.isTty === true });
  const pkg = JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8')) as { version: string };
  return {
    config,
    logger,
    clock,
    newId,
    store: overrides.store ?? createStore(config.databaseUrl, ROOT_DIR),
    metrics: overrides.metrics ?? createMetrics(),
    views: overrides.views ?? createViews({ templatesDir: join(ROOT_DIR, 'templates') }),
    instance: overrides.instance ?? { instanceId: newId(), hostname: hostname(), version: pkg.version, startedAt: clock.now() },
  };
}
