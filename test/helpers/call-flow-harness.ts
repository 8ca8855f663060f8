import type { ExecutionContext } from 'ava';
import { isFinal, type Call } from '../../src/calls/call.ts';
import { createStore } from '../../src/store/create-store.ts';
import { ROOT_DIR } from '../../src/kernel/paths.ts';
import type { Store } from '../../src/store/store.ts';
import { CarrierSimulator } from 'telnyx-simulator';
import type { SimulatorOptions } from 'telnyx-simulator';
import { startTestService, testConfig } from './test-service.ts';
import { watchStore } from './watched-store.ts';
import { createTestAccount } from './accounts.ts';
import { dropSuiteDatabase, prepareSuiteDatabase } from './suite-store.ts';

/** A fixed simulator key, so a restarted service (or a forging test) knows what signs the webhooks. */
export const SIGNING_SEED = Buffer.alloc(32, 7).toString('base64');

/**
 * Boots the real service over a temp SQLite file (a PostgreSQL database with SUITE_STORE=postgres; or the given `store`) with the in-process carrier simulator (real HTTP both ways,
 * real ed25519 signatures). `placeNow` schedules a call through the API for right now.
 */
export async function bootWithSimulator(
  t: ExecutionContext,
  options: { simulator?: SimulatorOptions; config?: Record<string, unknown>; dir?: string; keepDir?: boolean; store?: Store } = {},
) {
  const { config, dir } = testConfig(options.config ?? {}, options.dir);
  const own = options.store === undefined;
  if (own) await prepareSuiteDatabase(config.databaseUrl);
  const watched = watchStore(options.store ?? createStore(config.databaseUrl, ROOT_DIR));
  const simulator = new CarrierSimulator({
    answerDelayMs: 5,
    speakMsPerChar: 0,
    signingSeedBase64: SIGNING_SEED,
    webhookRetryDelayMs: 5,
    // Telnyx's pacing, shortened: rings end at 50 ms although the dial sends a legal timeout_secs (≥ 5).
    ringTimeoutCapMs: 50,
    amdDelayMs: 5,
    machineGreetingMs: 30,
    digitDelayMs: 5,
    ...options.simulator,
  });
  const svc = await startTestService({ config, dir, keepDir: options.keepDir, deps: { store: watched.store, simulator } });
  t.teardown(async () => {
    await svc.stop();
    if (own && !options.keepDir) await dropSuiteDatabase(config.databaseUrl);
  });
  const account = await createTestAccount(svc.deps);
  async function placeNow(to: string, message?: string): Promise<string> {
    const res = await fetch(`${svc.url}/api/calls`, {
      method: 'POST',
      headers: account.headers,
      body: JSON.stringify({ to, at: new Date(svc.deps.clock.now()).toISOString(), ...(message ? { message } : {}) }),
    });
    if (res.status !== 201) throw new Error(`scheduling failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  }
  const ended = (id: string): Promise<Call> => watched.waitFor(id, (call) => isFinal(call.status));
  const timeline = async (id: string) => svc.deps.store.listEvents(id);
  return { svc, simulator, dir, account, placeNow, ended, waitFor: watched.waitFor, timeline };
}
