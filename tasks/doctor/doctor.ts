import { join } from 'node:path';
import { schedulingRules } from '../../src/compose/calls.ts';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';
import { ROOT_DIR } from '../../src/kernel/paths.ts';
import { doctorLine, runDoctor, type DoctorCheck } from '../../src/telnyx/telnyx-doctor.ts';

/**
 * `make doctor`: reads the settings (the environment, `.env` included by the Makefile), checks the Telnyx set-up
 * through the API and writes one line per check. Resolves with the exit code: 0 when every check passed, 1 when any
 * failed (each failure names itself).
 */
export async function doctor(env: Readonly<Record<string, string | undefined>>, write: (line: string) => void): Promise<number> {
  const apiKey = env.TELNYX_API_KEY;
  if (!apiKey) {
    write('FAIL API key: TELNYX_API_KEY is not set (without it the service runs on its simulator) — fix: copy .env.example to .env and fill it in');
    return 1;
  }
  const failures: DoctorCheck[] = [];
  let maxConcurrentCalls = Number(env.MAX_CONCURRENT_CALLS ?? 2);
  let allowedCountries: readonly string[] = [];
  try {
    const config = loadConfig({ env: { STAGE: 'development', ...env }, configDir: join(ROOT_DIR, 'config') });
    maxConcurrentCalls = config.queue.maxConcurrentCalls;
    allowedCountries = schedulingRules(config, false).allowedCountries;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const check = { name: 'settings', ok: false, detail: err.message };
    failures.push(check);
    write(doctorLine(check));
  }
  const checks = await runDoctor({
    apiKey,
    baseUrl: env.TELNYX_BASE_URL || undefined,
    connectionId: env.TELNYX_CONNECTION_ID || undefined,
    fromNumber: env.TELNYX_FROM_NUMBER || undefined,
    publicKey: env.TELNYX_PUBLIC_KEY || undefined,
    maxConcurrentCalls,
    allowedCountries,
    publicBase: env.PUBLIC_URL || undefined,
  });
  for (const check of checks) {
    write(doctorLine(check));
    if (!check.ok) failures.push(check);
  }
  write(failures.length === 0 ? 'All checks passed.' : `${failures.length} check(s) failed: ${failures.map((c) => c.name).join(', ')}.`);
  return failures.length === 0 ? 0 : 1;
}
