import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * The environment of the real entry point (`node src/main.ts`) as the scale and schedules benchmarks start it: the
 * production stage on loopback, talking to the carrier simulator's process. Production requires account mail and a
 * signing secret; nothing in these benchmarks signs in or sends mail. `extra` adds the scenario's own settings.
 */
export function productionEnv(options: { port: number; databaseUrl: string; sim: { publicKeyBase64: string; baseUrl: string } }, extra: Record<string, string> = {}) {
  return {
    STAGE: 'production',
    HOST: '127.0.0.1',
    PORT: String(options.port),
    PUBLIC_URL: `http://127.0.0.1:${options.port}`,
    DATABASE_URL: options.databaseUrl,
    LOG_LEVEL: 'info',
    TELNYX_API_KEY: 'bench-key',
    TELNYX_PUBLIC_KEY: options.sim.publicKeyBase64,
    TELNYX_CONNECTION_ID: 'bench-connection',
    TELNYX_FROM_NUMBER: '+12025550100',
    TELNYX_BASE_URL: options.sim.baseUrl,
    SMTP_URL: 'smtp://127.0.0.1:9',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    ...extra,
  };
}

/** Stops a started entry point: SIGTERM (a graceful stop), SIGKILL if it has not exited after 10 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
