import test, { type ExecutionContext } from 'ava';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { Config } from '../../../src/config/schema.ts';
import { createPostgresStore } from '../../../src/store/postgres/pg-store.ts';
import { DEVICE_COOKIE } from '../../../src/http/routes/auth-routes.ts';
import { createTestAccount, TEST_PASSWORD, type TestAccount } from '../../helpers/accounts.ts';
import { createFormClient } from '../../helpers/form-client.ts';
import { createManualClock } from '../../helpers/manual-clock.ts';
import { withPostgres, type TestDatabase } from '../../helpers/postgres.ts';
import { startTestService, testConfig, type TestService } from '../../helpers/test-service.ts';
import { cookieFrom, requestFrom, type Reply } from './source-address.ts';

// Owners cannot be locked out by strangers (issue 18, item 2), over real HTTP from real loopback source addresses,
// on SQLite and PostgreSQL: ten addresses guess the password; the owner still signs in from a device that signed in
// before (its remembered-device cookie), from others with a proof of work (or, with proofs off, after a reset), and
// after a reset from anywhere, since a reset clears every failure count of the account.

const T0 = Date.parse('2026-11-21T12:00:00Z');
const ATTACKERS = Array.from({ length: 10 }, (_, i) => `127.0.30.${i + 1}`);
const NEW_PASSWORD = 'a brand new private phrase';
const LIMITS = {
  loginsPerAddressPer15Min: 1000,
  loginFailuresPerAccountAndAddressPer15Min: 3,
  loginFailuresPerAccountPer15Min: 20,
  registrationsPerAddressPerHour: 1000,
  mailsPerRecipientPerHour: 1000,
};

async function boot(t: ExecutionContext, db: TestDatabase | undefined, proofOfWork: Partial<Config['proofOfWork']> = {}) {
  const clock = createManualClock(T0);
  const schema = db ? await db.freshSchema() : undefined;
  const { config, dir } = testConfig({
    limits: LIMITS,
    proofOfWork: { enabled: false, afterRequestsPerNetwork: 1000, afterRegistrationsPerHour: 1000, maxCounter: 200, ...proofOfWork },
    auth: { jwtSecret: 'a fixed secret of at least 32 bytes!!' },
  });
  const store = db && schema ? createPostgresStore({ connectionString: db.url, searchPath: schema.schema, max: 4 }) : undefined;
  if (store) await store.migrate();
  const svc = await startTestService({ config, dir, deps: { clock, ...(store ? { store } : {}) } });
  t.teardown(async () => {
    await svc.stop();
    await schema?.drop();
  });
  const signIn = (from: string, email: string, password: string, extra: { cookie?: string; altcha?: string } = {}) =>
    requestFrom(svc.url, from, {
      path: '/api/auth/token',
      json: { email, password, ...(extra.altcha ? { altcha: extra.altcha } : {}) },
      headers: extra.cookie ? { cookie: extra.cookie } : {},
    });
  return { svc, clock, signIn };
}

/**
 * 5 wrong passwords from each of ten addresses: 3 are checked per address (then that address waits), until the
 * account-wide count (20) is full and every other device waits too.
 */
async function attack(t: ExecutionContext, signIn: Awaited<ReturnType<typeof boot>>['signIn'], email: string) {
  const statuses: number[] = [];
  for (const from of ATTACKERS) for (let i = 0; i < 5; i++) statuses.push((await signIn(from, email, `wrong guess number ${i}`)).status);
  t.is(statuses.filter((s) => s === 401).length, 20, statuses.join(' '));
  t.is(statuses.filter((s) => s === 429).length, 30);
}

function expectLimited(t: ExecutionContext, res: Reply, detail: RegExp) {
  t.is(res.status, 429, res.text);
  t.is(res.headers['content-type'], 'application/problem+json');
  t.true(Number(res.headers['retry-after']) >= 1);
  t.regex(String(res.body.detail), detail);
}

async function resetPassword(svc: TestService, from: string, who: TestAccount) {
  const outbox = svc.deps.outbox;
  if (!outbox) throw new Error('the test service keeps mail in its outbox');
  const asked = await requestFrom(svc.url, from, { path: '/api/auth/reset-request', json: { email: who.email } });
  if (asked.status !== 202) throw new Error(`reset request: ${asked.status} ${asked.text}`);
  const mail = await outbox.waitFor((m) => m.to === who.email && (m.links[0] ?? '').includes('/reset?token='));
  const token = new URL(mail.links[0] as string).searchParams.get('token');
  const done = await requestFrom(svc.url, from, { path: '/api/auth/reset', json: { token, password: NEW_PASSWORD } });
  if (done.status !== 200) throw new Error(`reset: ${done.status} ${done.text}`);
}

function suite(name: string, db?: TestDatabase) {
  const serial = db ? test.serial : test;

  serial(`${name}: when ten addresses guess an account's password, then its owner signs in from a known device, not from others, and after a reset from anywhere`, async (t) => {
    const { svc, signIn } = await boot(t, db);
    const owner = await createTestAccount(svc.deps);
    const before = await signIn('127.0.20.1', owner.email, TEST_PASSWORD);
    t.is(before.status, 200);
    const device = cookieFrom(before.headers, DEVICE_COOKIE);
    if (!device) throw new Error('no remembered-device cookie');
    const set = (before.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${DEVICE_COOKIE}=`)) ?? '';
    t.regex(set, /HttpOnly/i);
    t.regex(set, /SameSite=Strict/i);
    t.regex(set, /max-age=7776000|expires=/i, 'a bounded lifetime');

    await attack(t, signIn, owner.email);
    t.is((await signIn('127.0.20.1', owner.email, TEST_PASSWORD, { cookie: device })).status, 200, 'the known device, as before');
    t.is((await signIn('127.0.21.1', owner.email, TEST_PASSWORD, { cookie: device })).status, 200, 'the known device on another network');
    t.is((await signIn('127.0.21.1', owner.email, 'still a wrong guess', { cookie: device })).status, 401, 'the password is still checked');
    // Any other device is stopped, and told what is true: a known device still can; a reset clears the count.
    expectLimited(t, await signIn('127.0.22.1', owner.email, TEST_PASSWORD), /A device that signed in to it before still can; from others try again in 15 min, or reset the password: a reset clears this count/);
    // A cookie of another account is no way in.
    const other = await createTestAccount(svc.deps);
    const otherDevice = cookieFrom((await signIn('127.0.22.1', other.email, TEST_PASSWORD)).headers, DEVICE_COOKIE);
    expectLimited(t, await signIn('127.0.22.1', owner.email, TEST_PASSWORD, { cookie: otherDevice }), /A device that signed in to it before still can/);
    // An attacker's own network waits, and is told so.
    expectLimited(t, await signIn(ATTACKERS[0] as string, owner.email, TEST_PASSWORD), /from your network\. Try again in 15 min, or reset the password: a reset clears this count/);

    await resetPassword(svc, '127.0.23.1', owner);
    t.is((await signIn('127.0.22.1', owner.email, NEW_PASSWORD)).status, 200, 'after a reset, any device');
    t.is((await signIn(ATTACKERS[0] as string, owner.email, NEW_PASSWORD)).status, 200, 'the per-network counts are cleared too');
    // The page, with no cookie at all, after the reset.
    const browser = createFormClient(svc.url);
    await browser.open('/login');
    const page = await browser.submit('/login', { email: owner.email, password: NEW_PASSWORD, next: '/' });
    t.is(page.status, 303);
    t.truthy(browser.jar.get(DEVICE_COOKIE), 'the page remembers the device too');
  });

  serial(`${name}: when the account-wide count is full and proofs of work are on, then a new device signs in with a solved proof, and a known device without one`, async (t) => {
    const { svc, signIn } = await boot(t, db, { enabled: true });
    const owner = await createTestAccount(svc.deps);
    const device = cookieFrom((await signIn('127.0.20.1', owner.email, TEST_PASSWORD)).headers, DEVICE_COOKIE);
    await attack(t, signIn, owner.email);
    const asked = await signIn('127.0.22.1', owner.email, TEST_PASSWORD);
    expectLimited(t, asked, /from a device that has not signed in to it before, send a proof of work/);
    const challenge = (await (await fetch(`${svc.url}/api/auth/challenge`)).json()) as Challenge;
    const solution = await solveChallenge({ challenge, deriveKey });
    const altcha = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
    t.is((await signIn('127.0.22.1', owner.email, TEST_PASSWORD, { altcha })).status, 200, 'the work instead of a refusal');
    t.is((await signIn('127.0.22.1', owner.email, TEST_PASSWORD, { altcha })).status, 400, 'a solution is good once');
    t.is((await signIn('127.0.20.1', owner.email, TEST_PASSWORD, { cookie: device })).status, 200);

    // The page asks for the work in words, and marks the form so its script does it.
    const browser = createFormClient(svc.url);
    await browser.open('/login');
    const page = await browser.submit('/login', { email: owner.email, password: TEST_PASSWORD, next: '/' });
    t.is(page.status, 429);
    const html = await page.text();
    t.regex(html, /<form method="post" action="\/login" novalidate data-pow>/);
    t.regex(html, /a proof of work; it needs JavaScript/);
    t.regex(html, /<script type="module" src="\/static\/proof-of-work.js"><\/script>/);
  });
}

// Declared first: the PostgreSQL tests are registered once the server answered (see withPostgres).
await withPostgres(test, (db) => suite('postgres', db));
suite('sqlite');
