import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/schema.ts';
import { buildDeps, type DepsOverrides } from '../../src/compose/index.ts';
import { ROOT_DIR } from '../../src/kernel/paths.ts';
import { Service } from '../../src/service.ts';
import { createMemoryLogger } from './memory-logger.ts';
import { dropSuiteDatabase, prepareSuiteDatabase, suiteDatabaseUrl } from './suite-store.ts';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/**
 * The test stage's configuration with a fresh temp SQLite file (or, with SUITE_STORE=postgres, a PostgreSQL database
 * of its own: test/helpers/suite-store.ts), plus any overrides.
 */
export function testConfig(overrides: DeepPartial<Config> & Record<string, unknown> = {}, dir = mkdtempSync(join(tmpdir(), 'daj-'))) {
  const config = loadConfig({
    env: { STAGE: 'test', DATABASE_URL: suiteDatabaseUrl(dir) },
    configDir: join(ROOT_DIR, 'config'),
    overrides,
  });
  return { config, dir };
}

export type TestService = Awaited<ReturnType<typeof startTestService>>;

/**
 * Boots the real service on 127.0.0.1 port 0 over a temp SQLite file, with a memory logger.
 * `stop()` stops it and removes the folder unless `keepDir` (restart tests reuse the file).
 */
export async function startTestService(
  options: { config?: Config; dir?: string; deps?: DepsOverrides; keepDir?: boolean; beforeStart?: (service: Service) => void } = {},
) {
  const { config, dir } = options.config ? { config: options.config, dir: options.dir } : testConfig({}, options.dir);
  await prepareSuiteDatabase(config.databaseUrl);
  const memory = createMemoryLogger();
  const deps = buildDeps(config, { logger: memory.logger, ...options.deps });
  const service = new Service(deps);
  // Koa composes its middleware when the server is created, so test-only routes must be added before start.
  options.beforeStart?.(service);
  const { url, port } = await service.start();
  return {
    url,
    port,
    service,
    deps,
    config,
    dir,
    logs: memory.lines,
    waitForLog: memory.waitFor,
    async stop() {
      await service.stop();
      if (options.keepDir) return;
      if (dir) rmSync(dir, { recursive: true, force: true });
      await dropSuiteDatabase(config.databaseUrl);
    },
  };
}
