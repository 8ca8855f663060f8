import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createTokenSigner } from '../../../src/accounts/tokens.ts';
import { createSystemClock } from '../../../src/kernel/clock.ts';
import { ROOT_DIR } from '../../../src/kernel/paths.ts';
import { dropSuiteDatabase, readRows, suiteDatabaseUrl, suiteStoreFor } from '../../helpers/suite-store.ts';
import { CarrierSimulator } from 'telnyx-simulator';
import { SIGNING_SEED } from '../../helpers/call-flow-harness.ts';
import { freePort } from '../../../tasks/free-port.ts';


/** The real service as its own process (`node src/main.ts`) talking to the simulator as if it were Telnyx. */
async function startService(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(ROOT_DIR, 'src/main.ts')], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    if ((JSON.parse(line) as { msg?: string }).msg === 'listening') break;
  }
  return child;
}

test('when the service is killed with -9 while both channels ring, then after a restart the carrier record frees them and both waiting calls are dialed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'daj-kill-'));
  // Nobody answers; the carrier gives up ringing after 1.5 s, while the service is dead, and that webhook is lost.
  const simulator = new CarrierSimulator({ signingSeedBase64: SIGNING_SEED, ringTimeoutCapMs: 1500 });
  const { baseUrl } = await simulator.start();
  const databaseUrl = suiteDatabaseUrl(dir, 'kill.db');
  t.teardown(() => dropSuiteDatabase(databaseUrl));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    STAGE: 'test',
    LOG_LEVEL: 'info',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    PUBLIC_URL: url,
    MAX_CONCURRENT_CALLS: '2',
    TELNYX_API_KEY: 'KEY_TEST',
    TELNYX_PUBLIC_KEY: simulator.publicKeyBase64,
    TELNYX_CONNECTION_ID: 'conn-kill',
    TELNYX_FROM_NUMBER: '+12025550100',
    TELNYX_BASE_URL: baseUrl,
    JWT_SECRET: 'kill-9-test-secret-of-at-least-32-bytes',
  };
  // The person scheduling: an account in the database the service will open, and a token signed with its secret.
  const store = await suiteStoreFor(databaseUrl);
  await store.migrate();
  await store.insertAccount({ id: 'kill-9-account', email: 'kill9@example.test', passwordHash: 'none', createdAt: Date.now() });
  await store.close();
  const tokens = createTokenSigner({ secret: new TextEncoder().encode(env.JWT_SECRET), clock: createSystemClock() });
  const authorization = `Bearer ${await tokens.accessToken('kill-9-account', 600)}`;
  let child = await startService(env);
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await simulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const schedule = async (to: string) => {
    const res = await fetch(`${url}/api/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ to, at: new Date().toISOString() }),
    });
    if (res.status !== 201) throw new Error(`scheduling failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  };
  const ringing = [await schedule('+12025550408'), await schedule('+13125550408')];
  await simulator.waitForCommand((c) => c.kind === 'dial' && c.body.to === '+12025550408' && c.status === 200);
  await simulator.waitForCommand((c) => c.kind === 'dial' && c.body.to === '+13125550408' && c.status === 200);
  // Both channels are held; a third call waits for one.
  const next = await schedule('+12025550123');
  const after = await schedule('+13125550123');
  child.kill('SIGKILL');
  await once(child, 'exit');
  // The carrier ends both calls while nobody listens.
  await new Promise<void>((resolve) => {
    const check = () => {
      if (simulator.liveCalls().length === 0) {
        simulator.off('call-ended', check);
        resolve();
      }
    };
    simulator.on('call-ended', check);
    check();
  });

  child = await startService(env);
  // Behaviour, not timing: the restarted service dials both waiting calls; the test's own completion bounds how long.
  const dial = await simulator.waitForCommand((c) => c.kind === 'dial' && c.body.to === '+12025550123');
  t.is(Buffer.from(String(dial.body.client_state), 'base64').toString('utf8'), next, 'the dial carries the waiting call as its client_state');
  // The claim counts live calls in the database, and the first waiting call talks for seconds (the simulator answers
  // after 1 s): the second can be dialed only once both dead rings are settled in our table, not merely one.
  const second = await simulator.waitForCommand((c) => c.kind === 'dial' && c.body.to === '+13125550123');
  t.is(Buffer.from(String(second.body.client_state), 'base64').toString('utf8'), after);
  child.kill('SIGTERM');
  await once(child, 'exit');

  const rowOf = async (id: string) => (await readRows<{ status: string; reason: string }>(databaseUrl, 'SELECT status, reason FROM calls WHERE id = ?', [id]))[0];
  for (const id of ringing) {
    const row = (await rowOf(id)) as { status: string; reason: string };
    // Settled either by the carrier's record (its hangup webhook lost while we were down) or, when the restart came
    // inside Telnyx's opt-in webhook retries, by the retried hangup itself: never left holding a channel.
    if (row.status === 'failed') t.regex(row.reason, /the carrier ended the call/);
    else t.is(row.status, 'no_answer');
  }
  for (const id of [next, after]) t.not((await rowOf(id))?.status, 'scheduled');
});
